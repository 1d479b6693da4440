"""Request bodies: read at most 64 KiB, then validate strictly against the ACP wire models.

Strict, so ``"quantity": "2"`` is the wrong type it is in ACP's JSON Schema rather than a
number pydantic quietly coerced; unknown fields are refused by the models themselves.
"""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError
from starlette.requests import Request

from merchants.errors import ProtocolError
from merchants.http.errors import invalid_request

MAX_BODY_BYTES = 64 * 1024

Model = TypeVar("Model", bound=BaseModel)


class NoBody(BaseModel):
    """What a request without a body (cancel) may send: nothing, or ``{}``."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def too_large(limit: int) -> ProtocolError:
    return ProtocolError(
        413, "invalid_request", "request_too_large", f"request body exceeds {limit} bytes"
    )


async def read_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The raw body, refusing (413) as soon as it is known to exceed ``limit``."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large(limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def parse_body(raw: bytes, model: type[Model]) -> Model:
    """Validate a JSON body; any problem is a 400 naming the first bad field by JSONPath."""
    if (model is NoBody or getattr(model, "body_optional", False)) and not raw.strip():
        raw = b"{}"
    try:
        return model.model_validate_json(raw, strict=True)
    except ValidationError as problem:
        raise invalid_request(problem.errors(include_url=False)) from None
