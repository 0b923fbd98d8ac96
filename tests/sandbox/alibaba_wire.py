"""Clients for the Alibaba Cloud sandbox tests: the real VPC, RAM and STS SDKs, and raw calls through them."""

from __future__ import annotations

from collections.abc import Mapping

from alibabacloud_ram20150501.client import Client as RamClient
from alibabacloud_sts20150401.client import Client as StsClient
from alibabacloud_tea_openapi.client import Client as OpenApiClient
from alibabacloud_tea_openapi.models import Config
from alibabacloud_tea_openapi.utils_models import OpenApiRequest, Params
from alibabacloud_vpc20160428.client import Client as VpcClient
from darabonba.runtime import RuntimeOptions

from alibaba_jupiterone.sandbox import DEFAULT_CREDENTIAL, AlibabaCloudSandbox, Credential

ECS_VERSION = "2014-05-26"
VPC_VERSION = "2016-04-28"
RAM_VERSION = "2015-05-01"
STS_VERSION = "2015-04-01"


def config(sandbox: AlibabaCloudSandbox, credential: Credential = DEFAULT_CREDENTIAL, **extra: object) -> Config:
    """The SDK configuration every product's client uses to reach the sandbox."""
    return Config(
        access_key_id=credential.access_key_id,
        access_key_secret=credential.access_key_secret,
        security_token=credential.security_token,
        endpoint=sandbox.endpoint,
        protocol="http",
        **extra,
    )


def vpc_client(sandbox: AlibabaCloudSandbox, credential: Credential = DEFAULT_CREDENTIAL, **extra: object) -> VpcClient:
    """The official VPC client pointed at the sandbox."""
    return VpcClient(config(sandbox, credential, **extra))


def ram_client(sandbox: AlibabaCloudSandbox, credential: Credential = DEFAULT_CREDENTIAL, **extra: object) -> RamClient:
    """The official RAM client pointed at the sandbox."""
    return RamClient(config(sandbox, credential, **extra))


def sts_client(sandbox: AlibabaCloudSandbox, credential: Credential = DEFAULT_CREDENTIAL, **extra: object) -> StsClient:
    """The official STS client pointed at the sandbox."""
    return StsClient(config(sandbox, credential, **extra))


def raw_body(client: OpenApiClient, version: str, action: str, params: Mapping[str, object] | None = None) -> dict:
    """The whole JSON answer of an RPC call through the SDK's ``call_api`` (what typed models would drop too)."""
    api = Params(
        action=action,
        version=version,
        protocol="HTTPS",
        pathname="/",
        method="POST",
        auth_type="AK",
        style="RPC",
        req_body_type="formData",
        body_type="json",
    )
    query = {name: str(value) for name, value in (params or {}).items()}
    return client.call_api(api, OpenApiRequest(query=query), RuntimeOptions())["body"]


def without_request_id(body: Mapping[str, object]) -> dict:
    """An answer body without its ``RequestId`` (new on every call)."""
    return {key: value for key, value in body.items() if key != "RequestId"}
