"""The synchronization API's error answers: an HTTP status and a body ``{"error": {"code", "message"}}``."""

from __future__ import annotations

from http import HTTPStatus

# The codes JupiterOne answers with where they differ from the status's own name.
_CODES = {413: "RequestEntityTooLargeException", 500: "INTERNAL_ERROR"}


class SyncError(Exception):
    """An error answer: HTTP ``status``, ``code`` and a message naming what was wrong."""

    def __init__(self, status: int, code: str, message: str) -> None:
        self.status = status
        self.code = code
        self.message = message
        super().__init__(f"{code}: {message}")

    @classmethod
    def of_status(cls, status: int, message: str | None = None) -> SyncError:
        """The answer of that status with the service's code for it, e.g. 429 ``TOO_MANY_REQUESTS``."""
        known = HTTPStatus(status)
        return cls(status, _CODES.get(status, known.name), message or known.phrase)

    @classmethod
    def bad_request(cls, message: str) -> SyncError:
        """400 ``BAD_REQUEST``."""
        return cls(400, "BAD_REQUEST", message)

    def body(self) -> dict:
        """The JSON body of the answer."""
        return {"error": {"code": self.code, "message": self.message}}
