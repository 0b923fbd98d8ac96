"""Account, VPC and RAM records for the graph tests: one example filling every field, and any the API could return.

Field names and shapes are those of the APIs' answers (the SDK models list them), composed as the
records contract says: the listed item, with what other calls added under its enrichment keys.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hypothesis import strategies as st

from alibaba_jupiterone.graph import ACCOUNT, RAM_GROUP, RAM_POLICY, RAM_ROLE, RAM_USER, VPC

DOCUMENT = '{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "oss:GetObject", "Resource": "*"}]}'

FULL_RECORDS: dict[str, dict[str, Any]] = {
    ACCOUNT.type: {"AccountId": "1234567890123456", "AccountAlias": "acme-prod"},
    VPC.type: {
        "VpcId": "vpc-bp1opxu1zkhn00gzv26cm",
        "VpcName": "prod",
        "RegionId": "cn-hangzhou",
        "Status": "Available",
        "CidrBlock": "172.16.0.0/12",
        "Ipv6CidrBlock": "2408:4005:3bb:7300::/56",
        "Ipv6CidrBlocks": {"Ipv6CidrBlock": [{"Ipv6CidrBlock": "2408:4005:3bb:7300::/56", "Ipv6Isp": "BGP"}]},
        "IsDefault": False,
        "OwnerId": 1234567890123456,
        "VRouterId": "vrt-bp1lhl0taikrteen8oxnz",
        "Description": "production network",
        "CenStatus": "Attached",
        "ResourceGroupId": "rg-acfmxazb4ph6aiy",
        "NetworkAclNum": 1,
        "AdvancedResource": True,
        "SupportIpv4Gateway": True,
        "Ipv4GatewayId": "ipv4gw-bp1h2kbp3kz4b0ss3ex2m",
        "ClassicLinkEnabled": False,
        "DhcpOptionsSetId": "dopt-o6w0df4epg9zo8isy****",
        "DhcpOptionsSetStatus": "InUse",
        "CreationTime": "2024-01-02T03:04:05Z",
        "VSwitchIds": {"VSwitchId": ["vsw-bp1nhbnpv2blyz8dl****", "vsw-bp1ka4zx2lxlqkq8****"]},
        "SecondaryCidrBlocks": {"SecondaryCidrBlock": ["192.168.0.0/16"]},
        "UserCidrs": {"UserCidr": ["10.0.0.0/8"]},
        "NatGatewayIds": {"NatGatewayIds": ["ngw-bp1uewa15k4iy5770****"]},
        "RouterTableIds": {"RouterTableIds": ["vtb-bp145q7glnuzdvzu2****"]},
        "CloudResources": {
            "CloudResourceSetType": [
                {"ResourceType": "VSwitch", "ResourceCount": 2},
                {"ResourceType": "VRouter", "ResourceCount": 1},
                {"ResourceType": "RouteTable", "ResourceCount": 1},
            ]
        },
        "Tags": {"Tag": [{"Key": "acs:rm:rgId", "Value": "rg-acfmxazb4ph6aiy"}, {"Key": "team", "Value": "core"}]},
    },
    RAM_USER.type: {
        "UserName": "alice",
        "UserId": "222748924538****",
        "DisplayName": "Alice Liddell",
        "Comments": "on call",
        "Email": "alice@example.com",
        "MobilePhone": "86-1860000****",
        "CreateDate": "2024-01-02T03:04:05Z",
        "UpdateDate": "2024-02-03T04:05:06Z",
        "VirtualMFADevice": {
            "SerialNumber": "acs:ram::1234567890123456:mfa/alice",
            "ActivateDate": "2024-01-03T00:00:00Z",
            "User": {"UserName": "alice", "UserId": "222748924538****", "DisplayName": "Alice Liddell"},
        },
        "Policies": {
            "Policy": [
                {
                    "PolicyName": "ReadOnlyAccess",
                    "PolicyType": "System",
                    "Description": "read only",
                    "DefaultVersion": "v6",
                    "AttachDate": "2024-01-04T00:00:00Z",
                }
            ]
        },
    },
    RAM_GROUP.type: {
        "GroupName": "developers",
        "GroupId": "g-FpMEHiMysofp****",
        "Comments": "every developer",
        "CreateDate": "2024-01-02T03:04:05Z",
        "UpdateDate": "2024-02-03T04:05:06Z",
        "Users": {"User": [{"UserName": "alice", "DisplayName": "Alice Liddell", "JoinDate": "2024-01-05T00:00:00Z"}]},
        "Policies": {
            "Policy": [
                {
                    "PolicyName": "OSSReader",
                    "PolicyType": "Custom",
                    "Description": "",
                    "DefaultVersion": "v2",
                    "AttachDate": "2024-01-04T00:00:00Z",
                }
            ]
        },
    },
    RAM_ROLE.type: {
        "RoleName": "ecs-admin",
        "RoleId": "901234567890****",
        "Arn": "acs:ram::1234567890123456:role/ecs-admin",
        "Description": "ECS operators",
        "MaxSessionDuration": 3600,
        "CreateDate": "2024-01-02T03:04:05Z",
        "UpdateDate": "2024-02-03T04:05:06Z",
        "Policies": {
            "Policy": [
                {
                    "PolicyName": "AliyunECSFullAccess",
                    "PolicyType": "System",
                    "Description": "full access to ECS",
                    "DefaultVersion": "v1",
                    "AttachDate": "2024-01-04T00:00:00Z",
                }
            ]
        },
    },
    RAM_POLICY.type: {
        "PolicyName": "OSSReader",
        "PolicyType": "Custom",
        "Description": "reads every bucket",
        "DefaultVersion": "v2",
        "AttachDate": "2024-01-04T00:00:00Z",
        "Policy": {
            "PolicyName": "OSSReader",
            "PolicyType": "Custom",
            "Description": "reads every bucket",
            "DefaultVersion": "v2",
            "CreateDate": "2024-01-02T03:04:05Z",
            "UpdateDate": "2024-02-03T04:05:06Z",
            "AttachmentCount": 3,
        },
        "PolicyVersion": {
            "VersionId": "v2",
            "IsDefaultVersion": True,
            "CreateDate": "2024-02-03T04:05:06Z",
            "PolicyDocument": DOCUMENT,
        },
    },
}
"""One record of each type filling every field its converter reads, its enrichments included."""


# What the API could return: any field but the key missing or null, any wrapper empty.
def _nullable(strategy: st.SearchStrategy) -> st.SearchStrategy:
    return st.none() | strategy


def _object(**fields: st.SearchStrategy) -> st.SearchStrategy:
    return st.fixed_dictionaries({}, optional={name: _nullable(value) for name, value in fields.items()})


def _wrapped(inner: str, items: st.SearchStrategy) -> st.SearchStrategy:
    """An API list wrapper such as ``{"VSwitchId": [...]}``, or ``{}``, or ``{inner: null}``."""
    return st.lists(items, max_size=3).map(lambda found: {inner: found}) | st.sampled_from([{}, {inner: None}])


_short_text = st.text(max_size=12)
_long_text = st.builds(lambda part, count: part * count, st.text(min_size=1, max_size=3), st.integers(1400, 3000))
_text = _short_text | _long_text | st.sampled_from(["生产网络", "Ünïcödé", ""])
_valid_name = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,20}", fullmatch=True) | st.sampled_from(["管理员", "a"])
"""A name the API allows."""
_name = _valid_name | st.sampled_from(["", "x"])
"""A name that keys a record: one the API allows, or one too short to make a key of (when unprefixed)."""
_time = st.one_of(
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)).map(
        lambda moment: moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    ),
    st.sampled_from(["", "2024-13-01T00:00:00Z", "yesterday"]),
)
_count = st.integers(min_value=0, max_value=2**31)
_ipv4_cidr = st.ip_addresses(v=4).map(str) | st.builds(
    lambda address, length: f"{address}/{length}", st.ip_addresses(v=4), st.integers(0, 32)
)
_ipv6_cidr = st.builds(lambda address, length: f"{address}/{length}", st.ip_addresses(v=6), st.integers(0, 128))
_tag_key = _short_text | st.sampled_from(["acs:rm:rgId", "kubernetes.io/cluster/prod", "项目", "AccountName"])
_policy = st.fixed_dictionaries(
    {"PolicyName": _valid_name},
    optional={
        "PolicyType": st.sampled_from(["System", "Custom"]),
        "Description": _text,
        "DefaultVersion": st.sampled_from(["v1", "v14"]),
        "AttachDate": _time,
    },
)


def _enrichment(inner: str, items: st.SearchStrategy) -> st.SearchStrategy:
    """What another call added, in its API's wrapper: never empty (the hooks add nothing then)."""
    return st.lists(items, min_size=1, max_size=3).map(lambda found: {inner: found})


_policies = _enrichment("Policy", _policy)

_VPC_FIELDS = {
    "VpcName": _text,
    "RegionId": st.sampled_from(["cn-hangzhou", "us-east-1"]) | _short_text,
    "Status": st.sampled_from(["Available", "Pending"]) | _short_text,
    "CidrBlock": _ipv4_cidr | _short_text,
    "Ipv6CidrBlock": _ipv6_cidr | st.sampled_from(["", "2408:4005::", "fe80::1%eth0/64", "not-an-address/56"]),
    "Ipv6CidrBlocks": _wrapped("Ipv6CidrBlock", _object(Ipv6CidrBlock=_ipv6_cidr, Ipv6Isp=_short_text)),
    "IsDefault": st.booleans(),
    "OwnerId": _count | st.from_regex(r"[0-9]{16}", fullmatch=True),
    "VRouterId": _short_text,
    "Description": _text,
    "CenStatus": st.sampled_from(["Attached", "Detached"]),
    "ResourceGroupId": _short_text,
    "NetworkAclNum": _count,
    "AdvancedResource": st.booleans(),
    "SupportIpv4Gateway": st.booleans(),
    "Ipv4GatewayId": _short_text,
    "CreationTime": _time,
    "VSwitchIds": _wrapped("VSwitchId", _short_text),
    "SecondaryCidrBlocks": _wrapped("SecondaryCidrBlock", _ipv4_cidr),
    "UserCidrs": _wrapped("UserCidr", _ipv4_cidr),
    "NatGatewayIds": _wrapped("NatGatewayIds", _short_text),
    "RouterTableIds": _wrapped("RouterTableIds", _short_text),
    "CloudResources": _wrapped(
        "CloudResourceSetType",
        _object(ResourceType=st.sampled_from(["VSwitch", "VRouter", "RouteTable", "NatGateway"]), ResourceCount=_count),
    ),
    "Tags": _wrapped("Tag", _object(Key=_tag_key, Value=_text)),
}

_USER_FIELDS = {
    "UserId": _short_text,
    "DisplayName": _text,
    "Comments": _text,
    "Email": st.emails() | st.just(""),
    "MobilePhone": _short_text,
    "CreateDate": _time,
    "UpdateDate": _time,
}
_USER_ENRICHMENTS = {
    "VirtualMFADevice": _object(SerialNumber=_short_text, ActivateDate=_time, User=_object(UserName=_name)),
    "Policies": _policies,
}

_GROUP_FIELDS = {
    "GroupId": _short_text,
    "Comments": _text,
    "CreateDate": _time,
    "UpdateDate": _time,
}
_GROUP_ENRICHMENTS = {
    "Users": _enrichment(
        "User", st.fixed_dictionaries({"UserName": _valid_name}, optional={"DisplayName": _text, "JoinDate": _time})
    ),
    "Policies": _policies,
}

_ROLE_FIELDS = {
    "RoleName": _name,
    "Arn": _short_text,
    "Description": _text,
    "MaxSessionDuration": st.integers(3600, 43200),
    "CreateDate": _time,
    "UpdateDate": _time,
}

_POLICY_FIELDS = {
    "PolicyType": st.sampled_from(["System", "Custom"]),
    "Description": _text,
    "DefaultVersion": st.sampled_from(["v1", "v14"]),
    "AttachDate": _time,
}
_POLICY_ENRICHMENTS = {
    "Policy": _object(CreateDate=_time, UpdateDate=_time, AttachmentCount=_count, PolicyType=st.just("Custom")),
    "PolicyVersion": _object(
        VersionId=st.just("v1"),
        IsDefaultVersion=st.booleans(),
        CreateDate=_time,
        PolicyDocument=st.sampled_from([DOCUMENT, ""]) | _long_text,
    ),
}


def _records(
    key: str,
    key_value: st.SearchStrategy,
    fields: dict[str, st.SearchStrategy],
    enrichments: dict[str, st.SearchStrategy] | None = None,
) -> st.SearchStrategy:
    """Records keyed by ``key``: any of ``fields`` missing or null, any of ``enrichments`` missing."""
    return st.fixed_dictionaries(
        {key: key_value}, optional={name: _nullable(value) for name, value in fields.items()} | (enrichments or {})
    )


RECORDS: dict[str, st.SearchStrategy] = {
    ACCOUNT.type: _records("AccountId", st.from_regex(r"[0-9]{16}", fullmatch=True), {"AccountAlias": _name}),
    VPC.type: _records("VpcId", st.from_regex(r"vpc-[a-z0-9]{8,25}", fullmatch=True) | _name, _VPC_FIELDS),
    RAM_USER.type: _records("UserName", _name, _USER_FIELDS, _USER_ENRICHMENTS),
    RAM_GROUP.type: _records("GroupName", _name, _GROUP_FIELDS, _GROUP_ENRICHMENTS),
    RAM_ROLE.type: _records(
        "RoleId", st.from_regex(r"[0-9]{18}", fullmatch=True) | _name, _ROLE_FIELDS, {"Policies": _policies}
    ),
    RAM_POLICY.type: _records("PolicyName", _name, _POLICY_FIELDS, _POLICY_ENRICHMENTS),
}
"""For each type, its records as the hooks could give them: any field but the key missing or null, any
enrichment missing."""
