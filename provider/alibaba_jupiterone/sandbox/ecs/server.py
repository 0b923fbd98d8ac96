"""``EcsSandbox``: a local HTTP server speaking the ECS OpenAPI wire protocol the official SDK uses."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from os import PathLike
from typing import Any

from alibaba_jupiterone.sandbox.ecs.auth import DEFAULT_CREDENTIAL, Authenticator, Credential
from alibaba_jupiterone.sandbox.ecs.faults import Fault
from alibaba_jupiterone.sandbox.ecs.fleet import Fleet, json_copy
from alibaba_jupiterone.sandbox.ecs.gateway import Gateway, RequestRecord
from alibaba_jupiterone.sandbox.ecs.recordings import load_fleet
from alibaba_jupiterone.sandbox.ecs.regions import default_regions
from alibaba_jupiterone.sandbox.ecs.synthetic import synthetic_fleet
from alibaba_jupiterone.sandbox.faults import FaultPlan
from alibaba_jupiterone.sandbox.serving import HttpSandbox


class EcsSandbox(HttpSandbox):
    """A local ECS endpoint for the real SDK: signatures verified, paging, filters, faults.

    Point a client at it with ``Config(access_key_id=..., access_key_secret=...,
    endpoint=sandbox.endpoint, protocol="http")``, or an Airflow connection built from
    :meth:`connection_extra`. Use as a context manager, or call :meth:`start` and :meth:`stop`.
    Every method is thread-safe.
    """

    def __init__(
        self,
        *,
        regions: Iterable[Mapping[str, Any]] | None = None,
        instances: Mapping[str, Iterable[Mapping[str, Any]]] | None = None,
        credentials: Iterable[Credential] = (DEFAULT_CREDENTIAL,),
        forbidden_regions: Iterable[str] = (),
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int = 0,
    ) -> None:
        """Serve ``regions`` (default: the real list) and ``instances`` (region id -> records).

        Only ``credentials`` may sign requests. In ``forbidden_regions`` the caller lacks
        permission: listings are empty and DryRun answers ``Forbidden.RAM``. ``seed`` drives
        the RNG of rate-based faults.
        """
        self._fleet = Fleet(default_regions() if regions is None else regions, instances or {}, forbidden_regions)
        self._credentials = tuple(credentials)
        self._faults: FaultPlan[Fault] = FaultPlan(seed)
        self._gateway = Gateway(self._fleet, Authenticator(self._credentials), self._faults)
        super().__init__(self._gateway.respond, name="EcsSandbox", host=host, port=port)

    @classmethod
    def synthetic(cls, instance_count: int, region_count: int = 20, seed: int = 0, **kwargs: Any) -> EcsSandbox:
        """A sandbox serving a seeded synthetic fleet of ``instance_count`` instances."""
        regions, instances = synthetic_fleet(instance_count, region_count, seed)
        return cls(regions=regions, instances=instances, seed=seed, **kwargs)

    @classmethod
    def from_files(cls, *paths: str | PathLike, **kwargs: Any) -> EcsSandbox:
        """A sandbox serving the fleet in HAR recordings or JSON files (regions: theirs, else the real list)."""
        regions, instances = load_fleet(*paths)
        return cls(regions=kwargs.pop("regions", regions), instances=instances, **kwargs)

    @property
    def endpoint(self) -> str:
        """``host:port`` to give the SDK as ``endpoint`` (with ``protocol="http"``)."""
        host, port = self._bound_address
        return f"{host}:{port}"

    @property
    def region_ids(self) -> list[str]:
        """The ids of the regions served, in DescribeRegions order."""
        return self._fleet.region_ids

    def instances(self, region_id: str) -> list[dict]:
        """Copies of the instance records of ``region_id``."""
        return json_copy(list(self._fleet.view(region_id)[0]))

    def instance_count(self) -> int:
        """Number of instances over all regions."""
        return self._fleet.count()

    def add_instances(self, region_id: str, records: Iterable[Mapping[str, Any]]) -> None:
        """Add instance records (copied, served exactly as given) to ``region_id``."""
        self._fleet.add(region_id, records)

    def remove_instances(self, instance_ids: Iterable[str]) -> None:
        """Remove instances by ``InstanceId``; ``KeyError`` if one is unknown."""
        self._fleet.remove(instance_ids)

    def forbid_region(self, region_id: str) -> None:
        """Deny the caller ``region_id``: listings come back empty, DryRun answers ``Forbidden.RAM``."""
        self._fleet.forbid(region_id)

    def allow_region(self, region_id: str) -> None:
        """Undo :meth:`forbid_region`."""
        self._fleet.allow(region_id)

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
