"""The sandbox's RAM and STS APIs through the official SDKs: listings, paging, policies, errors, identity."""

from __future__ import annotations

import json

import pytest
from alibaba_wire import RAM_VERSION, ram_client, raw_body, sts_client, without_request_id
from alibabacloud_ram20150501.models import (
    GetPolicyVersionRequest,
    ListGroupsRequest,
    ListPoliciesForGroupRequest,
    ListPoliciesForRoleRequest,
    ListPoliciesForUserRequest,
    ListPoliciesRequest,
    ListRolesRequest,
    ListUsersForGroupRequest,
    ListUsersRequest,
)
from alibabacloud_tea_openapi.exceptions import ClientException
from ecs_wire import acs3_call

from alibaba_jupiterone.sandbox import (
    DEFAULT_CREDENTIAL,
    AlibabaCloudSandbox,
    Credential,
    GroupMembership,
    PolicyAttachment,
    RamDirectory,
)
from alibaba_jupiterone.sandbox.alibaba.ram.directory import PLACEHOLDER_DOCUMENT

ACCOUNT = {"AccountId": "5481250658564201", "AccountAlias": "example-corp"}
ADMIN_DOCUMENT = '{"Statement": [{"Action": "*", "Effect": "Allow", "Resource": "*"}], "Version": "1"}'


def user(n: int, **fields: object) -> dict:
    """A ListUsers item as recorded."""
    return {
        "UpdateDate": "2022-08-13T07:11:33Z",
        "UserName": f"user-{n:03d}",
        "UserId": f"2441491575579{n:05d}",
        "Comments": "",
        "DisplayName": f"User {n}",
        "CreateDate": "2022-07-11T16:45:38Z",
        **fields,
    }


def role(name: str, role_id: str) -> dict:
    """A ListRoles item as recorded."""
    return {
        "UpdateDate": "2022-08-11T16:37:29Z",
        "MaxSessionDuration": 3600,
        "RoleName": name,
        "Description": "",
        "Arn": f"acs:ram::{ACCOUNT['AccountId']}:role/{name.lower()}",
        "CreateDate": "2022-08-11T16:37:29Z",
        "RoleId": role_id,
    }


GROUPS = [
    {
        "GroupName": f"group-{n}",
        "UpdateDate": "2022-08-08T07:50:59Z",
        "Comments": "",
        "CreateDate": "2022-08-08T07:50:59Z",
        "GroupId": f"g-{n:016d}",
    }
    for n in range(3)
]
POLICIES = [
    {
        "PolicyType": "System",
        "Description": "管理所有阿里云资源的权限",
        "DefaultVersion": "v1",
        "PolicyName": "AdministratorAccess",
        "CreateDate": "2015-04-28T16:00:00Z",
        "UpdateDate": "2015-04-28T16:00:00Z",
    },
    {
        "PolicyType": "Custom",
        "Description": "deploy pipeline",
        "DefaultVersion": "v2",
        "PolicyName": "deploy",
        "CreateDate": "2023-01-01T00:00:00Z",
        "UpdateDate": "2023-06-01T00:00:00Z",
    },
    {  # a custom policy may share a system policy's name
        "PolicyType": "Custom",
        "Description": "",
        "DefaultVersion": "v1",
        "PolicyName": "AdministratorAccess",
        "CreateDate": "2024-01-01T00:00:00Z",
        "UpdateDate": "2024-01-01T00:00:00Z",
    },
    {
        "PolicyType": "Custom",
        "Description": "never attached",
        "DefaultVersion": "v1",
        "PolicyName": "unused",
        "CreateDate": "2024-01-01T00:00:00Z",
        "UpdateDate": "2024-01-01T00:00:00Z",
    },
]
DEPLOY_VERSIONS = [
    {"VersionId": "v1", "IsDefaultVersion": False, "CreateDate": "2023-01-01T00:00:00Z", "PolicyDocument": "{}"},
    {
        "VersionId": "v2",
        "IsDefaultVersion": True,
        "CreateDate": "2023-06-01T00:00:00Z",
        "PolicyDocument": '{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "ecs:*", "Resource": "*"}]}',
    },
]


def directory(user_count: int = 5) -> RamDirectory:
    """Users, three groups, two roles, system and custom policies, attachments of each kind, MFA devices."""
    users = [user(n, **({"Email": f"user-{n}@example.com"} if n % 2 else {})) for n in range(user_count)]
    return RamDirectory(
        users=users,
        groups=GROUPS,
        roles=[role("deployer", "320904813205762257"), role("AliyunServiceRoleForVpn", "385826362501709386")],
        policies=POLICIES,
        policy_versions={
            ("System", "AdministratorAccess"): [
                {
                    "VersionId": "v1",
                    "IsDefaultVersion": True,
                    "CreateDate": "2015-04-28T16:00:00Z",
                    "PolicyDocument": ADMIN_DOCUMENT,
                }
            ],
            ("Custom", "deploy"): DEPLOY_VERSIONS,
        },
        attachments=[
            PolicyAttachment("User", "user-000", "System", "AdministratorAccess", "2022-07-11T16:46:38Z"),
            PolicyAttachment("User", "user-000", "Custom", "deploy", "2023-07-01T00:00:00Z"),
            PolicyAttachment("Group", "group-0", "Custom", "deploy", "2023-07-02T00:00:00Z"),
            PolicyAttachment("Role", "deployer", "Custom", "AdministratorAccess", "2024-02-01T00:00:00Z"),
        ],
        memberships=[
            GroupMembership("group-0", f"user-{n:03d}", f"2022-08-08T09:{n % 60:02d}:51Z") for n in range(user_count)
        ]
        + [GroupMembership("group-1", "user-001", "2022-09-01T00:00:00Z")],
        mfa_devices=[
            {
                "SerialNumber": f"acs:ram::{ACCOUNT['AccountId']}:mfa/user-001",
                "ActivateDate": "2022-08-01T00:00:00Z",
                "User": {"UserName": "user-001", "UserId": user(1)["UserId"], "DisplayName": "User 1"},
            }
        ],
    )


@pytest.fixture
def sandbox(alibaba_sandbox_factory) -> AlibabaCloudSandbox:
    return alibaba_sandbox_factory(ram=directory(), account=ACCOUNT)


@pytest.fixture
def crowd(alibaba_sandbox_factory) -> AlibabaCloudSandbox:
    """237 users, all in group-0."""
    return alibaba_sandbox_factory(ram=directory(237), account=ACCOUNT)


def marker_pages(list_page, **request) -> list[list[str]]:
    """Names page by page, following ``Marker`` while ``IsTruncated``."""
    pages, marker = [], None
    while True:
        body = list_page(marker=marker, **request)
        pages.append(body.names)
        assert (body.marker is not None) is body.is_truncated
        if not body.is_truncated:
            return pages
        marker = body.marker


class _Page:
    def __init__(self, body, names: list[str]) -> None:
        self.names, self.marker, self.is_truncated = names, body.marker, body.is_truncated


def users_page(client, **request) -> _Page:
    body = client.list_users(ListUsersRequest(**request)).body
    return _Page(body, [item.user_name for item in body.users.user])


def members_page(client, **request) -> _Page:
    body = client.list_users_for_group(ListUsersForGroupRequest(**request)).body
    return _Page(body, [item.user_name for item in body.users.user])


@pytest.mark.parametrize(("max_items", "sizes"), [(None, [100, 100, 37]), (50, [50] * 4 + [37]), (1000, [237])])
def test_list_users_pages_by_marker(crowd, max_items, sizes):
    client = ram_client(crowd)

    pages = marker_pages(lambda **request: users_page(client, **request), max_items=max_items)

    assert [len(page) for page in pages] == sizes
    assert [name for page in pages for name in page] == [f"user-{n:03d}" for n in range(237)]


def test_list_users_for_group_pages_by_marker(crowd):
    client = ram_client(crowd)

    pages = marker_pages(lambda **request: members_page(client, **request), group_name="group-0", max_items=100)

    assert [len(page) for page in pages] == [100, 100, 37]
    assert len({name for page in pages for name in page}) == 237


def test_every_paged_listing_pages_with_max_items_one(sandbox):
    client = ram_client(sandbox)
    listings = {
        "ListUsers": ("Users", "User", [u["UserName"] for u in directory().users], {}),
        "ListGroups": ("Groups", "Group", [g["GroupName"] for g in GROUPS], {}),
        "ListRoles": ("Roles", "Role", ["deployer", "AliyunServiceRoleForVpn"], {}),
        "ListPolicies": ("Policies", "Policy", [p["PolicyName"] for p in POLICIES], {}),
        "ListUsersForGroup": (
            "Users",
            "User",
            ["user-000", "user-001", "user-002", "user-003", "user-004"],
            {"GroupName": "group-0"},
        ),
    }
    for action, (container, kind, expected, params) in listings.items():
        names, marker = [], ""
        while True:
            body = raw_body(
                client, RAM_VERSION, action, {**params, "MaxItems": 1, **({"Marker": marker} if marker else {})}
            )
            names += [item[f"{kind}Name"] for item in body[container][kind]]
            if not body["IsTruncated"]:
                assert "Marker" not in body
                break
            marker = body["Marker"]
        assert names == expected, action


def test_list_answers_have_the_recorded_shapes(sandbox):
    client = ram_client(sandbox)

    users = raw_body(client, RAM_VERSION, "ListUsers", {"MaxItems": 100})
    groups = raw_body(client, RAM_VERSION, "ListGroups", {"MaxItems": 100})
    roles = client.list_roles(ListRolesRequest()).body
    members = raw_body(client, RAM_VERSION, "ListUsersForGroup", {"GroupName": "group-1", "MaxItems": 100})

    assert without_request_id(users) == {"IsTruncated": False, "Users": {"User": directory().users}}
    assert without_request_id(groups) == {"IsTruncated": False, "Groups": {"Group": GROUPS}}
    assert [r.to_map() for r in roles.roles.role] == directory().roles
    assert without_request_id(members) == {
        "IsTruncated": False,
        "Users": {"User": [{"UserName": "user-001", "DisplayName": "User 1", "JoinDate": "2022-09-01T00:00:00Z"}]},
    }
    assert [u.email for u in client.list_users(ListUsersRequest()).body.users.user] == [
        None,
        "user-1@example.com",
        None,
        "user-3@example.com",
        None,
    ]


def test_policies_for_each_kind_of_principal(sandbox):
    client = ram_client(sandbox)

    for_user = client.list_policies_for_user(ListPoliciesForUserRequest(user_name="user-000")).body
    for_group = client.list_policies_for_group(ListPoliciesForGroupRequest(group_name="group-0")).body
    for_role = client.list_policies_for_role(ListPoliciesForRoleRequest(role_name="deployer")).body
    for_nobody = client.list_policies_for_role(ListPoliciesForRoleRequest(role_name="AliyunServiceRoleForVpn")).body

    assert [p.to_map() for p in for_user.policies.policy] == [
        {
            "PolicyType": "System",
            "Description": "管理所有阿里云资源的权限",
            "AttachDate": "2022-07-11T16:46:38Z",
            "DefaultVersion": "v1",
            "PolicyName": "AdministratorAccess",
        },
        {
            "PolicyType": "Custom",
            "Description": "deploy pipeline",
            "AttachDate": "2023-07-01T00:00:00Z",
            "DefaultVersion": "v2",
            "PolicyName": "deploy",
        },
    ]
    assert [(p.policy_type, p.policy_name, p.attach_date) for p in for_group.policies.policy] == [
        ("Custom", "deploy", "2023-07-02T00:00:00Z")
    ]
    assert [(p.policy_type, p.policy_name) for p in for_role.policies.policy] == [("Custom", "AdministratorAccess")]
    assert for_nobody.policies.policy == []


def test_list_policies_filters_by_type_and_counts_attachments(sandbox):
    client = ram_client(sandbox)

    def listed(policy_type=None) -> dict[tuple[str, str], int]:
        body = client.list_policies(ListPoliciesRequest(policy_type=policy_type)).body
        return {(p.policy_type, p.policy_name): p.attachment_count for p in body.policies.policy}

    custom = client.list_policies(ListPoliciesRequest(policy_type="Custom")).body.policies.policy

    assert listed() == {
        ("System", "AdministratorAccess"): 1,
        ("Custom", "deploy"): 2,
        ("Custom", "AdministratorAccess"): 1,
        ("Custom", "unused"): 0,
    }
    assert listed("System") == {("System", "AdministratorAccess"): 1}
    assert (custom[0].policy_name, custom[0].create_date, custom[0].update_date) == (
        "deploy",
        "2023-01-01T00:00:00Z",
        "2023-06-01T00:00:00Z",
    )
    sandbox.remove_users(["user-000"])
    assert listed("Custom")[("Custom", "deploy")] == 1


def test_get_policy_version_answers_each_version_with_its_document(sandbox):
    client = ram_client(sandbox)

    def version(policy_type: str, name: str, version_id: str):
        request = GetPolicyVersionRequest(policy_type=policy_type, policy_name=name, version_id=version_id)
        return client.get_policy_version(request).body.policy_version

    default = version("Custom", "deploy", "v2")
    older = version("Custom", "deploy", "v1")
    admin = version("System", "AdministratorAccess", "v1")
    made_up = version("Custom", "unused", "v1")

    assert default.to_map() == DEPLOY_VERSIONS[1]
    assert json.loads(default.policy_document)["Statement"][0]["Action"] == "ecs:*"
    assert (older.is_default_version, older.policy_document) == (False, "{}")
    assert admin.policy_document == ADMIN_DOCUMENT
    assert made_up.to_map() == {
        "VersionId": "v1",
        "IsDefaultVersion": True,
        "CreateDate": "2024-01-01T00:00:00Z",
        "PolicyDocument": PLACEHOLDER_DOCUMENT,
    }


def test_mfa_devices_and_the_account_alias(sandbox):
    client = ram_client(sandbox)

    devices = raw_body(client, RAM_VERSION, "ListVirtualMFADevices")
    alias = client.get_account_alias().body

    assert without_request_id(devices) == {"VirtualMFADevices": {"VirtualMFADevice": directory().mfa_devices}}
    assert client.list_virtual_mfadevices().body.virtual_mfadevices.virtual_mfadevice[0].user.user_name == "user-001"
    assert alias.account_alias == "example-corp"


def test_an_account_without_alias_answers_its_id(alibaba_sandbox_factory):
    sandbox = alibaba_sandbox_factory(account={"AccountId": "5481250658564201"})

    assert ram_client(sandbox).get_account_alias().body.account_alias == "5481250658564201"
    assert sandbox.account == {"AccountId": "5481250658564201", "AccountAlias": "5481250658564201"}


@pytest.mark.parametrize(
    ("action", "params", "answer", "named"),
    [
        ("ListPoliciesForUser", {"UserName": "nobody"}, (404, "EntityNotExist.User"), "nobody"),
        ("ListPoliciesForGroup", {"GroupName": "nogroup"}, (404, "EntityNotExist.Group"), "nogroup"),
        ("ListPoliciesForRole", {"RoleName": "norole"}, (404, "EntityNotExist.Role"), "norole"),
        ("ListUsersForGroup", {"GroupName": "nogroup"}, (404, "EntityNotExist.Group"), "nogroup"),
        (
            "GetPolicyVersion",
            {"PolicyType": "System", "PolicyName": "deploy", "VersionId": "v1"},  # deploy is custom
            (404, "EntityNotExist.Policy"),
            "deploy",
        ),
        (
            "GetPolicyVersion",
            {"PolicyType": "Custom", "PolicyName": "deploy", "VersionId": "v3"},
            (404, "EntityNotExist.PolicyVersion"),
            "v3",
        ),
        (
            "GetPolicyVersion",
            {"PolicyType": "Managed", "PolicyName": "deploy", "VersionId": "v1"},
            (400, "InvalidParameter.PolicyType.InvalidValue"),
            "PolicyType",
        ),
        ("ListPolicies", {"PolicyType": "custom"}, (400, "InvalidParameter.PolicyType.InvalidValue"), "PolicyType"),
        ("ListPoliciesForUser", {}, (400, "MissingUserName"), "UserName"),
        ("ListUsersForGroup", {}, (400, "MissingGroupName"), "GroupName"),
        ("GetPolicyVersion", {"PolicyType": "Custom", "PolicyName": "deploy"}, (400, "MissingVersionId"), "VersionId"),
        ("ListUsers", {"MaxItems": "1001"}, (400, "InvalidParameter"), "MaxItems"),
        ("ListUsers", {"MaxItems": "0"}, (400, "InvalidParameter"), "MaxItems"),
        ("ListUsers", {"Marker": "not-a-marker"}, (400, "InvalidParameter"), "Marker"),
    ],
)
def test_entity_and_parameter_errors(sandbox, action, params, answer, named):
    response = acs3_call(sandbox, action, params, version=RAM_VERSION)

    assert (response.status_code, response.json()["Code"]) == answer
    assert named in response.json()["Message"]
    assert "product=Ram" in response.json()["Recommend"]


def test_a_marker_is_good_for_its_own_listing_only(crowd):
    client = ram_client(crowd)
    marker = client.list_users(ListUsersRequest(max_items=10)).body.marker

    with pytest.raises(ClientException) as raised:
        client.list_groups(ListGroupsRequest(marker=marker))
    with pytest.raises(ClientException):
        client.list_users_for_group(ListUsersForGroupRequest(group_name="group-1", marker=marker))

    assert (raised.value.status_code, raised.value.code) == (400, "InvalidParameter")
    assert len(client.list_users(ListUsersRequest(marker=marker)).body.users.user) == 100


@pytest.mark.parametrize(
    ("credential", "identity"),
    [
        (
            DEFAULT_CREDENTIAL,
            {
                "IdentityType": "Account",
                "AccountId": ACCOUNT["AccountId"],
                "PrincipalId": ACCOUNT["AccountId"],
                "UserId": ACCOUNT["AccountId"],
                "Arn": f"acs:ram::{ACCOUNT['AccountId']}:root",
            },
        ),
        (
            Credential("user-key", "user-secret", principal="user-003"),
            {
                "IdentityType": "RAMUser",
                "AccountId": ACCOUNT["AccountId"],
                "PrincipalId": user(3)["UserId"],
                "UserId": user(3)["UserId"],
                "Arn": f"acs:ram::{ACCOUNT['AccountId']}:user/user-003",
            },
        ),
        (
            Credential("sts-key", "sts-secret", security_token="token", principal="deployer/ci-run-7"),
            {
                "IdentityType": "AssumedRoleUser",
                "AccountId": ACCOUNT["AccountId"],
                "PrincipalId": "320904813205762257:ci-run-7",
                "UserId": "320904813205762257:ci-run-7",
                "Arn": f"acs:ram::{ACCOUNT['AccountId']}:assumed-role/deployer/ci-run-7",
                "RoleId": "320904813205762257",
            },
        ),
    ],
    ids=["account", "ram-user", "assumed-role"],
)
def test_get_caller_identity_tells_whose_credential_signed(alibaba_sandbox_factory, credential, identity):
    sandbox = alibaba_sandbox_factory(ram=directory(), account=ACCOUNT, credentials=[credential])

    body = sts_client(sandbox, credential).get_caller_identity().body.to_map()

    assert without_request_id(body) == identity


def test_an_unknown_principal_still_has_a_stable_identity(alibaba_sandbox_factory):
    credential = Credential("key", "secret", principal="departed.user")
    sandbox = alibaba_sandbox_factory(credentials=[credential])

    first = sts_client(sandbox, credential).get_caller_identity().body
    second = sts_client(sandbox, credential).get_caller_identity().body

    assert first.user_id == second.user_id
    assert len(first.user_id) == 18
    assert first.identity_type == "RAMUser"
