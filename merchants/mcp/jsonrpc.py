"""JSON-RPC 2.0 as MCP uses it: one request or notification per POST, answers and errors.

A request has an ``id`` (string or number) and gets one answer; a notification has none and
gets no body (HTTP 202). Error codes are JSON-RPC's; ACP's binding sends every ACP error as
``-32000`` with ACP's ``Error`` object in ``data``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
ACP_ERROR = -32000  # the binding's one code for ACP errors

Id = str | int | None


class RpcError(Exception):
    """An error answer: JSON-RPC ``code``, a one-line ``message``, optional ``data``; ``ident``
    is the request's id when it could be read."""

    def __init__(self, code: int, message: str, data: Any = None, *, ident: Id = None) -> None:
        super().__init__(message)
        self.code, self.message, self.data, self.ident = code, message, data, ident

    def wire(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.data is not None:
            body["data"] = self.data
        return body


@dataclass(frozen=True, slots=True)
class Call:
    """One parsed message: ``notification`` when it has no ``id`` (then nothing is answered)."""

    method: str
    params: dict[str, Any]
    id: Id
    notification: bool


class JsonRpcMessage(BaseModel):
    """One JSON-RPC 2.0 message, as the OpenAPI document shows the MCP endpoint's body
    (:func:`parse` reads the body itself, with JSON-RPC's own errors)."""

    model_config = ConfigDict(extra="forbid")

    jsonrpc: Literal["2.0"]
    id: str | int | None = None
    method: str
    params: dict[str, Any] | None = None


def parse(raw: bytes) -> Call:
    """The message in ``raw``; RpcError (parse error or invalid request) when it is not one."""
    try:
        message = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as problem:
        raise RpcError(PARSE_ERROR, f"Parse error: {problem}") from None
    if isinstance(message, list):
        raise RpcError(INVALID_REQUEST, "Invalid Request: batches are not supported")
    if not isinstance(message, dict) or message.get("jsonrpc") != "2.0":
        raise RpcError(INVALID_REQUEST, 'Invalid Request: expected an object with "jsonrpc": "2.0"')
    ident = message.get("id")
    if "id" in message and (isinstance(ident, bool) or not isinstance(ident, str | int)):
        raise RpcError(INVALID_REQUEST, "Invalid Request: id must be a string or an integer")
    method = message.get("method")
    if not isinstance(method, str) or not method:
        if "result" in message or "error" in message:  # a client's answer: nothing to do
            return Call("", {}, None, True)
        raise RpcError(
            INVALID_REQUEST, "Invalid Request: method must be a non-empty string", ident=ident
        )
    params = message.get("params", {})
    if not isinstance(params, dict):
        raise RpcError(INVALID_PARAMS, "Invalid params: params must be an object", ident=ident)
    return Call(method, params, ident, "id" not in message)


def result(ident: Id, value: Any) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": ident, "result": value}


def error(ident: Id, problem: RpcError) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": ident, "error": problem.wire()}
