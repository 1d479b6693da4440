"""Every failure over HTTP in ACP's flat error shape, so a client parses one kind of body.

Request validation problems become 400 ``invalid`` with a JSONPath ``param``; framework errors
(no such route, wrong method) and the last-resort handler answer in the same shape.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from merchants.errors import ProtocolError

log = logging.getLogger("merchants.http")

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def json_path(loc: Sequence[str | int]) -> str:
    """RFC 9535 JSONPath of a pydantic error location: ``("items", 0)`` -> ``$.items[0]``."""
    path = "$"
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif _NAME.match(part):
            path += f".{part}"
        else:
            path += "['" + part.replace("\\", "\\\\").replace("'", "\\'") + "']"
    return path


def invalid_request(errors: Sequence[dict[str, Any]], where: str = "body") -> ProtocolError:
    """One 400 for a list of pydantic errors: the first names the field, the count the rest.

    Body fields get a JSONPath; query, path and header parameters are named as they are sent.
    """
    first = errors[0]
    loc = tuple(first.get("loc", ()))
    param = json_path(loc) if where == "body" else ".".join(map(str, loc)) or where
    message = "unknown field" if first.get("type") == "extra_forbidden" else first["msg"]
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return ProtocolError(400, "invalid_request", "invalid", f"{param}: {message}{more}", param)


def error_response(error: ProtocolError) -> JSONResponse:
    headers = {}
    if error.retry_after is not None:
        headers["Retry-After"] = str(max(0, math.ceil(error.retry_after)))
    if error.status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse(error.body().wire(), status_code=error.status, headers=headers)


def unexpected(problem: BaseException) -> JSONResponse:
    """The last resort: log the bug, answer 500 ``processing_error`` without internals."""
    log.error("unhandled error while serving a request", exc_info=problem)
    return error_response(
        ProtocolError(
            500, "processing_error", "processing_error", "The server failed to process the request."
        )
    )


async def _protocol(request: Request, problem: Exception) -> JSONResponse:
    assert isinstance(problem, ProtocolError)
    return error_response(problem)


async def _validation(request: Request, problem: Exception) -> JSONResponse:
    assert isinstance(problem, RequestValidationError)
    errors = list(problem.errors())
    where = str(errors[0]["loc"][0]) if errors and errors[0].get("loc") else "body"
    for error in errors:
        error["loc"] = tuple(error.get("loc", ()))[1:]
    return error_response(invalid_request(errors, where))


async def _http(request: Request, problem: Exception) -> JSONResponse:
    assert isinstance(problem, HTTPException)
    if problem.status_code == 404:
        error = ProtocolError(404, "invalid_request", "not_found", f"no route {request.url.path}")
    elif problem.status_code == 405:
        error = ProtocolError(
            405,
            "invalid_request",
            "method_not_allowed",
            f"{request.method} is not allowed on {request.url.path}",
        )
    else:
        kind = "processing_error" if problem.status_code >= 500 else "invalid_request"
        error = ProtocolError(problem.status_code, kind, "http_error", str(problem.detail))
    return error_response(error)


async def _last_resort(request: Request, problem: Exception) -> JSONResponse:
    return unexpected(problem)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ProtocolError, _protocol)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(Exception, _last_resort)
