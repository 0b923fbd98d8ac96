"""AlibabaRamHook through the real RAM and STS SDKs against the local Alibaba Cloud sandbox, over real HTTP."""

from __future__ import annotations

import json
import math
import time
from collections import Counter
from pathlib import Path

import pytest

from alibaba_jupiterone.errors import AlibabaApiError, AlibabaAuthorizationError
from alibaba_jupiterone.hooks.alibaba_ram import AlibabaRamHook, RamDirectory
from alibaba_jupiterone.hooks.retry import RetryPolicy
from alibaba_jupiterone.sandbox import AlibabaCloudSandbox, Fault, GroupMembership, PolicyAttachment
from alibaba_jupiterone.sandbox import RamDirectory as ServedDirectory

FAST_RETRY = RetryPolicy(max_attempts=5, max_elapsed=30, initial_delay=0.01, max_delay=0.05)
ENRICHMENT = ("VirtualMFADevice", "Policies", "Users", "Policy", "PolicyVersion")
PRINCIPALS = (("User", "users", "UserName"), ("Group", "groups", "GroupName"), ("Role", "roles", "RoleName"))
RAM_RECORDINGS = (
    "fetch-account_4032489637.har",
    "fetch-ram-users-policies_1443975328.har",
    "fetch-ram-groups-policies_2756147890.har",
    "fetch-ram-roles-policies_1761681307.har",
    "build-group-and-user-relationships_4057229285.har",
)


@pytest.fixture
def connect(monkeypatch: pytest.MonkeyPatch):
    """Point the default ``alibaba_cloud`` connection (an env var) at a sandbox; make a RAM hook of it."""

    def connect(sandbox: AlibabaCloudSandbox, *, policy=FAST_RETRY, max_concurrent_calls=8, **extra):
        monkeypatch.setenv("AIRFLOW_CONN_ALIBABACLOUD_DEFAULT", sandbox.connection_json(**extra))
        return AlibabaRamHook(retry=policy, max_concurrent_calls=max_concurrent_calls)

    return connect


def ram_calls(sandbox: AlibabaCloudSandbox, action: str | None = None) -> list:
    return [r for r in sandbox.requests if r.product == "ram" and action in (None, r.action)]


def pages(count: int) -> int:
    return max(1, math.ceil(count / 1000))


def expected_calls(served: ServedDirectory, *, users=True, groups=True, roles=True, policies=True) -> Counter:
    """The RAM calls a read of ``served`` must make, counted from the world alone."""
    attached = {(a.policy_type, a.policy_name) for a in served.attachments}
    expected = Counter()
    if users or policies:
        expected["ListUsers"] = pages(len(served.users))
    if groups or policies:
        expected["ListGroups"] = pages(len(served.groups))
    if roles or policies:
        expected["ListRoles"] = pages(len(served.roles))
    if users:
        expected["ListVirtualMFADevices"] = 1
    if groups:
        members = Counter(m.group_name for m in served.memberships)
        expected["ListUsersForGroup"] = sum(pages(members[g["GroupName"]]) for g in served.groups)
    if policies:
        expected["ListPoliciesForUser"] = len(served.users)
        expected["ListPoliciesForGroup"] = len(served.groups)
        expected["ListPoliciesForRole"] = len(served.roles)
        expected["GetPolicyVersion"] = len(attached)
        if any(policy_type == "Custom" for policy_type, _ in attached):
            expected["ListPolicies"] = pages(sum(p["PolicyType"] == "Custom" for p in served.policies))
    return +expected


def without_enrichment(record: dict) -> dict:
    return {key: value for key, value in record.items() if key not in ENRICHMENT}


def check_directory(
    directory: RamDirectory, served: ServedDirectory, *, users=True, groups=True, roles=True, policies=True
):
    """Check every record against the world it was read from, as the raw-record contract says."""
    attachments = {kind: {} for kind, _, _ in PRINCIPALS}
    for a in served.attachments:
        attachments[a.principal_type].setdefault(a.principal_name, []).append(a)
    for kind, field, name_key in PRINCIPALS:
        records = getattr(directory, field)
        wanted = {"users": users, "groups": groups, "roles": roles}[field]
        assert [without_enrichment(r) for r in records] == (getattr(served, field) if wanted else [])
        for record in records:
            attached = attachments[kind].get(record[name_key], []) if policies else []
            listed = (record.get("Policies") or {"Policy": []})["Policy"]
            assert [(p["PolicyType"], p["PolicyName"], p["AttachDate"]) for p in listed] == [
                (a.policy_type, a.policy_name, a.attach_date) for a in attached
            ]
            assert ("Policies" in record) == bool(attached), "absent when there is nothing"
    devices = {d["User"]["UserName"]: d for d in served.mfa_devices}
    for user in directory.users:
        assert user.get("VirtualMFADevice") == devices.get(user["UserName"])
    for group in directory.groups:
        members = [(m.user_name, m.join_date) for m in served.memberships if m.group_name == group["GroupName"]]
        assert [(u["UserName"], u["JoinDate"]) for u in (group.get("Users") or {"User": []})["User"]] == members
    if not policies:
        assert directory.policies == []
        return
    # One record per attached policy, in the order of first attachment: users, groups, roles, each listed in order.
    first: dict[tuple[str, str], PolicyAttachment] = {}
    for kind, field, name_key in PRINCIPALS:
        for principal in getattr(served, field):
            for a in attachments[kind].get(principal[name_key], []):
                first.setdefault((a.policy_type, a.policy_name), a)
    assert [(p["PolicyType"], p["PolicyName"]) for p in directory.policies] == list(first)
    listed = {(p["PolicyType"], p["PolicyName"]): p for p in served.policies}
    counts = Counter((a.policy_type, a.policy_name) for a in served.attachments)
    for record in directory.policies:
        key = (record["PolicyType"], record["PolicyName"])
        assert record["AttachDate"] == first[key].attach_date
        assert record["DefaultVersion"] == listed[key]["DefaultVersion"]
        if key[0] == "Custom":
            assert record["Policy"] == {**listed[key], "AttachmentCount": counts[key]}
        else:
            assert "Policy" not in record
        (default,) = [v for v in served.policy_versions[key] if v["VersionId"] == listed[key]["DefaultVersion"]]
        assert record["PolicyVersion"] == default


def recorded(recording: Path, action: str) -> list[tuple[dict, dict]]:
    """``(query, response body)`` of each call of ``action`` in a HAR recording (legacy V2 requests)."""
    answers = []
    for entry in json.loads(recording.read_text())["log"]["entries"]:
        query = {item["name"]: item["value"] for item in entry["request"]["queryString"]}
        if query.get("Action") == action:
            answers.append((query, json.loads(entry["response"]["content"]["text"])))
    return answers


def user(number: int) -> dict:
    return {"UserName": f"user-{number:05}", "UserId": f"2{number:017}", "DisplayName": f"User {number}"}


def test_get_account_is_one_sts_and_one_ram_call(alibaba_sandbox, connect):
    hook = connect(alibaba_sandbox)

    account = hook.get_account()

    assert account == alibaba_sandbox.account
    assert set(account) == {"AccountId", "AccountAlias"}
    assert [(r.product, r.action) for r in alibaba_sandbox.requests] == [
        ("sts", "GetCallerIdentity"),
        ("ram", "GetAccountAlias"),
    ]


def test_listings_are_complete_beyond_one_page(alibaba_sandbox_factory, connect):
    users = [user(n) for n in range(2345)]
    groups = [{"GroupName": f"group-{n:04}"} for n in range(1001)]
    roles = [{"RoleName": f"role-{n:04}", "RoleId": f"3{n:017}"} for n in range(1000)]
    memberships = [GroupMembership("group-0007", u["UserName"], "2024-01-01T00:00:00Z") for u in users[:1500]]
    served = ServedDirectory(users=users, groups=groups, roles=roles, memberships=memberships)
    sandbox = alibaba_sandbox_factory(ram=served)
    hook = connect(sandbox)

    assert list(hook.iter_users()) == users
    assert list(hook.iter_groups()) == groups
    assert list(hook.iter_roles()) == roles
    members = list(hook.iter_users_for_group("group-0007"))

    assert [m["UserName"] for m in members] == [u["UserName"] for u in users[:1500]]
    assert Counter(r.action for r in ram_calls(sandbox)) == {
        "ListUsers": 3,
        "ListGroups": 2,
        "ListRoles": 1,
        "ListUsersForGroup": 2,
    }
    listing = ram_calls(sandbox, "ListUsers")
    assert all(r.params["MaxItems"] == "1000" for r in ram_calls(sandbox))
    assert "Marker" not in listing[0].params
    assert len({r.params["Marker"] for r in listing[1:]}) == 2


def test_iter_policies_lists_one_type_completely(alibaba_sandbox_factory, connect):
    sandbox = alibaba_sandbox_factory("synthetic", 0, region_count=1, users=20, groups=2, roles=2, policies=40)
    hook = connect(sandbox)
    served = sandbox.ram.policies

    custom = list(hook.iter_policies("Custom"))
    system = list(hook.iter_policies("System"))

    assert [p["PolicyName"] for p in custom] == [p["PolicyName"] for p in served if p["PolicyType"] == "Custom"]
    assert [p["PolicyName"] for p in system] == [p["PolicyName"] for p in served if p["PolicyType"] == "System"]
    assert custom
    assert system
    assert [r.params["PolicyType"] for r in ram_calls(sandbox, "ListPolicies")] == ["Custom", "System"]


def test_read_directory_of_a_big_account_makes_exactly_the_calls_it_needs(alibaba_sandbox_factory, connect):
    sandbox = alibaba_sandbox_factory("synthetic", 0, region_count=1, users=1234, groups=25, roles=40, policies=60)
    served = sandbox.ram
    hook = connect(sandbox)

    directory = hook.read_directory()

    check_directory(directory, served)
    calls = Counter(r.action for r in ram_calls(sandbox))
    assert calls == expected_calls(served)
    assert calls["ListUsers"] == 2
    assert calls["GetPolicyVersion"] == len(directory.policies) == 60
    assert "ListEntitiesForPolicy" not in calls
    assert {r.product for r in sandbox.requests} == {"ram"}


@pytest.mark.parametrize(
    "wanted",
    [
        {"users": False, "groups": False, "roles": False, "policies": True},
        {"users": True, "groups": True, "roles": True, "policies": False},
        {"users": True, "groups": False, "roles": False, "policies": False},
        {"users": False, "groups": True, "roles": False, "policies": False},
        {"users": False, "groups": False, "roles": True, "policies": True},
    ],
    ids=["policies-only", "no-policies", "users-only", "groups-only", "roles-and-policies"],
)
def test_read_directory_asks_only_for_what_is_wanted(alibaba_sandbox_factory, connect, wanted):
    sandbox = alibaba_sandbox_factory("synthetic", 0, region_count=1, users=60, groups=8, roles=12, policies=20)
    served = sandbox.ram
    hook = connect(sandbox)

    directory = hook.read_directory(**wanted)

    check_directory(directory, served, **wanted)
    assert Counter(r.action for r in ram_calls(sandbox)) == expected_calls(served, **wanted)


def test_a_custom_policy_is_listed_once_and_only_when_one_is_attached(alibaba_sandbox_factory, connect):
    policies = [
        {"PolicyName": "ReadOnlyAccess", "PolicyType": "System", "DefaultVersion": "v6"},
        {
            "PolicyName": "ReadOnlyAccess",
            "PolicyType": "Custom",
            "DefaultVersion": "v2",
            "CreateDate": "2024-02-01T00:00:00Z",
        },
        {"PolicyName": "unattached", "PolicyType": "Custom", "DefaultVersion": "v1"},
    ]
    attachments = [
        PolicyAttachment("User", "user-00000", "System", "ReadOnlyAccess", "2024-03-01T00:00:00Z"),
        PolicyAttachment("Role", "role-1", "Custom", "ReadOnlyAccess", "2024-03-02T00:00:00Z"),
        PolicyAttachment("User", "user-00001", "System", "ReadOnlyAccess", "2024-03-03T00:00:00Z"),
    ]
    served = ServedDirectory(
        users=[user(0), user(1)], roles=[{"RoleName": "role-1"}], policies=policies, attachments=attachments
    )
    sandbox = alibaba_sandbox_factory(ram=served)
    hook = connect(sandbox)

    directory = hook.read_directory()

    check_directory(directory, sandbox.ram)
    # A custom policy may share a system policy's name: two records, each with its own version.
    assert [(p["PolicyType"], p["PolicyName"]) for p in directory.policies] == [
        ("System", "ReadOnlyAccess"),
        ("Custom", "ReadOnlyAccess"),
    ]
    assert [(r.params["PolicyType"], r.params["VersionId"]) for r in ram_calls(sandbox, "GetPolicyVersion")] in (
        [("System", "v6"), ("Custom", "v2")],
        [("Custom", "v2"), ("System", "v6")],
    )
    assert len(ram_calls(sandbox, "ListPolicies")) == 1

    sandbox.clear_requests()
    only_system = alibaba_sandbox_factory(
        ram=ServedDirectory(users=[user(0)], policies=policies[:1], attachments=attachments[:1])
    )
    connect(only_system).read_directory()
    assert not ram_calls(only_system, "ListPolicies"), "no custom policy attached: nothing to list"


def test_the_output_does_not_depend_on_concurrency(alibaba_sandbox_factory, connect):
    sandbox = alibaba_sandbox_factory("synthetic", 0, region_count=1, users=150, groups=10, roles=20, policies=30)
    sandbox.inject(Fault("latency", product="ram", action="ListPoliciesForUser", rate=0.3, delay=0.02))

    one_at_a_time = connect(sandbox, max_concurrent_calls=1).read_directory()
    sixteen = connect(sandbox, max_concurrent_calls=16).read_directory()

    assert one_at_a_time == sixteen
    check_directory(sixteen, sandbox.ram)


def test_per_item_calls_overlap_within_the_bound(alibaba_sandbox_factory, connect):
    sandbox = alibaba_sandbox_factory("synthetic", 0, region_count=1, users=40, groups=0, roles=0, policies=5)
    sandbox.inject(Fault("latency", product="ram", action="ListPoliciesForUser", delay=0.1))
    hook = connect(sandbox, max_concurrent_calls=4)

    started = time.monotonic()
    directory = hook.read_directory(groups=False, roles=False)
    elapsed = time.monotonic() - started

    assert len(directory.users) == 40
    assert elapsed >= math.ceil(40 / 4) * 0.1 * 0.95, "never more than 4 calls at once"
    assert elapsed < 40 * 0.1 / 2, "the calls do overlap"


def test_throttling_and_unavailability_are_retried(alibaba_sandbox_factory, connect):
    sandbox = alibaba_sandbox_factory("synthetic", 0, region_count=1, users=1100, groups=6, roles=8, policies=15)
    served = sandbox.ram
    sandbox.inject(Fault("throttle", product="ram", action="ListUsers", times=2, code="Throttling"))
    sandbox.inject(Fault("throttle", product="ram", action="ListPoliciesForUser", times=5))
    sandbox.inject(Fault("throttle", product="ram", action="GetPolicyVersion", times=2, retry_after_ms=20))
    sandbox.inject(Fault("error", product="ram", action="ListUsersForGroup", times=2, code="ServiceUnavailable"))
    sandbox.inject(Fault("throttle", product="sts", times=1, code="Throttling"))
    hook = connect(sandbox)

    account = hook.get_account()
    directory = hook.read_directory()

    assert account == sandbox.account
    check_directory(directory, served)
    assert Counter(r.code for r in sandbox.requests if r.code) == {
        "Throttling": 3,
        "Throttling.User": 7,
        "ServiceUnavailable": 2,
    }
    answered = Counter(r.action for r in ram_calls(sandbox) if r.code is None)
    assert answered == expected_calls(served) + Counter({"GetAccountAlias": 1})


def test_a_denied_call_fails_the_read_at_once(alibaba_sandbox_factory, connect):
    sandbox = alibaba_sandbox_factory(
        "synthetic", 0, region_count=1, users=30, groups=5, roles=5, policies=8, denied=["ram:ListPoliciesForGroup"]
    )
    hook = connect(sandbox, policy=RetryPolicy(max_attempts=8, initial_delay=5))

    started = time.monotonic()
    with pytest.raises(AlibabaAuthorizationError, match=r"RAM ListPoliciesForGroup \(global\)") as raised:
        hook.read_directory()
    # Without the policies, the same credentials read the rest.
    directory = hook.read_directory(policies=False)

    assert time.monotonic() - started < 5, "no retry of a denied call"
    assert (raised.value.code, raised.value.product, raised.value.region) == ("NoPermission", "RAM", None)
    assert "AliyunRAMReadOnlyAccess" in str(raised.value)
    check_directory(directory, sandbox.ram, policies=False)


def test_get_policy_version_of_a_missing_version_is_not_retried(alibaba_sandbox, connect):
    policy = next(p for p in alibaba_sandbox.ram.policies if p["PolicyType"] == "Custom")
    hook = connect(alibaba_sandbox)

    version = hook.get_policy_version(policy["PolicyName"], "Custom", policy["DefaultVersion"])
    with pytest.raises(AlibabaApiError, match=r"EntityNotExist\.PolicyVersion") as raised:
        hook.get_policy_version(policy["PolicyName"], "Custom", "v999")

    assert version["VersionId"] == policy["DefaultVersion"]
    assert json.loads(version["PolicyDocument"])
    assert raised.value.action == "GetPolicyVersion"
    assert len(ram_calls(alibaba_sandbox, "GetPolicyVersion")) == 2


def test_recorded_answers_come_back_as_records(alibaba_sandbox_factory, connect, shared_fixtures):
    folder = shared_fixtures / "graph-alibaba-cloud" / "recordings"
    sandbox = alibaba_sandbox_factory("from_files", *(folder / name for name in RAM_RECORDINGS))
    hook = connect(sandbox)

    account = hook.get_account()
    directory = hook.read_directory()

    ((_, alias),) = recorded(folder / "fetch-account_4032489637.har", "GetAccountAlias")
    assert account["AccountAlias"] == alias["AccountAlias"]
    ((_, users),) = recorded(folder / "fetch-ram-users-policies_1443975328.har", "ListUsers")
    assert [without_enrichment(u) for u in directory.users] == users["Users"]["User"]
    for query, answer in recorded(folder / "fetch-ram-users-policies_1443975328.har", "ListPoliciesForUser"):
        (record,) = [u for u in directory.users if u["UserName"] == query["UserName"]]
        assert record.get("Policies", {"Policy": []}) == answer["Policies"]
    for query, answer in recorded(folder / "fetch-ram-roles-policies_1761681307.har", "ListPoliciesForRole"):
        (record,) = [r for r in directory.roles if r["RoleName"] == query["RoleName"]]
        assert record["Policies"] == answer["Policies"]
    ((_, members),) = recorded(folder / "build-group-and-user-relationships_4057229285.har", "ListUsersForGroup")
    assert directory.groups[0]["Users"] == members["Users"]
    names = [p["PolicyName"] for p in directory.policies]
    assert len(names) == len(set(names)) == 9
    assert names[0] == "AdministratorAccess", "first attached to the first user listed"
    check_directory(directory, sandbox.ram)


def test_test_connection_reports_the_account_and_a_denied_call(alibaba_sandbox, connect):
    ok, message = connect(alibaba_sandbox).test_connection()
    assert ok
    assert alibaba_sandbox.account["AccountId"] in message

    alibaba_sandbox.deny("ram:GetAccountAlias")
    ok, message = connect(alibaba_sandbox).test_connection()
    assert not ok
    assert "RAM GetAccountAlias (global)" in message
    assert "NoPermission" in message
