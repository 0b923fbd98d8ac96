"""The listings the fetch step runs: which hook call gives which resource types' records, per region or once.

A listing is the unit that succeeds or fails as a whole: one region of ECS instances, one region of VPCs,
the account, or the whole of RAM (users, groups, roles and policies are read together, as policies are
only known through their attachments).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

from alibaba_jupiterone.errors import ConfigurationError
from alibaba_jupiterone.graph import (
    ACCOUNT,
    ECS_INSTANCE,
    RAM_GROUP,
    RAM_POLICY,
    RAM_ROLE,
    RAM_USER,
    RESOURCE_TYPES,
    VPC,
)
from alibaba_jupiterone.hooks.alibaba_ecs import AlibabaEcsHook
from alibaba_jupiterone.hooks.alibaba_ram import AlibabaRamHook
from alibaba_jupiterone.hooks.alibaba_vpc import AlibabaVpcHook
from alibaba_jupiterone.hooks.retry import RetryPolicy
from alibaba_jupiterone.pipeline.manifest import GLOBAL

Records = dict[str, Iterable[dict[str, Any]]]
"""``_type`` -> the raw records of that type one listing gave."""

_RAM_TYPES = frozenset(resource.type for resource in (RAM_USER, RAM_GROUP, RAM_ROLE, RAM_POLICY))

ALL_TYPES: tuple[str, ...] = tuple(resource.type for resource in RESOURCE_TYPES)
"""Every resource ``_type`` the provider can sync: the default of an account's ``resources``."""


@dataclass(frozen=True)
class Listing:
    """One unit of reading: the wanted ``types`` of one ``scope`` (a region id, or ``global``)."""

    product: str
    scope: str
    types: tuple[str, ...]
    read: Callable[[], Records]

    @property
    def name(self) -> str:
        """For logs and errors, e.g. ``vpc in cn-hangzhou``."""
        return self.product if self.scope == GLOBAL else f"{self.product} in {self.scope}"


@dataclass(frozen=True)
class RegionalProduct:
    """A product read region by region: its name, the types it lists, and the call that lists its regions."""

    name: str
    types: tuple[str, ...]
    list_regions: Callable[[], list[str]]


class AlibabaCloud:
    """The Alibaba Cloud hooks of one connection, and the listings they give for the wanted resource types.

    :param conn_id: the ``alibaba_cloud`` connection.
    :param resources: the ``_type`` names to sync (default: all of them).
    :param retry: how the hooks retry transient failures (default: the connection's).
    """

    def __init__(self, conn_id: str, resources: Iterable[str] = ALL_TYPES, *, retry: RetryPolicy | None = None) -> None:
        self.resources = check_resources(resources)
        self.ecs = AlibabaEcsHook(conn_id, retry=retry)
        self.vpc = AlibabaVpcHook(conn_id, retry=retry)
        self.ram = AlibabaRamHook(conn_id, retry=retry)

    def regional_products(self) -> list[RegionalProduct]:
        """The wanted regional products."""
        # A region of the connection's allow-list that one product lacks (a local region without VPC)
        # is that product's to skip; plan() checks that some product has it.
        products = (
            RegionalProduct("ecs", (ECS_INSTANCE.type,), partial(self.ecs.list_regions, strict=False)),
            RegionalProduct("vpc", (VPC.type,), partial(self.vpc.list_regions, strict=False)),
        )
        return [product for product in products if product.types[0] in self.resources]

    def global_listings(self) -> Iterator[Listing]:
        """The listings read once per account."""
        if ACCOUNT.type in self.resources:
            yield Listing("account", GLOBAL, (ACCOUNT.type,), lambda: {ACCOUNT.type: [self.ram.get_account()]})
        ram_types = tuple(name for name in self.resources if name in _RAM_TYPES)
        if ram_types:
            yield Listing("ram", GLOBAL, ram_types, lambda: self._read_ram(ram_types))

    @property
    def allowed_regions(self) -> tuple[str, ...]:
        """The connection's ``regions`` allow-list (empty: every region)."""
        return self.ecs.settings.regions

    def regional_listing(self, product: str, region: str) -> Listing:
        """The listing of ``product`` (``ecs`` or ``vpc``) in ``region``."""
        if product == "ecs":
            return Listing("ecs", region, (ECS_INSTANCE.type,), lambda: self._read_instances(region))
        return Listing("vpc", region, (VPC.type,), lambda: {VPC.type: self.vpc.iter_vpcs(region)})

    def _read_instances(self, region: str) -> Records:
        # Real ECS answers a RAM user without permission with an empty list: check first.
        self.ecs.check_permission(region)
        return {ECS_INSTANCE.type: self.ecs.iter_instances(region)}

    def _read_ram(self, types: tuple[str, ...]) -> Records:
        directory = self.ram.read_directory(
            users=RAM_USER.type in types,
            groups=RAM_GROUP.type in types,
            roles=RAM_ROLE.type in types,
            policies=RAM_POLICY.type in types,
        )
        records = {
            RAM_USER.type: directory.users,
            RAM_GROUP.type: directory.groups,
            RAM_ROLE.type: directory.roles,
            RAM_POLICY.type: directory.policies,
        }
        return {type_name: records[type_name] for type_name in types}


def check_resources(resources: Iterable[str]) -> tuple[str, ...]:
    """``resources`` checked against the registered ``_type`` names, in registry order.

    :raises ConfigurationError: naming an unknown type and the known ones, or when there is none.
    """
    wanted = list(resources)
    unknown = [name for name in wanted if name not in ALL_TYPES]
    if unknown:
        raise ConfigurationError(
            f"Unknown resource type(s) {', '.join(map(repr, unknown))}; known: {', '.join(ALL_TYPES)}."
        )
    if not wanted:
        raise ConfigurationError(f"No resource type to sync; known: {', '.join(ALL_TYPES)}.")
    return tuple(name for name in ALL_TYPES if name in wanted)
