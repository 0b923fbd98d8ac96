"""pytest fixtures that run the sandboxes (auto-loaded through the ``pytest11`` entry point).

Only fixtures live here, and the sandbox is imported when a fixture is used, so every pytest run
of an environment with this package installed stays unaffected.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from alibaba_jupiterone.sandbox import AlibabaCloudSandbox, EcsSandbox, JupiterOneSandbox
    from alibaba_jupiterone.sandbox.serving import HttpSandbox

PROXY_VARIABLES = ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy")
_CONSTRUCTORS = ("synthetic", "from_files")


@pytest.fixture
def _started_sandboxes(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[HttpSandbox]]:
    """The sandboxes a test starts, stopped when it ends; the proxy variables are removed for it.

    Clients would send even ``127.0.0.1`` traffic through a configured proxy.
    """
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    started: list[HttpSandbox] = []
    yield started
    for sandbox in started:
        sandbox.stop()


@pytest.fixture
def alibaba_sandbox_factory(_started_sandboxes: list[HttpSandbox]) -> Callable[..., AlibabaCloudSandbox]:
    """Start Alibaba Cloud sandboxes (ECS, VPC, RAM, STS) on demand; each is stopped when the test ends.

    Call it with :class:`~alibaba_jupiterone.sandbox.AlibabaCloudSandbox` keyword arguments, or
    with the name of a constructor first::

        sandbox = alibaba_sandbox_factory(vpcs={"cn-beijing": [...]}, ram=RamDirectory(...), denied=["ram:ListUsers"])
        sandbox = alibaba_sandbox_factory("synthetic", 500, region_count=5, users=300, policies=150)
        sandbox = alibaba_sandbox_factory("from_files", "fetch-vpcs.har", "fetch-ram-users.har")

    The proxy environment variables are removed for the test (the SDKs would send even
    ``127.0.0.1`` traffic through a proxy).
    """
    from alibaba_jupiterone.sandbox import AlibabaCloudSandbox

    def start(constructor: str | None = None, /, *args: Any, **kwargs: Any) -> AlibabaCloudSandbox:
        if constructor is not None and constructor not in _CONSTRUCTORS:
            raise ValueError(f"constructor must be one of {_CONSTRUCTORS}, not {constructor!r}")
        build = getattr(AlibabaCloudSandbox, constructor) if constructor else AlibabaCloudSandbox
        sandbox = build(*args, **kwargs).start()
        _started_sandboxes.append(sandbox)
        return sandbox

    return start


@pytest.fixture
def alibaba_sandbox(alibaba_sandbox_factory: Callable[..., AlibabaCloudSandbox]) -> AlibabaCloudSandbox:
    """A running sandbox of a small synthetic world of every product (seed 0).

    25 ECS instances over 3 regions and their VPCs; 12 RAM users, 4 groups, 6 roles, 10 attached
    policies (see :meth:`~alibaba_jupiterone.sandbox.AlibabaCloudSandbox.synthetic`). Signed with
    ``DEFAULT_CREDENTIAL``. Connect with ``alibaba_sandbox.endpoint`` and ``protocol="http"``, or an
    Airflow connection from ``alibaba_sandbox.connection_json()``; inspect ``requests`` afterwards.
    """
    return alibaba_sandbox_factory("synthetic", 25, region_count=3)


@pytest.fixture
def ecs_sandbox_factory(alibaba_sandbox_factory: Callable[..., EcsSandbox]) -> Callable[..., EcsSandbox]:
    """The former name of :func:`alibaba_sandbox_factory`, which it is."""
    return alibaba_sandbox_factory


@pytest.fixture
def ecs_sandbox(ecs_sandbox_factory: Callable[..., EcsSandbox]) -> EcsSandbox:
    """A running sandbox of ECS only: the real region list, 25 synthetic instances in its first 3 regions.

    Signed with ``DEFAULT_CREDENTIAL``. Connect with ``ecs_sandbox.endpoint`` and
    ``protocol="http"``, or an Airflow connection from ``ecs_sandbox.connection_json()``;
    inspect ``ecs_sandbox.requests`` afterwards.
    """
    from alibaba_jupiterone.sandbox.alibaba.ecs.synthetic import synthetic_fleet

    _, instances = synthetic_fleet(25, region_count=3)
    return ecs_sandbox_factory(instances=instances)


@pytest.fixture
def jupiterone_sandbox_factory(_started_sandboxes: list[HttpSandbox]) -> Callable[..., JupiterOneSandbox]:
    """Start JupiterOne sandboxes on demand; each is stopped when the test ends.

    Call it with :class:`~alibaba_jupiterone.sandbox.JupiterOneSandbox` keyword arguments::

        sandbox = jupiterone_sandbox_factory(database=tmp_path / "graph.sqlite", max_request_bytes=10_000)

    The proxy environment variables are removed for the test.
    """
    from alibaba_jupiterone.sandbox import JupiterOneSandbox

    def start(**kwargs: Any) -> JupiterOneSandbox:
        sandbox = JupiterOneSandbox(**kwargs).start()
        _started_sandboxes.append(sandbox)
        return sandbox

    return start


@pytest.fixture
def jupiterone_sandbox(jupiterone_sandbox_factory: Callable[..., JupiterOneSandbox]) -> JupiterOneSandbox:
    """A running JupiterOne sandbox: empty graph in memory, the default account and API key.

    Connect to ``jupiterone_sandbox.url``, or through an Airflow connection from
    ``jupiterone_sandbox.connection_json()``; inspect ``entities(scope=...)``, ``jobs()`` and
    ``requests`` afterwards.
    """
    return jupiterone_sandbox_factory()
