"""The error codes the sandbox answers with, their HTTP status and message, and the error body."""

from __future__ import annotations

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
    """An error answer: a catalogue code, its HTTP status, and its (possibly more specific) message."""

    def __init__(self, code: str, message: str | None = None) -> None:
        self.status, default_message = CATALOGUE[code]
        self.code = code
        self.message = message or default_message
        super().__init__(f"{code}: {self.message}")

    @classmethod
    def invalid_parameter(cls, name: str) -> GatewayError:
        """``InvalidParameter`` naming the offending parameter."""
        return cls("InvalidParameter", f'The specified parameter "{name}" is not valid.')


def error_body(code: str, message: str, request_id: str, host_id: str) -> dict:
    """The JSON body of an error answer, shaped like the real gateway's."""
    return {
        "RequestId": request_id,
        "HostId": host_id,
        "Code": code,
        "Message": message,
        "Recommend": f"https://api.aliyun.com/troubleshoot?q={code}&product=Ecs&requestId={request_id}",
    }
