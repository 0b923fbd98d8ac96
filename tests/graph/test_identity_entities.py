"""The account, VPC and RAM converters, case by case: the contract's corrections and additions, and awkward records."""

from __future__ import annotations

from dataclasses import replace

import pytest
from ecs_records import OPTIONS
from identity_records import DOCUMENT, FULL_RECORDS

from alibaba_jupiterone.errors import MalformedRecordError
from alibaba_jupiterone.graph import ACCOUNT, ECS_INSTANCE, RAM_GROUP, RAM_POLICY, RAM_ROLE, RAM_USER, VPC

PLAIN = replace(OPTIONS, account_name=None, tag_with_account_name=False, include_raw_data=False)
"""No account name, no raw data: only what the record itself gives."""


# Account


def test_the_account_is_keyed_by_id_named_by_alias_and_displayed_by_the_configured_name():
    entity = ACCOUNT.to_entity({"AccountId": "5481250658564201", "AccountAlias": "acme-prod"}, OPTIONS)

    assert entity == {
        "_key": "alibaba_cloud_account:5481250658564201",
        "_type": "alibaba_cloud_account",
        "_class": ["Account"],
        "name": "acme-prod",
        "displayName": "Production",
        "accountId": "5481250658564201",
        "accountAlias": "acme-prod",
        "vendor": "Alibaba Cloud",
        "webLink": "https://home.console.aliyun.com/",
        "tag.AccountName": "Production",
        "_rawData": [{"name": "default", "rawData": {"AccountId": "5481250658564201", "AccountAlias": "acme-prod"}}],
    }


def test_without_a_configured_name_the_account_is_displayed_by_its_alias():
    entity = ACCOUNT.to_entity({"AccountId": "5481250658564201", "AccountAlias": "acme-prod"}, PLAIN)

    assert entity["displayName"] == entity["name"] == "acme-prod"


@pytest.mark.parametrize("alias", [None, ""])
def test_without_an_alias_the_account_is_named_by_its_id(alias):
    record = {"AccountId": "5481250658564201"} | ({} if alias is None else {"AccountAlias": alias})

    entity = ACCOUNT.to_entity(record, PLAIN)

    assert entity["name"] == entity["displayName"] == "5481250658564201"
    assert entity.get("accountAlias", "<absent>") == ("<absent>" if alias is None else "")


# VPC

VPC_ID = "vpc-bp1opxu1zkhn00gzv26cm"


def vpc(**fields):
    return VPC.to_entity({"VpcId": VPC_ID, **fields}, PLAIN)


def test_a_vpc_with_only_an_id_gives_the_required_properties_and_empty_lists():
    assert vpc() == {
        "_key": f"alibaba_cloud_vpc:{VPC_ID}",
        "_type": "alibaba_cloud_vpc",
        "_class": ["Network"],
        "CIDR": None,
        "public": False,
        "internal": True,
        "name": VPC_ID,
        "displayName": VPC_ID,
        "id": VPC_ID,
        # correction: missing list wrappers give [] (the reference crashed)
        "vSwitchIds": [],
        "secondaryCidrBlocks": [],
        "userCidrs": [],
        "natGatewayIds": [],
        "routeTableIds": [],
        "vSwitchCount": 0,
        "vRouterCount": 0,
        "routeTableCount": 0,
        "active": False,
    }


@pytest.mark.parametrize(("name", "expected"), [("prod", "prod"), ("", VPC_ID), (None, VPC_ID)])
def test_an_unnamed_vpc_is_named_by_its_id(name, expected):
    entity = vpc(VpcName=name)

    assert (entity["name"], entity["displayName"]) == (expected, expected)


@pytest.mark.parametrize(("status", "active"), [("Available", True), ("Pending", False), (None, False)])
def test_a_vpc_is_active_when_available(status, active):
    entity = vpc(Status=status)

    assert entity["active"] is active
    assert entity.get("status") == status


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        ("2408:4001:241:4400::/56", {"CIDRv6": "2408:4001:241:4400::", "CIDRv6.mask": 56}),
        ("2408:4001:241:4400::", {"CIDRv6": "2408:4001:241:4400::"}),
        ("2408:4001:241:4400::/129", {"CIDRv6": "2408:4001:241:4400::"}),
        ("", {}),
        ("fe80::1%eth0/64", {}),
        ("not-an-address/56", {}),
    ],
)
def test_the_ipv6_block_gives_a_valid_address_and_its_mask(block, expected):
    entity = vpc(Ipv6CidrBlock=block)

    assert {name: entity[name] for name in ("CIDRv6", "CIDRv6.mask") if name in entity} == expected


@pytest.mark.parametrize(
    ("block", "cidr"), [("172.16.0.0/12", "172.16.0.0/12"), ("10.0.0.0", "10.0.0.0"), ("2408::/56", None), ("", None)]
)
def test_cidr_is_the_ipv4_block_or_null(block, cidr):
    assert vpc(CidrBlock=block)["CIDR"] == cidr


def test_lists_are_unwrapped_and_counts_read_from_cloud_resources():
    record = FULL_RECORDS[VPC.type]

    entity = VPC.to_entity(record, PLAIN)

    assert entity["vSwitchIds"] == record["VSwitchIds"]["VSwitchId"]
    assert entity["routeTableIds"] == record["RouterTableIds"]["RouterTableIds"]
    assert entity["natGatewayIds"] == record["NatGatewayIds"]["NatGatewayIds"]
    assert (entity["vSwitchCount"], entity["vRouterCount"], entity["routeTableCount"]) == (2, 1, 1)
    assert entity["ipv6CidrBlocks.ipv6CidrBlock"] == ["2408:4005:3bb:7300::/56"]
    assert entity["ipv6CidrBlocks.ipv6Isp"] == ["BGP"]
    assert entity["isAdvancedResource"] is True
    assert entity["ownerId"] == "1234567890123456"  # a string, as the reference wrote it
    assert entity["createdOn"] == 1_704_164_645_000


def test_vpc_tags_become_properties_and_the_account_name_wins():
    tags = [{"Key": "acs:rm:rgId", "Value": "rg-1"}, {"Key": "AccountName", "Value": "theirs"}, {"Key": "empty"}]

    entity = VPC.to_entity({"VpcId": VPC_ID, "Tags": {"Tag": tags}}, OPTIONS)

    assert {name: value for name, value in entity.items() if name.startswith("tag.")} == {
        "tag.acs-rm-rgId": "rg-1",
        "tag.AccountName": "Production",
        "tag.empty": "",
    }


def test_the_vpc_web_link_opens_it_in_its_region_s_console():
    assert vpc(RegionId="cn-hangzhou")["webLink"] == f"https://vpc.console.aliyun.com/vpc/cn-hangzhou/vpcs/{VPC_ID}"
    assert "webLink" not in vpc(RegionId="")


# RAM user


def user(**fields):
    return RAM_USER.to_entity({"UserName": "alice", **fields}, PLAIN)


def test_a_user_with_only_a_name_gives_what_the_data_model_requires():
    assert user() == {
        "_key": "alibaba_cloud_ram_user:alice",
        "_type": "alibaba_cloud_ram_user",
        "_class": ["User"],
        "name": "alice",
        "displayName": "alice",
        "active": True,
        "username": ["alice"],
        "shortLoginId": ["alice"],
        "firstName": None,
        "lastName": None,
        "email": None,
        "mfaEnabled": False,
    }


@pytest.mark.parametrize(
    ("email", "expected"), [("alice@example.com", ["alice@example.com"]), ("", None), (None, None)]
)
def test_the_email_is_a_list_of_the_one_the_user_has(email, expected):
    assert user(Email=email)["email"] == expected


def test_mfa_is_enabled_when_the_user_has_a_virtual_device():
    device = FULL_RECORDS[RAM_USER.type]["VirtualMFADevice"]

    assert user(VirtualMFADevice=device)["mfaEnabled"] is True
    assert user(VirtualMFADevice=None)["mfaEnabled"] is False


def test_user_fields_and_times():
    entity = RAM_USER.to_entity(FULL_RECORDS[RAM_USER.type], PLAIN)

    assert (entity["displayName"], entity["userId"], entity["comments"]) == (
        "Alice Liddell",
        "222748924538****",
        "on call",
    )
    assert (entity["createdOn"], entity["updatedOn"]) == (1_704_164_645_000, 1_706_933_106_000)
    assert "mobilePhone" not in entity


# RAM group and role


def test_a_group_is_named_by_its_name():
    entity = RAM_GROUP.to_entity(FULL_RECORDS[RAM_GROUP.type], PLAIN)

    assert {name: entity[name] for name in ("_key", "name", "displayName", "groupName", "groupId", "comments")} == {
        "_key": "alibaba_cloud_ram_group:developers",
        "name": "developers",
        "displayName": "developers",
        "groupName": "developers",
        "groupId": "g-FpMEHiMysofp****",
        "comments": "every developer",
    }


def test_a_role_is_keyed_by_its_id_and_named_by_its_name_else_its_id():
    named = RAM_ROLE.to_entity(FULL_RECORDS[RAM_ROLE.type], PLAIN)
    unnamed = RAM_ROLE.to_entity({"RoleId": "320904813205762257"}, PLAIN)

    assert (named["_key"], named["name"], named["displayName"]) == (
        "alibaba_cloud_ram_role:901234567890****",
        "ecs-admin",
        "ecs-admin",
    )
    assert named["maxSessionDuration"] == 3600
    assert (unnamed["_key"], unnamed["name"]) == ("alibaba_cloud_ram_role:320904813205762257", "320904813205762257")


# RAM policy


def test_policy_content_is_its_default_version_s_document():
    entity = RAM_POLICY.to_entity(FULL_RECORDS[RAM_POLICY.type], PLAIN)

    assert entity["content"] == DOCUMENT
    assert entity["summary"] == entity["description"] == "reads every bucket"
    assert entity["title"] == entity["name"] == entity["policyName"] == "OSSReader"


def test_a_custom_policy_has_the_dates_and_count_of_its_listing():
    entity = RAM_POLICY.to_entity(FULL_RECORDS[RAM_POLICY.type], PLAIN)

    assert (entity["createdOn"], entity["updatedOn"], entity["attachmentCount"]) == (
        1_704_164_645_000,
        1_706_933_106_000,
        3,
    )


def test_a_policy_known_by_its_attachment_alone_has_what_the_data_model_requires():
    entity = RAM_POLICY.to_entity({"PolicyName": "AdministratorAccess", "AttachDate": "2024-01-04T00:00:00Z"}, PLAIN)

    assert entity == {
        "_key": "alibaba_cloud_ram_policy:AdministratorAccess",
        "_type": "alibaba_cloud_ram_policy",
        "_class": ["Policy"],
        "name": "AdministratorAccess",
        "displayName": "AdministratorAccess",
        "title": "AdministratorAccess",
        "policyName": "AdministratorAccess",
        "summary": "",
        "content": "",
    }


def test_a_long_policy_document_is_cut_to_4096_characters():
    document = '{"Statement": [' + ", ".join(['{"Effect": "Allow"}'] * 400) + "]}"

    entity = RAM_POLICY.to_entity({"PolicyName": "Big", "PolicyVersion": {"PolicyDocument": document}}, PLAIN)

    assert len(document) > 4096
    assert entity["content"] == document[:4093] + "..."


# Raw data


@pytest.mark.parametrize("resource", [RAM_USER, RAM_GROUP, RAM_ROLE, RAM_POLICY])
def test_raw_data_keeps_the_listed_item_apart_from_what_other_calls_added(resource):
    record = FULL_RECORDS[resource.type]

    raw_data = resource.to_entity(record, OPTIONS)["_rawData"]

    assert raw_data[0] == {
        "name": "default",
        "rawData": {name: value for name, value in record.items() if name not in resource.enrichments},
    }
    assert raw_data[1:] == [{"name": name, "rawData": record[name]} for name in resource.enrichments]
    assert set(resource.enrichments) <= set(record)


def test_an_enrichment_absent_or_null_has_no_raw_data_entry():
    record = {"UserName": "alice", "VirtualMFADevice": None, "Policies": {"Policy": []}}

    assert RAM_USER.to_entity(record, OPTIONS)["_rawData"] == [
        {"name": "default", "rawData": {"UserName": "alice"}},
        {"name": "Policies", "rawData": {"Policy": []}},
    ]


def test_types_without_enrichments_keep_the_whole_record_as_default_raw_data():
    for resource, record in ((VPC, FULL_RECORDS[VPC.type]), (ECS_INSTANCE, {"InstanceId": "i-bp1h4adlltjc"})):
        assert resource.enrichments == ()
        assert resource.to_entity(record, OPTIONS)["_rawData"] == [{"name": "default", "rawData": record}]


def test_a_value_of_a_type_the_api_never_returns_is_a_malformed_record():
    resources = {"CloudResourceSetType": [{"ResourceType": ["VSwitch"], "ResourceCount": 1}]}

    with pytest.raises(MalformedRecordError, match=r"alibaba_cloud_vpc:vpc-1234567 cannot be converted.*record 2"):
        VPC.to_entity({"VpcId": "vpc-1234567", "CloudResources": resources}, PLAIN, region="cn-hangzhou", position=2)
