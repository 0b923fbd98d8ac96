"""The sandbox's gateway: authenticate, apply faults, route to a product's action, check permission, log."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from alibaba_jupiterone.sandbox.alibaba.auth import Authenticator
from alibaba_jupiterone.sandbox.alibaba.calls import Call
from alibaba_jupiterone.sandbox.alibaba.errors import GatewayError, error_body
from alibaba_jupiterone.sandbox.alibaba.faults import Fault
from alibaba_jupiterone.sandbox.alibaba.permissions import Permissions
from alibaba_jupiterone.sandbox.alibaba.products import BY_VERSION
from alibaba_jupiterone.sandbox.alibaba.request import ApiRequest
from alibaba_jupiterone.sandbox.alibaba.world import World
from alibaba_jupiterone.sandbox.faults import FaultPlan
from alibaba_jupiterone.sandbox.serving import Reply, RequestLog

_logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RequestRecord:
    """A request the sandbox received and how it answered.

    ``status`` is ``None`` for a dropped connection; ``code`` is ``None`` on success. ``params``
    never holds ``AccessKeyId``, ``Signature`` or ``SecurityToken``. ``product`` (``ecs``, ``vpc``,
    ``ram``, ``sts``) is the product of the API version asked for, ``None`` for an unknown version.
    """

    action: str | None
    region_id: str | None
    status: int | None
    code: str | None
    params: dict[str, str]
    access_key_id: str | None
    request_id: str
    product: str | None = None


class Gateway:
    """Answers requests in the real gateway's order: signature, faults, routing, permission, the action.

    Routing is on the pair (API version, action): several products have a DescribeRegions.
    """

    def __init__(
        self, world: World, authenticator: Authenticator, faults: FaultPlan[Fault], permissions: Permissions
    ) -> None:
        self._world = world
        self._authenticator = authenticator
        self._faults = faults
        self._permissions = permissions
        self.log: RequestLog[RequestRecord] = RequestLog()

    def respond(self, method: str, target: str, headers: Mapping[str, str], content: bytes) -> Reply | None:
        """The reply to a request, or ``None`` to drop the connection without one (a ``Responder``)."""
        request = ApiRequest.from_http(method, target, headers.items(), content)
        product = BY_VERSION.get(request.version or "")
        product_name = product.name if product else None
        request_id = str(uuid.uuid4()).upper()
        fault: Fault | None = None
        error: GatewayError | None = None
        try:
            credential = self._authenticator.authenticate(request)
            fault = self._faults.strike(
                lambda candidate: candidate.matches(request.action, request.region_id, product_name)
            )
            if fault is not None and fault.kind == "drop":
                self._record(request, request_id, None, None, product_name)
                return None
            if fault is not None and fault.error_code:
                raise GatewayError(fault.error_code)
            action = request.action or ""
            handler = product.actions.get(action) if product and request.path == "/" else None
            if product is None or handler is None:
                raise GatewayError("InvalidApi.NotFound")
            if self._permissions.denies(product.name, action, request.region_id):
                raise product.denial(action, self._world.account.account_id, credential)
            body = {"RequestId": request_id, **handler(self._world, Call(request.params, credential))}
        except GatewayError as raised:
            error = raised
        except Exception:
            _logger.exception("Alibaba Cloud sandbox failed on %s %s", request.version, request.action)
            error = GatewayError("InternalError")
        if error is not None:
            host = request.headers.get("host", "")
            body = error_body(error, request_id, host, product.code if product else None)
        status = error.status if error else 200
        self._record(request, request_id, status, error.code if error else None, product_name)
        reply_headers = {"x-acs-request-id": request_id}
        if fault and fault.retry_after_ms:
            reply_headers["x-acs-retry-after"] = str(fault.retry_after_ms)
        encoded = json.dumps(body, ensure_ascii=False).encode()
        return Reply(status, encoded, reply_headers, fault.delay if fault else 0.0)

    def _record(
        self, request: ApiRequest, request_id: str, status: int | None, code: str | None, product: str | None
    ) -> None:
        record = RequestRecord(
            request.action,
            request.region_id,
            status,
            code,
            request.loggable_params(),
            request.access_key_id,
            request_id,
            product,
        )
        self.log.add(record)
