"""Signatures of Alibaba Cloud RPC requests: ACS3-HMAC-SHA256 (SDK default) and legacy V2 (HMAC-SHA1).

Pure functions: they compute what the client should have signed, so the gateway can compare.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple
from urllib.parse import quote

ACS3_ALGORITHM = "ACS3-HMAC-SHA256"


def percent_encode(value: str) -> str:
    """RFC 3986 encoding used by both signatures (space ``%20``, ``*`` ``%2A``, ``/`` ``%2F``)."""
    return quote(value, safe="~")


def _canonical_query(pairs: Iterable[tuple[str, str]]) -> str:
    return "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(pairs))


def _sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Acs3Authorization(NamedTuple):
    """The parts of an ``Authorization: ACS3-HMAC-SHA256 ...`` header."""

    access_key_id: str
    signed_headers: tuple[str, ...]
    signature: str


def parse_acs3_authorization(header: str) -> Acs3Authorization:
    """Split ``ACS3-HMAC-SHA256 Credential=..,SignedHeaders=a;b,Signature=..``; ``ValueError`` if garbled."""
    algorithm, _, rest = header.strip().partition(" ")
    if algorithm != ACS3_ALGORITHM:
        raise ValueError(f"unsupported signature algorithm {algorithm!r}")
    fields = dict(part.strip().split("=", 1) for part in rest.split(",") if "=" in part)
    credential, signed, signature = (fields.get(k) for k in ("Credential", "SignedHeaders", "Signature"))
    if not (credential and signed and signature):
        raise ValueError("Credential, SignedHeaders and Signature are all required")
    return Acs3Authorization(credential, tuple(signed.split(";")), signature)


def acs3_string_to_sign(
    method: str,
    path: str,
    query: Iterable[tuple[str, str]],
    *,
    headers: Mapping[str, str],
    signed_headers: Sequence[str],
    payload_hash: str,
) -> str:
    """The ACS3 string to sign; ``headers`` keyed by lower-case name."""
    canonical_headers = "".join(f"{name}:{headers.get(name, '').strip()}\n" for name in signed_headers)
    canonical_request = "\n".join(
        [method, path, _canonical_query(query), canonical_headers, ";".join(signed_headers), payload_hash]
    )
    return f"{ACS3_ALGORITHM}\n{_sha256_hex(canonical_request.encode())}"


def acs3_signature(secret: str, string_to_sign: str) -> str:
    """Hex HMAC-SHA256 of the string to sign, keyed with the raw secret."""
    return hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha256).hexdigest()


def content_sha256(body: bytes) -> str:
    """The value ``x-acs-content-sha256`` must carry for ``body``."""
    return _sha256_hex(body)


def v2_string_to_sign(method: str, params: Mapping[str, str]) -> str:
    """The V2 string to sign over every parameter except ``Signature``."""
    canonical = _canonical_query((k, v) for k, v in params.items() if k != "Signature")
    return f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"


def v2_signature(secret: str, string_to_sign: str) -> str:
    """Base64 HMAC-SHA1 of the string to sign, keyed with ``secret + "&"``."""
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def signatures_match(expected: str, received: str) -> bool:
    """Constant-time comparison of two signatures."""
    return hmac.compare_digest(expected.encode(), received.encode())
