"""UCP's error shape: an HTTP 4xx whose body says ``requires_escalation`` with error messages.

UCP 2026-01-11 (checkout-rest.md, "Error Responses") answers a refused request with
``{"status": "requires_escalation", "messages": [{"type": "error", "code", "content",
"severity"}]}``. The body also carries ``detail``, the same sentence, as FastAPI-style clients
(and the conformance suite) read it.
"""

from __future__ import annotations

from typing import Any, Literal

Severity = Literal["recoverable", "requires_buyer_input", "requires_buyer_review"]


class UcpError(Exception):
    """A refused UCP request: its HTTP status, an error ``code`` and a one-line ``content``."""

    def __init__(
        self,
        status: int,
        code: str,
        content: str,
        *,
        path: str | None = None,
        severity: Severity = "recoverable",
    ) -> None:
        super().__init__(f"{status} {code}: {content}")
        self.status, self.code, self.content, self.path = status, code, content, path
        self.severity = severity

    def body(self) -> dict[str, Any]:
        message: dict[str, Any] = {
            "type": "error",
            "code": self.code,
            "content": self.content,
            "severity": self.severity,
        }
        if self.path is not None:
            message["path"] = self.path
        return {"status": "requires_escalation", "messages": [message], "detail": self.content}


def invalid(content: str, path: str | None = None, code: str = "invalid_request") -> UcpError:
    """A request UCP's schemas refuse (wrong type, missing field): 422, as pydantic answers."""
    return UcpError(422, code, content, path=path)


def refused(content: str, code: str, path: str | None = None) -> UcpError:
    """A well-formed request the store cannot serve (unknown product, no stock): 400."""
    return UcpError(400, code, content, path=path, severity="requires_buyer_input")


def not_found(what: str) -> UcpError:
    return UcpError(404, "not_found", f"{what} not found")


def conflict(content: str, code: str = "conflict") -> UcpError:
    return UcpError(409, code, content)
