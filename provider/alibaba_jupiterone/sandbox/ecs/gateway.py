"""The sandbox's gateway: authenticate, apply faults, run the action, log the request."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from alibaba_jupiterone.sandbox.ecs.api import answer
from alibaba_jupiterone.sandbox.ecs.auth import Authenticator
from alibaba_jupiterone.sandbox.ecs.faults import Fault
from alibaba_jupiterone.sandbox.ecs.fleet import Fleet
from alibaba_jupiterone.sandbox.ecs.gateway_errors import GatewayError, error_body
from alibaba_jupiterone.sandbox.ecs.request import ApiRequest
from alibaba_jupiterone.sandbox.faults import FaultPlan
from alibaba_jupiterone.sandbox.serving import Reply, RequestLog

_logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RequestRecord:
    """A request the sandbox received and how it answered.

    ``status`` is ``None`` for a dropped connection; ``code`` is ``None`` on success. ``params``
    never holds ``AccessKeyId``, ``Signature`` or ``SecurityToken``.
    """

    action: str | None
    region_id: str | None
    status: int | None
    code: str | None
    params: dict[str, str]
    access_key_id: str | None
    request_id: str


class Gateway:
    """Answers requests in the real gateway's order: signature checks, then faults, then the action."""

    def __init__(self, fleet: Fleet, authenticator: Authenticator, faults: FaultPlan[Fault]) -> None:
        self._fleet = fleet
        self._authenticator = authenticator
        self._faults = faults
        self.log: RequestLog[RequestRecord] = RequestLog()

    def respond(self, method: str, target: str, headers: Mapping[str, str], content: bytes) -> Reply | None:
        """The reply to a request, or ``None`` to drop the connection without one (a ``Responder``)."""
        request = ApiRequest.from_http(method, target, headers.items(), content)
        request_id = str(uuid.uuid4()).upper()
        fault: Fault | None = None
        error: GatewayError | None = None
        try:
            self._authenticator.authenticate(request)
            fault = self._faults.strike(lambda candidate: candidate.matches(request.action, request.region_id))
            if fault is not None and fault.kind == "drop":
                self._record(request, request_id, None, None)
                return None
            if fault is not None and fault.error_code:
                raise GatewayError(fault.error_code)
            if request.path != "/":
                raise GatewayError("InvalidApi.NotFound")
            body = {"RequestId": request_id, **answer(self._fleet, request.action, request.version, request.params)}
        except GatewayError as raised:
            error = raised
        except Exception:
            _logger.exception("ECS sandbox failed on %s", request.action)
            error = GatewayError("InternalError")
        if error is not None:
            body = error_body(error.code, error.message, request_id, request.headers.get("host", ""))
        status = error.status if error else 200
        self._record(request, request_id, status, error.code if error else None)
        reply_headers = {"x-acs-request-id": request_id}
        if fault and fault.retry_after_ms:
            reply_headers["x-acs-retry-after"] = str(fault.retry_after_ms)
        encoded = json.dumps(body, ensure_ascii=False).encode()
        return Reply(status, encoded, reply_headers, fault.delay if fault else 0.0)

    def _record(self, request: ApiRequest, request_id: str, status: int | None, code: str | None) -> None:
        record = RequestRecord(
            request.action,
            request.region_id,
            status,
            code,
            request.loggable_params(),
            request.access_key_id,
            request_id,
        )
        self.log.add(record)
