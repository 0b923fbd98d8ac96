"""One API request as the sandbox's gateway sees it, whichever way it was signed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from alibaba_jupiterone.sandbox.alibaba.signing import parse_acs3_authorization

SECRET_PARAMS = frozenset({"AccessKeyId", "Signature", "SecurityToken"})
_FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class ApiRequest:
    """Method, path, decoded query, lower-cased headers and raw body, plus the merged parameters."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    headers: Mapping[str, str]
    body: bytes = b""
    params: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        params = dict(self.query)
        if self.headers.get("content-type", "").startswith(_FORM):
            params.update(parse_qsl(self.body.decode(errors="replace"), keep_blank_values=True))
        object.__setattr__(self, "params", params)

    @classmethod
    def from_http(cls, method: str, target: str, headers: Iterable[tuple[str, str]], body: bytes) -> ApiRequest:
        """Build from the request line's method and target, the header list and the body."""
        url = urlsplit(target)
        query = tuple(parse_qsl(url.query, keep_blank_values=True))
        return cls(method, url.path, query, {k.lower(): v for k, v in headers}, body)

    @property
    def signed_acs3(self) -> bool:
        """ACS3 requests carry an ``Authorization`` header; V2 ones sign in the parameters."""
        return "authorization" in self.headers

    @property
    def action(self) -> str | None:
        """The API action asked for."""
        return self.headers.get("x-acs-action") if self.signed_acs3 else self.params.get("Action")

    @property
    def version(self) -> str | None:
        """The API version asked for."""
        return self.headers.get("x-acs-version") if self.signed_acs3 else self.params.get("Version")

    @property
    def region_id(self) -> str | None:
        """The ``RegionId`` parameter, if any."""
        return self.params.get("RegionId") or None

    @property
    def access_key_id(self) -> str | None:
        """The access key the request claims to be signed with (not yet verified)."""
        if not self.signed_acs3:
            return self.params.get("AccessKeyId")
        try:
            return parse_acs3_authorization(self.headers["authorization"]).access_key_id
        except ValueError:
            return None

    def loggable_params(self) -> dict[str, str]:
        """The parameters without secrets."""
        return {k: v for k, v in self.params.items() if k not in SECRET_PARAMS}
