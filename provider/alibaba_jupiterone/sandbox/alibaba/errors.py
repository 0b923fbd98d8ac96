"""The error codes the sandbox answers with, their HTTP status and message, and the error body."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

CATALOGUE: dict[str, tuple[int, str]] = {
    "IncompleteSignature": (400, "The request signature does not conform to Aliyun standards."),
    "InvalidAccessKeyId.NotFound": (404, "Specified access key is not found."),
    "InvalidAccessKeyId.Inactive": (400, "Specified access key is disabled."),
    "SignatureDoesNotMatch": (400, "Specified signature is not matched with our calculation."),
    "InvalidTimeStamp.Expired": (400, "Specified time stamp or date value is expired."),
    "InvalidTimeStamp.Format": (400, "Specified time stamp or date value is not well formatted."),
    "SignatureNonceUsed": (400, "Specified signature nonce was used already."),
    "InvalidSecurityToken.MismatchWithAccessKey": (400, "Specified SecurityToken mismatch with the AccessKey."),
    "InvalidSecurityToken.Malformed": (400, "Specified SecurityToken is malformed."),
    "InvalidSecurityToken.Expired": (400, "Specified SecurityToken is expired."),
    "InvalidApi.NotFound": (404, "Specified api is not found,please check your url and method."),
    "MissingRegionId": (400, "RegionId is mandatory for this action."),
    "InvalidRegionId.NotFound": (400, "The specified region does not exist."),
    "InvalidParameter": (400, "The specified parameter is not valid."),
    "DryRunOperation": (400, "Request validation has been passed with DryRun flag set."),
    "Forbidden": (403, "User not authorized to operate on the specified resource."),
    "Forbidden.RAM": (
        403,
        "User not authorized to operate on the specified resource, or this API doesn't support RAM.",
    ),
    "NoPermission": (403, "You are not authorized to do this action."),
    "InvalidVpcId.NotFound": (404, "The specified VPC does not exist."),
    "EntityNotExist.User": (404, "The user does not exist."),
    "EntityNotExist.Group": (404, "The group does not exist."),
    "EntityNotExist.Role": (404, "The role does not exist."),
    "EntityNotExist.Policy": (404, "The policy does not exist."),
    "EntityNotExist.PolicyVersion": (404, "The policy version does not exist."),
    "InvalidParameter.PolicyType.InvalidValue": (400, 'The parameter - "PolicyType" has an invalid value.'),
    "Throttling": (400, "Request was denied due to request throttling."),
    "Throttling.User": (400, "Request was denied due to user flow control."),
    "Throttling.Api": (400, "Request was denied due to api flow control."),
    "InternalError": (
        500,
        "The request processing has failed due to some unknown error, exception or failure.",
    ),
    "UnknownError": (500, "The request processing has failed due to some unknown error."),
    "ServiceUnavailable": (503, "The request has failed due to a temporary failure of the server."),
}


class GatewayError(Exception):
    """An error answer: a code, its HTTP status, its (possibly more specific) message, extra body fields.

    Without ``status`` the code must be in :data:`CATALOGUE`, which gives status and default message.
    """

    def __init__(
        self,
        code: str,
        message: str | None = None,
        *,
        status: int | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        if status is None:
            status, default_message = CATALOGUE[code]
            message = message or default_message
        self.status = status
        self.code = code
        self.message = message or code
        self.extra = dict(extra or {})
        super().__init__(f"{code}: {self.message}")

    @classmethod
    def invalid_parameter(cls, name: str) -> GatewayError:
        """``InvalidParameter`` naming the offending parameter."""
        return cls("InvalidParameter", f'The specified parameter "{name}" is not valid.')

    @classmethod
    def missing(cls, name: str) -> GatewayError:
        """``Missing<Name>``: a required parameter was not sent."""
        return cls(f"Missing{name}", f"{name} is mandatory for this action.", status=400)

    @classmethod
    def not_found(cls, code: str, name: str) -> GatewayError:
        """A ``...NotFound`` / ``EntityNotExist...`` code of the catalogue, naming the missing entity."""
        return cls(code, f"{CATALOGUE[code][1][:-1]}: {name}.")


def error_body(error: GatewayError, request_id: str, host_id: str, product_code: str | None) -> dict[str, Any]:
    """The JSON body of an error answer, shaped like the real gateway's."""
    recommend = f"https://api.aliyun.com/troubleshoot?q={error.code}"
    if product_code:
        recommend += f"&product={product_code}"
    return {
        "RequestId": request_id,
        "HostId": host_id,
        "Code": error.code,
        "Message": error.message,
        "Recommend": f"{recommend}&requestId={request_id}",
        **error.extra,
    }
