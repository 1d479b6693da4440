"""The MCP binding's tools, read from ACP's OpenRPC document, with schemas an MCP client can use.

The OpenRPC document (``openrpc/openrpc.agentic_checkout.json``) points its ``payload``
schemas into the JSON Schema bundle by relative file references; the binding says a server
MUST resolve and bundle them before serving tool schemas. :func:`input_schema` does: the
tool's ``meta``, ``id`` and ``payload`` as one object schema, with every ``$defs`` entry the
payload reaches copied in (and nothing else).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from merchants.specs import acp_spec_dir

VERSION = "2026-04-17"
_BUNDLE_REF = "../json-schema/schema.agentic_checkout.json#/$defs/"


@dataclass(frozen=True, slots=True)
class Tool:
    """One tool and the REST operation it maps to (``method``, path under the merchant)."""

    name: str
    title: str
    description: str
    method: str
    path: str  # under /merchants/{m}; ``{id}`` is the tool's ``id`` argument
    needs_id: bool
    payload: str | None  # the $defs name of its payload, None for get
    payload_required: bool

    def mcp(self) -> dict[str, Any]:
        """The tool as ``tools/list`` lists it."""
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "inputSchema": input_schema(self.name),
        }


#: Which REST operation each OpenRPC method stands for (the binding's table).
_ROUTES: dict[str, tuple[str, str]] = {
    "create_checkout_session": ("POST", "/checkout_sessions"),
    "get_checkout_session": ("GET", "/checkout_sessions/{id}"),
    "update_checkout_session": ("POST", "/checkout_sessions/{id}"),
    "complete_checkout_session": ("POST", "/checkout_sessions/{id}/complete"),
    "cancel_checkout_session": ("POST", "/checkout_sessions/{id}/cancel"),
}


@cache
def openrpc() -> dict[str, Any]:
    return json.loads(
        (acp_spec_dir(VERSION) / "openrpc" / "openrpc.agentic_checkout.json").read_text()
    )


@cache
def _definitions() -> dict[str, Any]:
    path = acp_spec_dir(VERSION) / "json-schema" / "schema.agentic_checkout.json"
    return json.loads(path.read_text())["$defs"]


def _tools() -> tuple[Tool, ...]:
    tools = []
    for method in openrpc()["methods"]:
        params = {p["name"]: p for p in method["params"]}
        payload = params.get("payload")
        verb, path = _ROUTES[method["name"]]
        tools.append(
            Tool(
                name=method["name"],
                title=method["summary"],
                description=method["description"],
                method=verb,
                path=path,
                needs_id="id" in params,
                payload=payload["schema"]["$ref"].removeprefix(_BUNDLE_REF) if payload else None,
                payload_required=bool(payload and payload.get("required")),
            )
        )
    return tuple(tools)


TOOLS: dict[str, Tool] = {tool.name: tool for tool in _tools()}


@cache
def input_schema(name: str) -> dict[str, Any]:
    """The tool's arguments as one self-contained JSON Schema (2020-12)."""
    tool = TOOLS[name]
    properties: dict[str, Any] = {"meta": openrpc()["components"]["schemas"]["meta"]}
    required = ["meta"]
    if tool.needs_id:
        properties["id"] = {"type": "string", "description": "The checkout session ID."}
        required.append("id")
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if tool.payload is not None:
        properties["payload"] = {"$ref": f"#/$defs/{tool.payload}"}
        if tool.payload_required:
            required.append("payload")
        schema["$defs"] = _reachable(tool.payload)
    schema["required"] = required
    return schema


def _reachable(root: str) -> dict[str, Any]:
    """``root`` and every definition it refers to, transitively."""
    definitions, found, waiting = _definitions(), {}, [root]
    while waiting:
        name = waiting.pop()
        if name in found:
            continue
        found[name] = definitions[name]
        waiting.extend(_refs(definitions[name]))
    return dict(sorted(found.items()))


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        names = []
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith("#/$defs/"):
                names.append(value.removeprefix("#/$defs/"))
            else:
                names.extend(_refs(value))
        return names
    if isinstance(node, list):
        return [name for item in node for name in _refs(item)]
    return []
