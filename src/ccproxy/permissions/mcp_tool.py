"""The MCP server behind `/mcp`: one tool, `check_permission`, that Claude Code calls as its
permission prompt tool (UPSTREAMS.md §5.4). Streamable HTTP, stateless, JSON answers: every
call stands alone, so a restarted proxy serves a running Claude Code without a new handshake.
"""

from __future__ import annotations

import json
from typing import Any

import mcp_types as types
from mcp.server import Server, ServerRequestContext
from mcp.server.streamable_http_manager import StreamableHTTPASGIApp, StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from starlette.types import ASGIApp

from ccproxy import __version__
from ccproxy.permissions.approvals import Approvals

SERVER_NAME = "ccproxy"
TOOL_NAME = "check_permission"

_TOOL = types.Tool(
    name=TOOL_NAME,
    description=(
        "Ask the person running ccproxy whether Claude Code may use a tool. Returns a JSON "
        'text: {"behavior": "allow", "updatedInput": {...}} or {"behavior": "deny", '
        '"message": "..."}.'
    ),
    input_schema={
        "type": "object",
        "properties": {
            "tool_name": {"type": "string", "description": "The tool Claude wants to use."},
            "input": {"type": "object", "description": "The tool's input, any JSON object."},
            "tool_use_id": {"type": "string", "description": "The tool_use block's id."},
        },
        "required": ["tool_name", "input"],
    },
)

_LOOPBACK_HOSTS = ["127.0.0.1:*", "localhost:*", "[::1]:*"]
_LOOPBACK_ORIGINS = ["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"]


def session_manager(approvals: Approvals, bind_host: str) -> StreamableHTTPSessionManager:
    """The MCP endpoint's session manager; run it (`async with .run()`) for the app's life."""

    async def list_tools(
        ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        return types.ListToolsResult(tools=[_TOOL])

    async def call_tool(
        ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        if params.name != TOOL_NAME:
            return _error(f"unknown tool {params.name!r}; this server has {TOOL_NAME!r}")
        arguments = params.arguments or {}
        tool_name, tool_input = arguments.get("tool_name"), arguments.get("input", {})
        tool_use_id = arguments.get("tool_use_id")
        if not isinstance(tool_name, str) or not isinstance(tool_input, dict):
            return _error("check_permission needs `tool_name` (a string) and `input` (an object)")
        if not isinstance(tool_use_id, str):
            tool_use_id = None
        request = await approvals.decide(tool_name, tool_input, tool_use_id)
        return _text(json.dumps(request.result()))

    server: Server[Any] = Server(
        SERVER_NAME, version=__version__, on_list_tools=list_tools, on_call_tool=call_tool
    )
    return StreamableHTTPSessionManager(
        app=server,
        json_response=True,
        stateless=True,
        security_settings=_transport_security(bind_host),
    )


def endpoint(manager: StreamableHTTPSessionManager) -> ASGIApp:
    return StreamableHTTPASGIApp(manager)


def _transport_security(bind_host: str) -> TransportSecuritySettings | None:
    """On a loopback bind, only loopback Host and Origin headers (no DNS rebinding); on other
    binds the client token is what guards the endpoint."""
    if bind_host not in ("127.0.0.1", "localhost", "::1"):
        return None
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=_LOOPBACK_HOSTS,
        allowed_origins=_LOOPBACK_ORIGINS,
    )


def _text(text: str) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(text=text)])


def _error(message: str) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(text=message)], is_error=True)
