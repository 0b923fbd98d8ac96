"""A seeded synthetic RAM directory: users, groups, roles, policies with versions, and how they are tied.

Items have the shapes of real answers: user and role items as recorded (some users with ``Email`` and
``MobilePhone``, newer role items with ``Tags``), system policies named and described as Alibaba's
are, custom policies with several versions whose default is not always the latest.
"""

from __future__ import annotations

import json
import random
import string
from datetime import datetime, timedelta

from alibaba_jupiterone.sandbox.alibaba.ram.directory import (
    GroupMembership,
    PolicyAttachment,
    PrincipalType,
    RamDirectory,
)

_DATE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_START = datetime(2019, 1, 1)
_END = datetime(2025, 9, 1)
_FIRST_NAMES = (
    "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory", "oscar",
    "peggy", "rupert", "sybil", "trent", "victor", "walter", "wei", "fang", "lei", "min", "jing", "tao",
)  # fmt: skip
_LAST_NAMES = (
    "smith", "jones", "garcia", "miller", "davis", "lopez", "wilson", "moore", "wang", "li", "zhang", "liu",
    "chen", "yang", "zhao", "huang", "zhou", "wu",
)  # fmt: skip
_CHINESE_SURNAMES = {"wang": "王", "li": "李", "zhang": "张", "liu": "刘", "chen": "陈", "yang": "杨", "zhao": "赵"}
_CHINESE_GIVEN_NAMES = {"wei": "伟", "fang": "芳", "lei": "磊", "min": "敏", "jing": "静", "tao": "涛"}
_SERVICE_USERS = ("terraform", "ci-deployer", "backup-agent", "log-shipper", "jupiterone-reader")
_TEAMS = ("developers", "ops", "security", "finance", "data-platform", "sre", "qa", "support", "auditors", "network")
_GROUP_COMMENTS = ("", "", "Managed by Terraform", "只读审计组", "on-call engineers")
_ROLE_PURPOSES = ("ecs-admin", "k8s-worker", "fc-invoker", "log-reader", "oss-uploader", "cross-account-audit")
_LINKED_SERVICES = (
    ("Alb", "Alb"),
    ("AutoScaling", "弹性伸缩"),
    ("CloudMonitor", "CloudMonitor"),
    ("ECI", "Elastic Container Instance"),
    ("Natgw", "NAT Gateway"),
    ("Vpn", "VPNGateway"),
    ("CSK", "Container Service"),
    ("ResourceDirectory", "资源目录"),
)
# (product code in policy names, RAM service name, what it is called in descriptions)
_SERVICES = (
    ("ECS", "ecs", "云服务器服务(ECS)"),
    ("VPC", "vpc", "专有网络(VPC)"),
    ("RDS", "rds", "云数据库服务(RDS)"),
    ("OSS", "oss", "对象存储服务(OSS)"),
    ("RAM", "ram", "访问控制(RAM)"),
    ("SLB", "slb", "负载均衡服务(SLB)"),
    ("CloudMonitor", "cms", "云监控(CloudMonitor)"),
    ("Log", "log", "日志服务(Log)"),
    ("KMS", "kms", "密钥管理服务(KMS)"),
    ("ContainerRegistry", "cr", "容器镜像服务(CR)"),
    ("CS", "cs", "容器服务(CS)"),
    ("FC", "fc", "函数计算(FC)"),
    ("DNS", "alidns", "云解析(DNS)"),
    ("CDN", "cdn", "CDN"),
    ("ActionTrail", "actiontrail", "操作审计(ActionTrail)"),
    ("NAS", "nas", "文件存储(NAS)"),
    ("ESS", "ess", "弹性伸缩(ESS)"),
    ("KVStore", "kvstore", "云数据库Redis版"),
    ("MNS", "mns", "消息服务(MNS)"),
    ("Yundun", "yundun", "云盾"),
    ("BSS", "bss", "费用中心(BSS)"),
    ("ALB", "alb", "应用型负载均衡(ALB)"),
    ("EIP", "eip", "弹性公网IP(EIP)"),
    ("NAT", "vpc", "NAT网关"),
    ("CEN", "cen", "云企业网(CEN)"),
    ("ARMS", "arms", "应用实时监控服务(ARMS)"),
    ("PolarDB", "polardb", "云数据库PolarDB"),
    ("Elasticsearch", "elasticsearch", "检索分析服务Elasticsearch版"),
    ("DTS", "dts", "数据传输服务(DTS)"),
    ("Config", "config", "配置审计(Config)"),
)
_CUSTOM_PURPOSES = ("deploy", "read-only", "billing", "break-glass", "ci", "backup", "audit", "network-admin")
_SHARE_OF_SYSTEM_POLICIES = 0.4
_GROUPS_PER_USER = ((0, 1, 2, 3), (30, 40, 20, 10))
_ID_CHARACTERS = string.ascii_letters + string.digits


def synthetic_directory(
    rng: random.Random, account_id: str, *, users: int, groups: int, roles: int, policies: int
) -> RamDirectory:
    """A directory of that many users, groups, roles and attached policies (plus a few unattached ones).

    Every attached policy is attached to at least one principal; users are in zero to three
    groups, some have an MFA device or an ``Email``. Dates are consistent: nothing is attached,
    joined or activated before both sides exist.
    """
    for name, count in {"users": users, "groups": groups, "roles": roles, "policies": policies}.items():
        if count < 0:
            raise ValueError(f"{name} must not be negative, got {count}")
    if policies and not users + groups + roles:
        raise ValueError("attached policies need at least one user, group or role")
    user_items = _users(rng, users)
    group_items = _groups(rng, groups)
    role_items = _roles(rng, roles, account_id)
    policy_items, versions, attached = _policies(rng, policies, account_id)
    principals: list[tuple[PrincipalType, dict]] = [
        *(("User", item) for item in user_items),
        *(("Group", item) for item in group_items),
        *(("Role", item) for item in role_items),
    ]
    return RamDirectory(
        users=user_items,
        groups=group_items,
        roles=role_items,
        policies=policy_items,
        policy_versions=versions,
        attachments=_attachments(rng, principals, attached),
        memberships=_memberships(rng, user_items, group_items),
        mfa_devices=_mfa_devices(rng, user_items, account_id),
    )


def _users(rng: random.Random, count: int) -> list[dict]:
    taken: set[str] = set()
    items = []
    for index in range(count):
        if rng.random() < 0.1:
            name = _unique(rng.choice(_SERVICE_USERS), taken)
            display = name
        else:
            first, last = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
            name = _unique(f"{first}.{last}", taken)
            chinese = _CHINESE_SURNAMES.get(last, "") + _CHINESE_GIVEN_NAMES.get(first, "")
            display = chinese if len(chinese) == 2 and rng.random() < 0.7 else f"{first.title()} {last.title()}"
        created = _date_between(rng, _START, _END)
        item = {
            "UpdateDate": _format(_date_between(rng, created, _END)),
            "UserName": name,
            "UserId": str(200_000_000_000_000_000 + index * 7_919_000_000 + rng.randrange(7_919_000_000)),
            "Comments": rng.choice(("", "", "", "contractor", "由运维平台创建")),
            "DisplayName": display,
            "CreateDate": _format(created),
        }
        if rng.random() < 0.4:
            item["Email"] = f"{name}@example.com"
        if rng.random() < 0.15:
            item["MobilePhone"] = f"86-139{rng.randrange(10**8):08d}"
        items.append(item)
    return items


def _groups(rng: random.Random, count: int) -> list[dict]:
    taken: set[str] = set()
    items = []
    for _ in range(count):
        created = _date_between(rng, _START, _END)
        items.append(
            {
                "GroupName": _unique(rng.choice(_TEAMS), taken),
                "UpdateDate": _format(_date_between(rng, created, _END)),
                "Comments": rng.choice(_GROUP_COMMENTS),
                "CreateDate": _format(created),
                "GroupId": "g-" + "".join(rng.choices(_ID_CHARACTERS, k=16)),
            }
        )
    return items


def _roles(rng: random.Random, count: int, account_id: str) -> list[dict]:
    taken: set[str] = set()
    items = []
    for index in range(count):
        created = _date_between(rng, _START, _END)
        linked = _LINKED_SERVICES[index] if index < len(_LINKED_SERVICES) and rng.random() < 0.5 else None
        if linked:
            name = _unique(f"AliyunServiceRoleFor{linked[0]}", taken)
            description = (
                f"Service Linked Role for {linked[0]}. {linked[1]} will use this role to access your resources "
                "in other services."
            )
        else:
            name = _unique(f"{rng.choice(_ROLE_PURPOSES)}-role", taken)
            description = rng.choice(("", "assumed by CI", "跨账号审计角色"))
        item = {
            "UpdateDate": _format(_date_between(rng, created, _END)),
            "MaxSessionDuration": rng.choice((3600, 3600, 3600, 43200)),
            "RoleName": name,
            "Description": description,
            "Arn": f"acs:ram::{account_id}:role/{name.lower()}",
            "CreateDate": _format(created),
            "RoleId": str(300_000_000_000_000_000 + index * 7_919_000_000 + rng.randrange(7_919_000_000)),
        }
        if rng.random() < 0.5:  # the newer, fuller shape
            tags = [{"TagKey": "owner", "TagValue": rng.choice(_TEAMS)}] if rng.random() < 0.5 else []
            item |= {"AllowConsoleLogin": rng.random() < 0.1, "Tags": {"Tag": tags}}
        items.append(item)
    return items


def _policies(rng: random.Random, attached: int, account_id: str) -> tuple[list[dict], dict, list[dict]]:
    """Policies with their versions, and which of them to attach: ``attached`` system and custom ones.

    A tenth as many custom policies (at least one) stay unattached.
    """
    system_names = ["AdministratorAccess", "ReadOnlyAccess"] + [
        f"Aliyun{code}{level}" for code, _, _ in _SERVICES for level in ("FullAccess", "ReadOnlyAccess")
    ]
    system_count = min(len(system_names), round(attached * _SHARE_OF_SYSTEM_POLICIES))
    custom_count = attached - system_count + (attached // 10 or (1 if attached else 0))
    items: list[dict] = []
    versions: dict[tuple[str, str], list[dict]] = {}
    for name in rng.sample(system_names, system_count):
        item, item_versions = _system_policy(rng, name)
        items.append(item)
        versions[("System", name)] = item_versions
    taken: set[str] = set()
    for _ in range(custom_count):
        item, item_versions = _custom_policy(rng, taken, account_id)
        items.append(item)
        versions[("Custom", item["PolicyName"])] = item_versions
    attached_items = items[:attached]
    rng.shuffle(items)
    return items, versions, attached_items


def _system_policy(rng: random.Random, name: str) -> tuple[dict, list[dict]]:
    service = next(((code, ram, label) for code, ram, label in _SERVICES if name.startswith(f"Aliyun{code}")), None)
    if service is None:
        full = name == "AdministratorAccess"
        actions = ["*"] if full else ["*:Describe*", "*:List*", "*:Get*", "*:Query*", "*:BatchGet*"]
        description = "管理所有阿里云资源的权限" if full else "只读访问所有阿里云资源的权限"
    elif name.endswith("FullAccess"):
        actions, description = [f"{service[1]}:*"], f"管理{service[2]}的权限"
    else:
        actions = [f"{service[1]}:Describe*", f"{service[1]}:List*", f"{service[1]}:Get*"]
        description = f"只读访问{service[2]}的权限"
    created = _date_between(rng, datetime(2015, 6, 1), _START)
    count = rng.randint(1, 5)
    dates = sorted(_date_between(rng, created, _END) for _ in range(count - 1))
    documents = [{"Version": "1", "Statement": [{"Action": actions, "Resource": "*", "Effect": "Allow"}]}] * count
    item = {
        "PolicyType": "System",
        "Description": description,
        "DefaultVersion": f"v{count}",
        "PolicyName": name,
        "CreateDate": _format(created),
        "UpdateDate": _format(dates[-1] if dates else created),
    }
    return item, _versions([created, *dates], documents, default=count, indent=4)


def _custom_policy(rng: random.Random, taken: set[str], account_id: str) -> tuple[dict, list[dict]]:
    name = _unique(f"{rng.choice(_TEAMS)}-{rng.choice(_CUSTOM_PURPOSES)}", taken)
    created = _date_between(rng, _START, _END)
    count = rng.choice((1, 1, 2, 3, 4))
    dates = sorted(_date_between(rng, created, _END) for _ in range(count - 1))
    documents = [_custom_document(rng, account_id) for _ in range(count)]
    default = count if rng.random() < 0.7 else rng.randint(1, count)
    item = {
        "PolicyType": "Custom",
        "Description": rng.choice(("", "", "deploy pipeline access", "财务只读", "emergency access, audited")),
        "DefaultVersion": f"v{default}",
        "PolicyName": name,
        "CreateDate": _format(created),
        "UpdateDate": _format(dates[-1] if dates else created),
    }
    if rng.random() < 0.3:
        item["Tags"] = {"Tag": [{"TagKey": "owner", "TagValue": rng.choice(_TEAMS)}]}
    return item, _versions([created, *dates], documents, default=default, indent=rng.choice((None, 2)))


def _custom_document(rng: random.Random, account_id: str) -> dict:
    statements = []
    for _ in range(rng.randint(1, 3)):
        _, ram_name, _ = rng.choice(_SERVICES)
        statement: dict = {
            "Effect": "Deny" if rng.random() < 0.15 else "Allow",
            "Action": [f"{ram_name}:{verb}" for verb in rng.sample(("Describe*", "List*", "Get*", "Create*", "*"), 2)],
            "Resource": rng.choice(("*", f"acs:{ram_name}:*:{account_id}:*")),
        }
        if rng.random() < 0.3:
            statement["Condition"] = {"IpAddress": {"acs:SourceIp": ["192.0.2.0/24", "198.51.100.7"]}}
        statements.append(statement)
    return {"Version": "1", "Statement": statements}


def _versions(dates: list[datetime], documents: list[dict], default: int, indent: int | None) -> list[dict]:
    return [
        {
            "VersionId": f"v{number}",
            "IsDefaultVersion": number == default,
            "CreateDate": _format(date),
            "PolicyDocument": json.dumps(document, indent=indent, ensure_ascii=False),
        }
        for number, (date, document) in enumerate(zip(dates, documents, strict=True), start=1)
    ]


def _attachments(
    rng: random.Random, principals: list[tuple[PrincipalType, dict]], policies: list[dict]
) -> list[PolicyAttachment]:
    """Each policy attached to one principal, some to a few more (never twice to the same one)."""
    attachments = []
    name_keys = {"User": "UserName", "Group": "GroupName", "Role": "RoleName"}
    for policy in policies:
        extra = 0
        while extra < len(principals) - 1 and rng.random() < 0.45:
            extra += 1
        for principal_type, principal in rng.sample(principals, 1 + extra):
            since = max(_parse(principal["CreateDate"]), _parse(policy["CreateDate"]))
            attachments.append(
                PolicyAttachment(
                    principal_type,
                    principal[name_keys[principal_type]],
                    policy["PolicyType"],
                    policy["PolicyName"],
                    _format(_date_between(rng, since, _END)),
                )
            )
    return attachments


def _memberships(rng: random.Random, users: list[dict], groups: list[dict]) -> list[GroupMembership]:
    memberships = []
    for user in users:
        count = min(len(groups), rng.choices(*_GROUPS_PER_USER)[0])
        for group in rng.sample(groups, count):
            since = max(_parse(user["CreateDate"]), _parse(group["CreateDate"]))
            memberships.append(
                GroupMembership(group["GroupName"], user["UserName"], _format(_date_between(rng, since, _END)))
            )
    return memberships


def _mfa_devices(rng: random.Random, users: list[dict], account_id: str) -> list[dict]:
    return [
        {
            "SerialNumber": f"acs:ram::{account_id}:mfa/{user['UserName']}",
            "ActivateDate": _format(_date_between(rng, _parse(user["CreateDate"]), _END)),
            "User": {"UserName": user["UserName"], "UserId": user["UserId"], "DisplayName": user["DisplayName"]},
        }
        for user in users
        if rng.random() < 0.35
    ]


def _unique(name: str, taken: set[str]) -> str:
    candidate, number = name, 1
    while candidate in taken:
        number += 1
        candidate = f"{name}{number}"
    taken.add(candidate)
    return candidate


def _date_between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    span = max(int((end - start).total_seconds()), 0)
    return start + timedelta(seconds=rng.randint(0, span))


def _format(moment: datetime) -> str:
    return moment.strftime(_DATE_FORMAT)


def _parse(text: str) -> datetime:
    return datetime.strptime(text, _DATE_FORMAT)
