"""``AlibabaCloudSandbox``: one local HTTP server speaking the OpenAPI of ECS, VPC, RAM and STS."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from os import PathLike
from typing import Any

from alibaba_jupiterone.sandbox.alibaba.auth import DEFAULT_CREDENTIAL, Authenticator, Credential
from alibaba_jupiterone.sandbox.alibaba.ecs.fleet import Fleet
from alibaba_jupiterone.sandbox.alibaba.ecs.regions import default_regions
from alibaba_jupiterone.sandbox.alibaba.faults import Fault
from alibaba_jupiterone.sandbox.alibaba.gateway import Gateway, RequestRecord
from alibaba_jupiterone.sandbox.alibaba.permissions import Permissions
from alibaba_jupiterone.sandbox.alibaba.ram.directory import Directory, GroupMembership, RamDirectory
from alibaba_jupiterone.sandbox.alibaba.recordings import load_world
from alibaba_jupiterone.sandbox.alibaba.snapshots import json_copy
from alibaba_jupiterone.sandbox.alibaba.synthetic import synthetic_world
from alibaba_jupiterone.sandbox.alibaba.vpc.network import Network
from alibaba_jupiterone.sandbox.alibaba.vpc.regions import default_vpc_regions, made_up_vpc_region
from alibaba_jupiterone.sandbox.alibaba.world import Account, World
from alibaba_jupiterone.sandbox.faults import FaultPlan
from alibaba_jupiterone.sandbox.serving import HttpSandbox

_DATE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


class AlibabaCloudSandbox(HttpSandbox):
    """A local endpoint of ECS, VPC, RAM and STS for the real SDKs: signatures, paging, errors, faults.

    Requests are routed on (API version, action): ECS ``2014-05-26``, VPC ``2016-04-28``, RAM
    ``2015-05-01``, STS ``2015-04-01``. Point each product's client at it with
    ``Config(access_key_id=..., access_key_secret=..., endpoint=sandbox.endpoint, protocol="http")``,
    or an Airflow connection built from :meth:`connection_extra`. Use as a context manager, or call
    :meth:`start` and :meth:`stop`. Every method is thread-safe.
    """

    def __init__(
        self,
        *,
        regions: Iterable[Mapping[str, Any]] | None = None,
        instances: Mapping[str, Iterable[Mapping[str, Any]]] | None = None,
        vpc_regions: Iterable[Mapping[str, Any]] | None = None,
        vpcs: Mapping[str, Iterable[Mapping[str, Any]]] | None = None,
        vpc_attributes: Mapping[str, Mapping[str, Any]] | None = None,
        ram: RamDirectory | None = None,
        account: Mapping[str, str] | None = None,
        credentials: Iterable[Credential] = (DEFAULT_CREDENTIAL,),
        forbidden_regions: Iterable[str] = (),
        denied: Iterable[str] = (),
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int = 0,
    ) -> None:
        """Serve the given world; everything not given is empty (regions: the real lists).

        - ``regions``/``instances``: ECS DescribeRegions items, and region id -> DescribeInstances items;
        - ``vpc_regions``: VPC DescribeRegions items (default: the real list, plus a made-up entry
          for any region of ``vpcs`` it lacks); ``vpcs``: region id -> DescribeVpcs items;
          ``vpc_attributes``: VpcId -> DescribeVpcAttribute answer (derived from the item when absent);
        - ``ram``: the RAM :class:`RamDirectory`; ``account``: ``{"AccountId", "AccountAlias"}``
          (an absent alias is the id, as GetAccountAlias answers then).

        Records are served exactly as given. Only ``credentials`` may sign requests. In
        ``forbidden_regions`` the caller's ECS listings are empty and DryRun answers
        ``Forbidden.RAM`` (as ECS did for RAM users before its Dec. 2025 change). ``denied``
        actions (``"vpc:DescribeVpcs"``, ``"ram:ListUsers"``, ``"ecs:DescribeInstances@cn-beijing"``)
        answer the product's no-permission error. ``seed`` drives the RNG of rate-based faults.
        """
        vpcs = vpcs or {}
        ecs_regions = default_regions() if regions is None else list(regions)
        self._world = World(
            Fleet(ecs_regions, instances or {}, forbidden_regions),
            Network(_vpc_regions(vpc_regions, vpcs, ecs_regions), vpcs, vpc_attributes or {}),
            Directory(ram or RamDirectory()),
            Account.of(account),
        )
        self._credentials = tuple(credentials)
        self._faults: FaultPlan[Fault] = FaultPlan(seed)
        self._permissions = Permissions(denied)
        self._gateway = Gateway(self._world, Authenticator(self._credentials), self._faults, self._permissions)
        super().__init__(self._gateway.respond, name="AlibabaCloudSandbox", host=host, port=port)

    @classmethod
    def synthetic(
        cls,
        instance_count: int,
        region_count: int = 20,
        seed: int = 0,
        *,
        users: int | None = None,
        groups: int | None = None,
        roles: int | None = None,
        policies: int | None = None,
        vpcs_per_region: int | None = None,
        **kwargs: Any,
    ) -> AlibabaCloudSandbox:
        """A sandbox serving a seeded synthetic world (see :func:`~.synthetic.synthetic_world`).

        ``instance_count`` ECS instances over ``region_count`` regions, each region with VPCs (1 to 3,
        or ``vpcs_per_region``) that hold its instances; ``users``, ``groups``, ``roles`` and attached
        ``policies`` in RAM (small defaults when not given). Other keyword arguments go to the constructor.
        """
        counts = {"users": users, "groups": groups, "roles": roles, "policies": policies}
        world = synthetic_world(
            instance_count,
            region_count,
            seed,
            vpcs_per_region=vpcs_per_region,
            **{name: count for name, count in counts.items() if count is not None},
        )
        return cls(**{**world, "seed": seed, **kwargs})

    @classmethod
    def from_files(cls, *paths: str | PathLike, **kwargs: Any) -> AlibabaCloudSandbox:
        """A sandbox serving what HAR recordings or JSON files hold (see :func:`~.recordings.load_world`).

        Keyword arguments go to the constructor and win over what the files give.
        """
        return cls(**{**load_world(*paths), **kwargs})

    @property
    def endpoint(self) -> str:
        """``host:port`` to give every product's SDK as ``endpoint`` (with ``protocol="http"``)."""
        host, port = self._bound_address
        return f"{host}:{port}"

    # --- ECS -----------------------------------------------------------------------------------

    @property
    def region_ids(self) -> list[str]:
        """The ids of the ECS regions, in DescribeRegions order."""
        return self._world.fleet.region_ids

    def instances(self, region_id: str) -> list[dict]:
        """Copies of the instance records of ``region_id``."""
        return json_copy(list(self._world.fleet.view(region_id)[0]))

    def instance_count(self) -> int:
        """Number of instances over all regions."""
        return self._world.fleet.count()

    def add_instances(self, region_id: str, records: Iterable[Mapping[str, Any]]) -> None:
        """Add instance records (copied, served exactly as given) to ``region_id``."""
        self._world.fleet.add(region_id, records)

    def remove_instances(self, instance_ids: Iterable[str]) -> None:
        """Remove instances by ``InstanceId``; ``KeyError`` if one is unknown."""
        self._world.fleet.remove(instance_ids)

    def forbid_region(self, region_id: str) -> None:
        """Deny the caller ECS in ``region_id``: listings come back empty, DryRun answers ``Forbidden.RAM``."""
        self._world.fleet.forbid(region_id)

    def allow_region(self, region_id: str) -> None:
        """Undo :meth:`forbid_region`."""
        self._world.fleet.allow(region_id)

    # --- VPC -----------------------------------------------------------------------------------

    @property
    def vpc_region_ids(self) -> list[str]:
        """The ids of the VPC product's regions, in its DescribeRegions order."""
        return self._world.network.region_ids

    def vpcs(self, region_id: str) -> list[dict]:
        """Copies of the DescribeVpcs items of ``region_id``."""
        return json_copy(list(self._world.network.view(region_id)))

    def vpc_attribute(self, vpc_id: str) -> dict:
        """A copy of the DescribeVpcAttribute answer (without ``RequestId``) of ``vpc_id``; ``KeyError`` if unknown."""
        network = self._world.network
        for region_id in network.region_ids:
            attribute = network.attribute(region_id, vpc_id)
            if attribute is not None:
                return json_copy(attribute)
        raise KeyError(f"unknown VPC {vpc_id!r}")

    def add_vpcs(
        self,
        region_id: str,
        items: Iterable[Mapping[str, Any]],
        attributes: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        """Add DescribeVpcs items to ``region_id``, and DescribeVpcAttribute answers by VpcId (else derived)."""
        self._world.network.add(region_id, items)
        self._world.network.set_attributes(attributes or {})

    def remove_vpcs(self, vpc_ids: Iterable[str], *, with_instances: bool = False) -> None:
        """Remove VPCs by ``VpcId``; ``KeyError`` if one is unknown.

        As the real API refuses to delete a VPC that still holds instances, so does this
        (``ValueError`` naming them), unless ``with_instances`` removes those instances too.
        """
        vpc_ids = list(vpc_ids)
        unknown = set(vpc_ids) - set(self._world.network.vpc_ids())
        if unknown:
            raise KeyError(f"unknown VPC ids: {sorted(unknown)}")
        inside = self._world.fleet.instance_ids_in(vpc_ids)
        if inside and not with_instances:
            raise ValueError(f"the VPCs still hold instances {inside[:10]}; remove them first or pass with_instances")
        if inside:
            self._world.fleet.remove(inside)
        self._world.network.remove(vpc_ids)

    # --- RAM and the account -------------------------------------------------------------------

    @property
    def ram(self) -> RamDirectory:
        """A deep copy of the RAM directory as it is now."""
        return self._world.directory.snapshot()

    @property
    def account(self) -> dict[str, str]:
        """``{"AccountId", "AccountAlias"}`` of the account served."""
        return self._world.account.as_dict()

    def add_user_to_group(self, group_name: str, user_name: str, join_date: str | None = None) -> None:
        """Put a user in a group (since ``join_date``, default now); ``KeyError`` for an unknown name."""
        join_date = join_date or datetime.now(timezone.utc).strftime(_DATE_FORMAT)
        self._world.directory.add_membership(GroupMembership(group_name, user_name, join_date))

    def remove_user_from_group(self, group_name: str, user_name: str) -> None:
        """Take a user out of a group; ``KeyError`` if the user is not in it."""
        self._world.directory.remove_membership(group_name, user_name)

    def remove_users(self, user_names: Iterable[str]) -> None:
        """Delete RAM users with their group memberships, policy attachments and MFA devices."""
        self._world.directory.remove_users(user_names)

    # --- permissions, faults, the request log ---------------------------------------------------

    def deny(self, spec: str) -> None:
        """Refuse an action from now on: ``"<product>:<Action>"`` or ``"<product>:<Action>@<RegionId>"``."""
        self._permissions.deny(spec)

    def allow(self, spec: str) -> None:
        """Undo :meth:`deny` of exactly this spec."""
        self._permissions.allow(spec)

    @property
    def denied(self) -> list[str]:
        """The actions refused now, as specs."""
        return self._permissions.specs()

    def inject(self, fault: Fault) -> None:
        """Put ``fault`` in force, after those already injected (the first that strikes wins)."""
        self._faults.add(fault)

    def clear_faults(self) -> None:
        """Remove every injected fault."""
        self._faults.clear()

    @property
    def requests(self) -> list[RequestRecord]:
        """Every request received so far, in order (a copy)."""
        return self._gateway.log.records()

    def clear_requests(self) -> None:
        """Forget the requests received so far."""
        self._gateway.log.clear()

    def connection_extra(self, credential: Credential | None = None, **overrides: Any) -> dict:
        """Extras of an Airflow ``alibaba_cloud`` connection to this sandbox (first credential by default)."""
        credential = credential or self._credentials[0]
        extra = {
            "access_key_id": credential.access_key_id,
            "access_key_secret": credential.access_key_secret,
            "endpoint": self.endpoint,
            "protocol": "http",
        }
        if credential.security_token:
            extra["security_token"] = credential.security_token
        return {**extra, **overrides}

    def connection_json(self, credential: Credential | None = None, **overrides: Any) -> str:
        """The value of an ``AIRFLOW_CONN_<ID>`` environment variable for a connection to this sandbox."""
        return json.dumps({"conn_type": "alibaba_cloud", "extra": self.connection_extra(credential, **overrides)})


EcsSandbox = AlibabaCloudSandbox
"""The former name, from when the sandbox served ECS only."""


def _vpc_regions(
    given: Iterable[Mapping[str, Any]] | None,
    vpcs: Mapping[str, Any],
    ecs_regions: list[Mapping[str, Any]],
) -> list[dict]:
    """``given``, else the real VPC list plus a made-up entry for each region of ``vpcs`` it lacks."""
    if given is not None:
        return [dict(region) for region in given]
    regions = default_vpc_regions()
    listed = {region["RegionId"] for region in regions}
    ecs_by_id = {region["RegionId"]: region for region in ecs_regions}
    return regions + [made_up_vpc_region(r, ecs_by_id.get(r)) for r in vpcs if r not in listed]
