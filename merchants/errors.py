"""Protocol problems: the request itself is wrong, so the answer is a 4xx/5xx, not a message.

Business problems (out of stock, a declined card) are ``messages[]`` on a 2xx instead; see
:mod:`merchants.checkout`.
"""

from __future__ import annotations

from merchants.acp import ErrorBody


class ProtocolError(Exception):
    """An ACP error with its HTTP status; in process it is raised, over HTTP it is the body."""

    def __init__(
        self,
        status: int,
        type: str,
        code: str,
        message: str,
        param: str | None = None,
        retry_after: float | None = None,
        supported_versions: tuple[str, ...] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.type, self.code, self.message, self.param = (
            status,
            type,
            code,
            message,
            param,
        )
        self.retry_after = retry_after
        self.supported_versions = supported_versions

    def body(self) -> ErrorBody:
        versions = list(self.supported_versions) if self.supported_versions else None
        return ErrorBody(
            type=self.type,
            code=self.code,
            message=self.message,
            param=self.param,
            supported_versions=versions,
        )


def not_found(what: str, param: str | None = None) -> ProtocolError:
    return ProtocolError(404, "invalid_request", "not_found", f"{what} not found", param)


def invalid(message: str, param: str | None = None, code: str = "invalid") -> ProtocolError:
    return ProtocolError(400, "invalid_request", code, message, param)
