"""Access keys the sandbox knows, and the gateway's checks of who signed a request."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import NamedTuple

from alibaba_jupiterone.sandbox.alibaba.errors import GatewayError
from alibaba_jupiterone.sandbox.alibaba.request import ApiRequest
from alibaba_jupiterone.sandbox.alibaba.signing import (
    acs3_signature,
    acs3_string_to_sign,
    content_sha256,
    parse_acs3_authorization,
    signatures_match,
    v2_signature,
    v2_string_to_sign,
)

MAX_CLOCK_SKEW = timedelta(minutes=15)
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_ACS3_REQUIRED_HEADERS = (
    "host",
    "x-acs-action",
    "x-acs-version",
    "x-acs-date",
    "x-acs-signature-nonce",
    "x-acs-content-sha256",
)
_V2_REQUIRED_PARAMS = (
    "AccessKeyId",
    "Signature",
    "SignatureMethod",
    "SignatureVersion",
    "SignatureNonce",
    "Timestamp",
)
_MISMATCH = "SignatureDoesNotMatch"
_MISMATCH_MESSAGE = "Specified signature is not matched with our calculation. server string to sign is:"


@dataclass(frozen=True)
class Credential:
    """An access key the sandbox accepts.

    ``security_token`` set makes it an STS credential: requests must carry that token.
    ``active=False`` answers ``InvalidAccessKeyId.Inactive``; ``token_expired=True`` answers
    ``InvalidSecurityToken.Expired``. ``principal`` is whose key it is, as STS GetCallerIdentity
    tells: for a static key the name of the RAM user it belongs to (``None``: the account itself);
    for an STS credential ``"<RoleName>/<SessionName>"`` of the role it assumed (``None``:
    :data:`DEFAULT_ASSUMED_ROLE`).
    """

    access_key_id: str
    access_key_secret: str = field(repr=False)
    security_token: str | None = field(default=None, repr=False)
    active: bool = True
    token_expired: bool = False
    principal: str | None = None


DEFAULT_CREDENTIAL = Credential("sandbox-access-key-id", "sandbox-access-key-secret")
DEFAULT_ASSUMED_ROLE = "SandboxRole/sandbox-session"


class _Signed(NamedTuple):
    credential: Credential
    security_token: str | None
    timestamp: str
    nonce: str


class _NonceLog:
    """Nonces seen within the clock-skew window (older ones are refused by timestamp anyway), bounded."""

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._seen: OrderedDict[tuple[str, str], float] = OrderedDict()
        self._lock = threading.Lock()

    def first_use(self, key: tuple[str, str]) -> bool:
        now = time.monotonic()
        horizon = now - MAX_CLOCK_SKEW.total_seconds()
        with self._lock:
            while self._seen and (len(self._seen) >= self._capacity or next(iter(self._seen.values())) < horizon):
                self._seen.popitem(last=False)
            if key in self._seen:
                return False
            self._seen[key] = now
            return True


class Authenticator:
    """Verifies signature, security token, timestamp and nonce of requests, as the real gateway does."""

    def __init__(self, credentials: Iterable[Credential], nonce_capacity: int = 100_000) -> None:
        self._credentials: dict[str, Credential] = {}
        for credential in credentials:
            if credential.access_key_id in self._credentials:
                raise ValueError(f"duplicate access key id {credential.access_key_id!r}")
            self._credentials[credential.access_key_id] = credential
        if not self._credentials:
            raise ValueError("at least one credential is needed")
        self._nonces = _NonceLog(nonce_capacity)

    def authenticate(self, request: ApiRequest) -> Credential:
        """Return the credential that signed ``request``, or raise the gateway's ``GatewayError``."""
        if request.signed_acs3:
            signed = self._check_acs3(request)
        elif "Signature" in request.params:
            signed = self._check_v2(request)
        else:
            raise GatewayError("IncompleteSignature")
        _check_security_token(signed.credential, signed.security_token)
        _check_timestamp(signed.timestamp)
        if not self._nonces.first_use((signed.credential.access_key_id, signed.nonce)):
            raise GatewayError("SignatureNonceUsed")
        return signed.credential

    def _known(self, access_key_id: str) -> Credential:
        credential = self._credentials.get(access_key_id)
        if credential is None:
            raise GatewayError("InvalidAccessKeyId.NotFound")
        if not credential.active:
            raise GatewayError("InvalidAccessKeyId.Inactive")
        return credential

    def _check_acs3(self, request: ApiRequest) -> _Signed:
        headers = request.headers
        try:
            authorization = parse_acs3_authorization(headers["authorization"])
        except ValueError as error:
            raise GatewayError("IncompleteSignature", f"Authorization header is malformed: {error}.") from None
        credential = self._known(authorization.access_key_id)
        missing = [name for name in _ACS3_REQUIRED_HEADERS if name not in headers]
        if missing:
            raise GatewayError("IncompleteSignature", f"Required headers are missing: {', '.join(missing)}.")
        unsigned = [
            name
            for name in headers
            if (name.startswith("x-acs-") or name in ("host", "content-type"))
            and name not in authorization.signed_headers
        ]
        if unsigned:
            raise GatewayError("IncompleteSignature", f"Headers must be signed: {', '.join(unsigned)}.")
        if headers["x-acs-content-sha256"] != content_sha256(request.body):
            raise GatewayError(_MISMATCH, "The x-acs-content-sha256 header does not match the body.")
        string_to_sign = acs3_string_to_sign(
            request.method,
            request.path,
            request.query,
            headers=headers,
            signed_headers=authorization.signed_headers,
            payload_hash=headers["x-acs-content-sha256"],
        )
        expected = acs3_signature(credential.access_key_secret, string_to_sign)
        if not signatures_match(expected, authorization.signature):
            raise GatewayError(_MISMATCH, _MISMATCH_MESSAGE + string_to_sign)
        return _Signed(
            credential, headers.get("x-acs-security-token"), headers["x-acs-date"], headers["x-acs-signature-nonce"]
        )

    def _check_v2(self, request: ApiRequest) -> _Signed:
        params = request.params
        missing = [name for name in _V2_REQUIRED_PARAMS if not params.get(name)]
        if missing:
            raise GatewayError("IncompleteSignature", f"Required parameters are missing: {', '.join(missing)}.")
        credential = self._known(params["AccessKeyId"])
        if (params["SignatureMethod"], params["SignatureVersion"]) != ("HMAC-SHA1", "1.0"):
            raise GatewayError("IncompleteSignature", "Only SignatureMethod HMAC-SHA1, version 1.0 is supported.")
        string_to_sign = v2_string_to_sign(request.method, params)
        expected = v2_signature(credential.access_key_secret, string_to_sign)
        if not signatures_match(expected, params["Signature"]):
            raise GatewayError(_MISMATCH, _MISMATCH_MESSAGE + string_to_sign)
        return _Signed(credential, params.get("SecurityToken"), params["Timestamp"], params["SignatureNonce"])


def _check_security_token(credential: Credential, token: str | None) -> None:
    if not token and credential.security_token is None:
        return
    if not token or credential.security_token is None:
        raise GatewayError("InvalidSecurityToken.MismatchWithAccessKey")
    if not signatures_match(credential.security_token, token):
        raise GatewayError("InvalidSecurityToken.Malformed")
    if credential.token_expired:
        raise GatewayError("InvalidSecurityToken.Expired")


def _check_timestamp(value: str) -> None:
    try:
        sent = datetime.strptime(value, TIMESTAMP_FORMAT).replace(tzinfo=timezone.utc)
    except ValueError:
        raise GatewayError("InvalidTimeStamp.Format") from None
    if abs(datetime.now(timezone.utc) - sent) > MAX_CLOCK_SKEW:
        raise GatewayError("InvalidTimeStamp.Expired")
