"""Etsy's errors: an HTTP status and a one-line message, sent as ``{"error": "..."}``.

Raised in process; the HTTP layer turns one into its status and Etsy's flat error body, so a
client of the mock parses the same shape the real Open API v3 sends.
"""

from __future__ import annotations


class EtsyError(Exception):
    """A refused Etsy request: ``status`` is the HTTP status, ``message`` says what was wrong."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status, self.message = status, message

    def body(self) -> dict[str, str]:
        return {"error": self.message}


def invalid_parameter(name: str, problem: str) -> EtsyError:
    """A 400 naming the parameter, as every bad search or refund argument is reported."""
    return EtsyError(400, f"Invalid parameter {name}: {problem}")


def integer_parameter(name: str, value: object, low: int, high: int | None = None) -> int:
    """``value`` if it is an int in ``[low, high]``, else a 400 naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid_parameter(name, f"expected an integer, got {value!r}")
    if value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise invalid_parameter(name, f"must be {bounds}, got {value}")
    return value


def not_found(what: str) -> EtsyError:
    return EtsyError(404, f"{what} not found")
