"""A seeded, reproducible, self-consistent synthetic world of every product the sandbox serves."""

from __future__ import annotations

import random
from typing import Any

from alibaba_jupiterone.sandbox.alibaba.ecs.synthetic import synthetic_fleet_and_vswitches
from alibaba_jupiterone.sandbox.alibaba.ram.synthetic import synthetic_directory
from alibaba_jupiterone.sandbox.alibaba.vpc.regions import vpc_regions_for
from alibaba_jupiterone.sandbox.alibaba.vpc.synthetic import synthetic_vpcs

DEFAULT_USERS = 12
DEFAULT_GROUPS = 4
DEFAULT_ROLES = 6
DEFAULT_POLICIES = 10
_ALNUM = "0123456789abcdefghijklmnopqrstuvwxyz"
_ALIASES = ("acme", "example-corp", "globex", "initech", "umbrella", "hooli")


def synthetic_world(
    instance_count: int,
    region_count: int = 20,
    seed: int = 0,
    *,
    users: int = DEFAULT_USERS,
    groups: int = DEFAULT_GROUPS,
    roles: int = DEFAULT_ROLES,
    policies: int = DEFAULT_POLICIES,
    vpcs_per_region: int | None = None,
) -> dict[str, Any]:
    """The sandbox constructor's world arguments: ``regions``, ``instances``, ``vpc_regions``, ``vpcs``,
    ``vpc_attributes``, ``ram`` and ``account``. The same arguments always give the same world.

    - ECS: the fleet of :func:`~.ecs.synthetic.synthetic_fleet` (the very same one when
      ``vpcs_per_region`` is not given);
    - VPC: one VPC region per ECS region; each region's VPCs (one to three, or ``vpcs_per_region``)
      are those its instances are in (every instance's ``VpcAttributes.VpcId`` and ``VSwitchId``
      exist there; classic-network instances have none), owned by the account;
    - RAM: :func:`~.ram.synthetic.synthetic_directory` with these counts; role ARNs name the account;
    - the account: a seeded id and an alias.

    Each product draws from its own seeded random generator, so changing RAM's counts leaves the
    fleet and the VPCs as they were.
    """
    regions, instances, vswitches = synthetic_fleet_and_vswitches(instance_count, region_count, seed, vpcs_per_region)
    account_rng = random.Random(f"{seed}:account")
    account_id = str(account_rng.randrange(10**15, 2 * 10**15))
    vpc_rng = random.Random(f"{seed}:vpc")
    resource_group_ids = ("", *("rg-acfm" + "".join(vpc_rng.choices(_ALNUM, k=11)) for _ in range(3)))
    vpcs: dict[str, list[dict]] = {}
    vpc_attributes: dict[str, dict] = {}
    for region in regions:
        region_id = region["RegionId"]
        items, attributes = synthetic_vpcs(
            vpc_rng, region_id, vswitches[region_id], int(account_id), resource_group_ids
        )
        vpcs[region_id] = items
        vpc_attributes |= attributes
    ram = synthetic_directory(
        random.Random(f"{seed}:ram"), account_id, users=users, groups=groups, roles=roles, policies=policies
    )
    return {
        "regions": regions,
        "instances": instances,
        "vpc_regions": vpc_regions_for(regions),
        "vpcs": vpcs,
        "vpc_attributes": vpc_attributes,
        "ram": ram,
        "account": {"AccountId": account_id, "AccountAlias": f"sandbox-{account_rng.choice(_ALIASES)}"},
    }
