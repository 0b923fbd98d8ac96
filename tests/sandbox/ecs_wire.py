"""Clients for the ECS sandbox tests: the real SDK, and raw requests signed by the SDK's own helpers."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping

import requests
from alibabacloud_ecs20140526.client import Client
from alibabacloud_tea_openapi.models import Config
from alibabacloud_tea_openapi.utils import Utils
from darabonba.request import DaraRequest

from alibaba_jupiterone.sandbox import DEFAULT_CREDENTIAL, Credential, EcsSandbox

API_VERSION = "2014-05-26"
REGIONS = [
    {"RegionId": "cn-hangzhou", "LocalName": "China (Hangzhou)", "RegionEndpoint": "ecs.aliyuncs.com"},
    {"RegionId": "cn-beijing", "LocalName": "China (Beijing)", "RegionEndpoint": "ecs.cn-beijing.aliyuncs.com"},
    {"RegionId": "eu-central-1", "LocalName": "Germany (Frankfurt)", "RegionEndpoint": "ecs.eu-central-1.aliyuncs.com"},
]


def make_instance(n: int, region_id: str = "cn-hangzhou", **fields: object) -> dict:
    """A small hand-made instance record."""
    return {"InstanceId": f"i-{n:05d}", "InstanceName": f"web-{n}", "RegionId": region_id, **fields}


def sdk_client(sandbox: EcsSandbox, credential: Credential = DEFAULT_CREDENTIAL, **config: object) -> Client:
    """The official ECS client pointed at the sandbox."""
    return Client(
        Config(
            access_key_id=credential.access_key_id,
            access_key_secret=credential.access_key_secret,
            security_token=credential.security_token,
            endpoint=sandbox.endpoint,
            protocol="http",
            **config,
        )
    )


def acs3_call(
    sandbox: EcsSandbox,
    action: str,
    params: Mapping[str, str] | None = None,
    *,
    credential: Credential = DEFAULT_CREDENTIAL,
    version: str = API_VERSION,
    date: str | None = None,
    nonce: str | None = None,
    tamper: Callable[[dict[str, str]], None] | None = None,
    sent: Mapping[str, str] | None = None,
) -> requests.Response:
    """POST an ACS3 request signed by the SDK's ``Utils.get_authorization``.

    ``tamper`` edits the headers after signing; ``sent`` replaces the query after signing.
    """
    request = DaraRequest()
    request.method, request.pathname, request.query = "POST", "/", dict(params or {})
    request.headers = {
        "host": sandbox.endpoint,
        "x-acs-action": action,
        "x-acs-version": version,
        "x-acs-date": date or Utils.get_timestamp(),
        "x-acs-signature-nonce": nonce or Utils.get_nonce(),
        "x-acs-content-sha256": hashlib.sha256(b"").hexdigest(),
        "accept": "application/json",
    }
    if credential.security_token:
        request.headers["x-acs-accesskey-id"] = credential.access_key_id
        request.headers["x-acs-security-token"] = credential.security_token
    request.headers["Authorization"] = Utils.get_authorization(
        request,
        "ACS3-HMAC-SHA256",
        request.headers["x-acs-content-sha256"],
        credential.access_key_id,
        credential.access_key_secret,
    )
    if tamper:
        tamper(request.headers)
    query = request.query if sent is None else sent
    return requests.post(f"http://{sandbox.endpoint}/", params=query, headers=request.headers, timeout=5)


def v2_call(
    sandbox: EcsSandbox,
    action: str,
    params: Mapping[str, str] | None = None,
    *,
    credential: Credential = DEFAULT_CREDENTIAL,
    method: str = "GET",
    timestamp: str | None = None,
    as_form: bool = False,
    version: str = API_VERSION,
) -> requests.Response:
    """A legacy V2 request (GET like the recordings, or a form POST) signed by ``Utils.get_rpcsignature``."""
    signed = {
        "Action": action,
        "Version": version,
        "Format": "JSON",
        "Timestamp": timestamp or Utils.get_timestamp(),
        "SignatureNonce": Utils.get_nonce(),
        "SignatureMethod": "HMAC-SHA1",
        "SignatureVersion": "1.0",
        "AccessKeyId": credential.access_key_id,
        **(params or {}),
    }
    if credential.security_token:
        signed["SecurityToken"] = credential.security_token
    signed["Signature"] = Utils.get_rpcsignature(signed, method, credential.access_key_secret)
    url = f"http://{sandbox.endpoint}/"
    if as_form:
        return requests.request(method, url, data=signed, timeout=5)
    return requests.request(method, url, params=signed, timeout=5)
