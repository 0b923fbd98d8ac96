"""The ECS instance converter, case by case: the contract's corrections and additions, and awkward records."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from ecs_records import OPTIONS

from alibaba_jupiterone.graph import ECS_INSTANCE

INSTANCE_ID = "i-bp1h4adlltjc1d48goaq"


def entity_of(**fields):
    return ECS_INSTANCE.to_entity({"InstanceId": INSTANCE_ID, **fields}, OPTIONS, region="cn-hangzhou")


def interface(kind="Primary", mac="00:16:3e:02:c0:8a", *addresses, **fields):
    ip_sets = [{"PrivateIpAddress": address, "Primary": index == 0} for index, address in enumerate(addresses)]
    return {
        "NetworkInterfaceId": f"eni-{kind.lower()}{len(addresses)}",
        "Type": kind,
        "MacAddress": mac,
        "PrimaryIpAddress": addresses[0] if addresses else None,
        "PrivateIpSets": {"PrivateIpSet": ip_sets},
        **fields,
    }


def test_a_record_with_only_an_id_gives_the_required_properties_and_nothing_made_up():
    entity = entity_of()

    assert entity == {
        "_key": INSTANCE_ID,
        "_type": "alibaba_cloud_ecs_instance",
        "_class": ["Host"],
        "name": INSTANCE_ID,
        "displayName": INSTANCE_ID,
        "instanceName": INSTANCE_ID,
        "instanceId": INSTANCE_ID,
        "status": "unknown",
        "osName": None,
        "hostname": None,
        "active": False,
        "lastSeenOn": OPTIONS.observed_on,
        "category": "server",
        "make": "Alibaba Cloud",
        "model": None,
        "serial": None,
        "fqdn": None,
        "ipv4Addresses": None,
        "ipv6Addresses": None,
        "privateIpAddresses": None,
        "publicIpAddresses": None,
        "macAddresses": None,
        "public": False,
        "osType": None,
        "osDetails": None,
        "osVersion": None,
        "deviceId": None,
        "tag.AccountName": "Production",
        "_rawData": [{"name": "default", "rawData": {"InstanceId": INSTANCE_ID}}],
    }


def test_null_fields_and_empty_wrappers_are_left_out_like_missing_ones():
    wrappers = ("PublicIpAddress", "InnerIpAddress", "RdmaIpAddress", "SecurityGroupIds", "VpcAttributes", "EipAddress")
    nulls = dict.fromkeys(("InstanceName", "HostName", "Description", "Memory", *wrappers))
    empty = {field: {} for field in wrappers} | {"Tags": {"Tag": None}, "NetworkInterfaces": {}, "OperationLocks": {}}

    bare = entity_of()
    assert entity_of(**nulls) | {"_rawData": None} == bare | {"_rawData": None}
    assert entity_of(**empty) | {"_rawData": None} == bare | {"_rawData": None}


def test_empty_values_are_kept_as_they_come():
    entity = entity_of(Description="", SaleCycle="", Memory=0, DeletionProtection=False, Tags={"Tag": []})

    assert (entity["description"], entity["saleCycle"], entity["memory"], entity["deletionProtection"]) == (
        "",
        "",
        0,
        False,
    )
    assert (entity["tagKeys"], entity["tagValues"]) == ([], [])


def test_fields_the_recordings_lack_are_kept_too(shared_fixtures):
    body = json.loads((shared_fixtures / "alibaba-ecs" / "describe_instances_full_synthetic.json").read_text())
    record = body["Instances"]["Instance"][0]

    entity = ECS_INSTANCE.to_entity(record, OPTIONS)

    expected = {
        "keyPairName": record["KeyPairName"],
        "localStorageCapacity": record["LocalStorageCapacity"],
        "localStorageAmount": record["LocalStorageAmount"],
        "spotDuration": record["SpotDuration"],
        "hpcClusterId": record["HpcClusterId"],
        "deploymentSetGroupNo": record["DeploymentSetGroupNo"],
        "isp": record["ISP"],
        "rdmaIpAddress": record["RdmaIpAddress"]["IpAddress"],
        "httpPutResponseHopLimit": record["MetadataOptions"]["HttpPutResponseHopLimit"],
        "loginAsNonRoot": record["ImageOptions"]["LoginAsNonRoot"],
        "operationLocks": ["financial"],
        "status": "locked",
        "active": True,
    }
    assert {name: entity.get(name) for name in expected} == expected


@pytest.mark.parametrize(
    ("status", "locks", "expected"),
    [
        ("Pending", [], "pending"),
        ("Running", [], "deployed"),
        ("Starting", [], "deployed"),
        ("Stopping", [], "deployed"),
        ("Stopped", [], "deployed"),
        ("Stopped", [{"LockReason": "financial", "LockMsg": "overdue"}], "locked"),
        ("Running", [{"LockReason": "security"}], "locked"),
        ("Deleted", [], "unknown"),
    ],
)
def test_status_is_the_host_status_of_the_api_status_and_locks(status, locks, expected):
    entity = entity_of(Status=status, OperationLocks={"LockReason": locks})

    assert (entity["status"], entity["state"], entity["active"]) == (expected, status, status == "Running")


@pytest.mark.parametrize(
    ("host_name", "hostname", "fqdn"),
    [
        ("web-prod-01", "web-prod-01", None),
        ("WIN-3J5LQ0KJ7VA", "WIN-3J5LQ0KJ7VA", None),
        ("web-1.prod.example.com", "web-1", ["web-1.prod.example.com"]),
        ("a.example.com", None, ["a.example.com"]),
        ("web_1", None, None),
        ("-web", None, None),
        ("w" * 64, None, None),
        ("订单服务", None, None),
        ("", None, None),
    ],
)
def test_hostname_fits_the_data_model_or_is_null(host_name, hostname, fqdn):
    entity = entity_of(HostName=host_name)

    assert (entity["hostname"], entity["fqdn"]) == (hostname, fqdn)


def test_fqdn_gathers_the_private_dns_names_of_every_interface():
    dns = "ip-172-16-5-10.cn-hangzhou.ecs.internal"
    first = interface("Primary", "00:16:3e:00:00:01", "172.16.5.10")
    first["PrivateIpSets"]["PrivateIpSet"][0]["PrivateDnsName"] = dns
    second = interface("Secondary", "00:16:3e:00:00:02", "172.16.5.11")
    second["PrivateIpSets"]["PrivateIpSet"][0]["PrivateDnsName"] = "iZbp1h4adlltjc1d48goaqZ"

    entity = entity_of(HostName="db.example.com", NetworkInterfaces={"NetworkInterface": [first, second]})

    assert entity["fqdn"] == ["db.example.com", dns]


def test_several_interfaces_give_every_address_and_mac_and_the_primary_one_alone():
    primary = interface("Primary", "00:16:3E:AA:00:01", "172.16.5.10", "172.16.5.20")
    secondary = interface("Secondary", "00:16:3e:aa:00:02", "172.16.5.11")
    nameless = {"NetworkInterfaceId": "", "Type": "Secondary", "MacAddress": "00:16:3e:aa:00:01"}

    entity = entity_of(
        NetworkInterfaces={"NetworkInterface": [secondary, primary, nameless]},
        VpcAttributes={"VpcId": "vpc-1", "PrivateIpAddress": {"IpAddress": ["172.16.5.11"]}, "NatIpAddress": ""},
    )

    assert entity["networkInterfaceIds"] == ["eni-secondary1", "eni-primary2"]
    assert (entity["privateIpAddress"], entity["ipAddress"], entity["macAddress"]) == (
        "172.16.5.10",
        "172.16.5.10",
        "00:16:3E:AA:00:01",
    )
    assert entity["macAddresses"] == ["00:16:3e:aa:00:02", "00:16:3e:aa:00:01"]
    assert entity["privateIpAddresses"] == entity["ipv4Addresses"] == ["172.16.5.11", "172.16.5.10", "172.16.5.20"]
    assert entity["publicIpAddresses"] is None


def test_without_a_primary_interface_the_primary_properties_are_left_out():
    entity = entity_of(
        NetworkInterfaces={"NetworkInterface": [interface("Secondary", "00:16:3e:aa:00:02", "10.0.0.7")]}
    )

    assert {"privateIpAddress", "ipAddress", "macAddress"}.isdisjoint(entity)
    assert entity["privateIpAddresses"] == ["10.0.0.7"]


def test_ipv6_addresses_are_listed_normalised_and_masked_or_scoped_ones_dropped():
    ipv6 = [
        {"Ipv6Address": "2408:4005:0:0:0:0:0:1"},
        {"Ipv6Address": "2408:4321:180:1701::****"},
        {"Ipv6Address": "fe80::1%eth0"},
    ]
    nic = interface("Primary", "00:16:3e:aa:00:01", "172.16.5.10", Ipv6Sets={"Ipv6Set": ipv6})

    entity = entity_of(NetworkInterfaces={"NetworkInterface": [nic]})

    assert entity["ipv6Addresses"] == ["2408:4005::1"]
    assert entity["ipv4Addresses"] == ["172.16.5.10"]
    assert entity["privateIpAddresses"] == ["172.16.5.10", "2408:4005::1"]


def test_an_eip_is_a_public_address_but_not_a_public_ip_address_of_the_reference():
    entity = entity_of(
        PublicIpAddress={"IpAddress": []},
        EipAddress={"AllocationId": "eip-1", "IpAddress": "47.96.1.2", "InternetChargeType": "PayByTraffic"},
    )

    assert (entity["publicIpAddress"], entity["eipAddress"]) == ([], "47.96.1.2")
    assert entity["publicIpAddresses"] == entity["ipv4Addresses"] == ["47.96.1.2"]
    assert entity["public"] is True


def test_a_classic_instance_has_its_inner_and_public_addresses():
    entity = entity_of(
        InstanceNetworkType="classic",
        InnerIpAddress={"IpAddress": ["10.116.3.4"]},
        PublicIpAddress={"IpAddress": ["120.55.1.2"]},
        EipAddress={"AllocationId": "", "IpAddress": "", "InternetChargeType": ""},
        NetworkInterfaces={"NetworkInterface": []},
    )

    assert (entity["privateIpAddresses"], entity["publicIpAddresses"]) == (["10.116.3.4"], ["120.55.1.2"])
    assert entity["ipv4Addresses"] == ["10.116.3.4", "120.55.1.2"]
    assert (entity["public"], entity["networkInterfaceIds"]) == (True, [])


def test_masked_addresses_stay_in_the_kept_properties_but_not_in_the_data_model_lists():
    entity = entity_of(
        PublicIpAddress={"IpAddress": ["42.112.**.**"]},
        NetworkInterfaces={"NetworkInterface": [interface("Primary", "00:16:3e:32:b4:**", "172.17.**.**")]},
    )

    assert (entity["publicIpAddress"], entity["ipAddress"], entity["macAddress"]) == (
        ["42.112.**.**"],
        "172.17.**.**",
        "00:16:3e:32:b4:**",
    )
    assert (entity["ipv4Addresses"], entity["publicIpAddresses"], entity["macAddresses"]) == (None, None, None)
    assert entity["public"] is True


def test_tag_keys_become_valid_property_names_and_keep_their_values():
    tags = [
        {"TagKey": "acs:autoscaling:scalingGroupId", "TagValue": "asg-gw887cqit2ro4yd0ik90"},
        {"TagKey": "kubernetes.io/cluster/prod", "TagValue": "owned"},
        {"TagKey": "Cost Center", "TagValue": "R&D"},
        {"TagKey": "项目", "TagValue": "双十一大促"},
        {"TagKey": "目录", "TagValue": "second of the same name"},
        {"TagKey": "backup", "TagValue": ""},
        {"TagKey": "", "TagValue": "no key"},
    ]

    entity = entity_of(Tags={"Tag": tags})

    assert {name: value for name, value in entity.items() if name.startswith("tag.")} == {
        "tag.acs-autoscaling-scalingGroupId": "asg-gw887cqit2ro4yd0ik90",
        "tag.kubernetes.io-cluster-prod": "owned",
        "tag.Cost Center": "R&D",
        "tag.--": "双十一大促",
        "tag.backup": "",
        "tag.AccountName": "Production",
    }
    assert entity["tagKeys"] == [tag["TagKey"] for tag in tags]
    assert entity["tagValues"] == [tag["TagValue"] for tag in tags]


def test_the_configured_account_name_wins_over_a_tag_of_that_name():
    tags = {"Tag": [{"TagKey": "AccountName", "TagValue": "from the instance"}]}

    assert entity_of(Tags=tags)["tag.AccountName"] == "Production"
    untagged = replace(OPTIONS, tag_with_account_name=False)
    assert ECS_INSTANCE.to_entity({"InstanceId": INSTANCE_ID, "Tags": tags}, untagged)["tag.AccountName"] == (
        "from the instance"
    )


def test_long_values_are_cut_to_4096_characters_and_non_ascii_names_kept():
    entity = entity_of(
        InstanceName="订单服务-生产-01",
        Description="x" * 10_000,
        Tags={"Tag": [{"TagKey": "k", "TagValue": "v" * 5000}]},
    )

    assert (entity["name"], entity["displayName"]) == ("订单服务-生产-01", "订单服务-生产-01")
    assert entity["description"] == "x" * 4093 + "..."
    assert entity["tag.k"] == entity["tagValues"][0] == "v" * 4093 + "..."
    assert entity["_rawData"][0]["rawData"]["Description"] == "x" * 10_000


def test_a_windows_instance_names_its_os_in_english():
    entity = entity_of(
        OSType="windows",
        OSName="Windows Server  2022 数据中心版 64位中文版",
        OSNameEn="Windows Server  2022 Data Center Edition 64bit Chinese Edition",
    )

    assert (entity["osType"], entity["osName"], entity["osDetails"], entity["osNameEn"]) == (
        "windows",
        "Windows Server  2022 Data Center Edition 64bit Chinese Edition",
        "Windows Server  2022 Data Center Edition 64bit Chinese Edition",
        "Windows Server  2022 Data Center Edition 64bit Chinese Edition",
    )


@pytest.mark.parametrize(
    ("os_type", "expected"), [("linux", "linux"), ("Windows", "windows"), ("freebsd", "other"), ("", "other")]
)
def test_os_type_is_one_of_the_data_model_values(os_type, expected):
    assert entity_of(OSType=os_type)["osType"] == expected


def test_os_name_falls_back_to_the_local_name():
    assert entity_of(OSName="CentOS  7.9 64位", OSNameEn="")["osName"] == "CentOS  7.9 64位"


def test_times_become_epoch_milliseconds_and_expiry_only_for_subscriptions():
    times = {"CreationTime": "2024-04-14T22:32Z", "ExpiredTime": "2025-04-15T16:00Z", "StartTime": "2024-04-14T22:33Z"}

    prepaid = entity_of(InstanceChargeType="PrePaid", **times)
    postpaid = entity_of(InstanceChargeType="PostPaid", **times)

    assert (prepaid["createdOn"], prepaid["expiresOn"]) == (1_713_133_920_000, 1_744_732_800_000)
    assert "expiresOn" not in postpaid
    assert (postpaid["creationTime"], postpaid["expiredTime"]) == (times["CreationTime"], times["ExpiredTime"])
    assert "createdOn" not in entity_of(CreationTime="not a time")


def test_web_link_opens_the_instance_in_the_console():
    entity = entity_of(RegionId="cn-hangzhou")

    assert entity["webLink"] == f"https://ecs.console.aliyun.com/server/{INSTANCE_ID}/detail?regionId=cn-hangzhou"
    assert "webLink" not in entity_of()


def test_serial_and_model_come_from_the_record():
    entity = entity_of(SerialNumber="51d1353b-22bf-4567-a176-8b3e12e4f00d", InstanceType="ecs.g7.large")

    assert (entity["serial"], entity["serialNumber"]) == ("51d1353b-22bf-4567-a176-8b3e12e4f00d",) * 2
    assert (entity["model"], entity["instanceType"]) == ("ecs.g7.large",) * 2
    assert entity_of(SerialNumber="")["serial"] is None
