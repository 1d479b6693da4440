"""``POST /merchants/{m}/mcp``: MCP over streamable HTTP, answering in JSON, no server stream.

Methods: ``initialize`` (tools only; the client's protocol version when supported, else the
latest), ``ping``, ``tools/list`` (the binding's five tools) and ``tools/call``; notifications
get 202 and no body. A tool call becomes the REST request it maps to, sent in process to this
very app (``request.app``), so it runs the same route (headers, idempotency, version
rendering, error shapes) as a REST client would: ``meta`` gives the headers (``api_version`` to
``API-Version``, ...), ``id`` the path, ``payload`` the body, and the MCP request's own
``Authorization`` is passed on. A 2xx body comes back as the tool's ``structuredContent`` (and
as text); any ACP error as JSON-RPC ``-32000`` with ACP's ``Error`` in ``data``.

No MCP library: these four methods are all the binding needs, and the ``mcp`` package would
bring its own server stack (starlette, sse-starlette, pydantic-settings, ...) into every
install for that. The server is stateless (no ``Mcp-Session-Id``); ``GET`` is 405, as the
transport allows for a server that opens no stream. A browser page from another origin is
refused (403), as the transport requires against DNS rebinding.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from merchants.http.body import read_body
from merchants.http.headers import admin_headers
from merchants.http.openapi import request_body
from merchants.mcp.jsonrpc import (
    ACP_ERROR,
    INTERNAL_ERROR,
    INVALID_PARAMS,
    METHOD_NOT_FOUND,
    Call,
    JsonRpcMessage,
    RpcError,
    error,
    parse,
    result,
)
from merchants.mcp.tools import TOOLS, Tool

#: MCP protocol revisions this endpoint speaks, oldest first.
PROTOCOL_VERSIONS: tuple[str, ...] = ("2025-03-26", "2025-06-18", "2025-11-25")
SERVER_INFO = {"name": "agent-checkout-merchant", "title": "agent-checkout mock merchant"}
#: ``meta`` fields and the ACP headers they stand for (the binding's header mapping).
META_HEADERS = {
    "api_version": "API-Version",
    "idempotency_key": "Idempotency-Key",
    "request_id": "Request-Id",
    "user_agent": "User-Agent",
    "accept_language": "Accept-Language",
    "signature": "Signature",
    "timestamp": "Timestamp",
}
_LOCAL_ORIGINS = ("127.0.0.1", "localhost", "::1", "testserver")


def mcp_router(token: str | None) -> APIRouter:
    """The MCP endpoint of every merchant; ``token`` guards it as it does the admin routes."""
    router = APIRouter(dependencies=[Depends(admin_headers(token))], tags=["mcp"])

    @router.post("/merchants/{merchant_id}/mcp", openapi_extra=request_body(JsonRpcMessage))
    async def mcp(merchant_id: str, request: Request) -> Response:
        origin = request.headers.get("origin")
        if origin is not None and urlsplit(origin).hostname not in _LOCAL_ORIGINS:
            problem = RpcError(-32600, f"Origin {origin!r} is not allowed")
            return JSONResponse(error(None, problem), status_code=403)
        version = request.headers.get("mcp-protocol-version")
        if version is not None and version not in PROTOCOL_VERSIONS:
            problem = RpcError(-32600, f"MCP-Protocol-Version {version!r} is not supported")
            return JSONResponse(error(None, problem), status_code=400)
        try:
            call = parse(await read_body(request))
        except RpcError as problem:
            return JSONResponse(error(problem.ident, problem), status_code=400)
        if call.notification:
            return Response(status_code=202)
        try:
            value = await _answer(call, merchant_id, request)
        except RpcError as problem:
            return JSONResponse(error(call.id, problem))
        return JSONResponse(result(call.id, value))

    return router


async def _answer(call: Call, merchant_id: str, request: Request) -> Any:
    if call.method == "initialize":
        asked = call.params.get("protocolVersion")
        return {
            "protocolVersion": asked if asked in PROTOCOL_VERSIONS else PROTOCOL_VERSIONS[-1],
            "capabilities": {"tools": {"listChanged": False}},
            "serverInfo": {**SERVER_INFO, "version": "2026-04-17"},
            "instructions": f"ACP checkout tools of merchant {merchant_id}. Every call needs "
            "meta.api_version; create, update and complete a payload (the REST request body); "
            "under 2026-04-17 create, update, complete and cancel a meta.idempotency_key.",
        }
    if call.method == "ping":
        return {}
    if call.method == "tools/list":
        return {"tools": [tool.mcp() for tool in TOOLS.values()]}
    if call.method == "tools/call":
        return await _call_tool(call.params, merchant_id, request)
    raise RpcError(METHOD_NOT_FOUND, f"Method not found: {call.method}")


async def _call_tool(params: dict[str, Any], merchant_id: str, request: Request) -> Any:
    name, arguments = params.get("name"), params.get("arguments", {})
    tool = TOOLS.get(name) if isinstance(name, str) else None
    if tool is None:
        raise RpcError(INVALID_PARAMS, f"Unknown tool: {name!r} (tools: {', '.join(TOOLS)})")
    if not isinstance(arguments, dict):
        raise RpcError(INVALID_PARAMS, "Invalid params: arguments must be an object")
    method, path, headers, body = _rest_request(tool, arguments, merchant_id)
    if "authorization" in request.headers:
        headers["Authorization"] = request.headers["authorization"]
    transport = httpx.ASGITransport(app=request.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://merchant") as client:
        answer = await client.request(method, path, headers=headers, content=body)
    try:
        data = answer.json()
    except ValueError:  # every route answers JSON; kept as the last guard
        raise RpcError(INTERNAL_ERROR, f"the merchant answered HTTP {answer.status_code}") from None
    if answer.is_success:
        return {
            "content": [{"type": "text", "text": answer.text}],
            "structuredContent": data,
            "isError": False,
        }
    message = data.get("message", answer.reason_phrase) if isinstance(data, dict) else ""
    raise RpcError(ACP_ERROR, message, data)


def _rest_request(
    tool: Tool, arguments: dict[str, Any], merchant_id: str
) -> tuple[str, str, dict[str, str], bytes | None]:
    """The REST request a tool call stands for; -32602 when the arguments' envelope is wrong."""
    meta = arguments.get("meta")
    if not isinstance(meta, dict) or not isinstance(meta.get("api_version"), str):
        raise RpcError(INVALID_PARAMS, "Invalid params: meta.api_version (a string) is required")
    headers = {"Content-Type": "application/json"}
    for field, header in META_HEADERS.items():
        value = meta.get(field)
        if value is not None:
            if not isinstance(value, str) or not (value.isascii() and value.isprintable()):
                raise RpcError(
                    INVALID_PARAMS, f"Invalid params: meta.{field} must be a printable ASCII string"
                )
            headers[header] = value
    ident = arguments.get("id")
    if tool.needs_id and (not isinstance(ident, str) or not ident):
        raise RpcError(INVALID_PARAMS, f"Invalid params: {tool.name} needs id (a string)")
    path = f"/merchants/{quote(merchant_id, safe='')}" + tool.path.format(
        id=quote(ident or "", safe="")
    )
    body: bytes | None = None
    if tool.payload is not None:
        payload = arguments.get("payload")
        if payload is None and tool.payload_required:
            raise RpcError(INVALID_PARAMS, f"Invalid params: {tool.name} needs payload")
        if payload is not None and not isinstance(payload, dict):
            raise RpcError(INVALID_PARAMS, "Invalid params: payload must be an object")
        if payload is not None:
            body = json.dumps(payload).encode()
    return tool.method, path, headers, body
