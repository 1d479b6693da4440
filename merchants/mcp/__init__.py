"""ACP's MCP binding (2026-04-17): the five checkout tools of its OpenRPC document over MCP.

:mod:`merchants.mcp.tools` reads the tools from the shipped OpenRPC document, with their input
schemas bundled; :mod:`merchants.mcp.jsonrpc` is the JSON-RPC 2.0 envelope; and
:mod:`merchants.mcp.endpoint` serves ``POST /merchants/{m}/mcp`` (MCP streamable HTTP, JSON
answers), each tool call running the very REST route it maps to.
"""

from merchants.mcp.endpoint import mcp_router
from merchants.mcp.jsonrpc import JsonRpcMessage
from merchants.mcp.tools import TOOLS, Tool

__all__ = ["TOOLS", "JsonRpcMessage", "Tool", "mcp_router"]
