"""The approval API: the REST permission check, the SSE stream of requests, one request's
record, the answer to it, and the audit trail (see ccproxy.permissions)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from ccproxy.errors import BadRequest, ProxyError
from ccproxy.formats import sse
from ccproxy.permissions.approvals import CLOSING, AlreadyDecided, Approvals, UnknownRequest
from ccproxy.server.bodies import json_object
from ccproxy.server.hangup import before_hangup

# Often enough for proxies and terminals that drop idle connections.
PING_SECONDS = 15.0
_MAX_HISTORY = 1000


def _approvals(request: Request) -> Approvals:
    approvals: Approvals = request.app.state.approvals
    return approvals


async def _json_body(request: Request) -> dict[str, Any]:
    """The body of a state-changing call. JSON only: a browser cannot send that cross-site
    without a CORS preflight, which this server never grants, so no web page can answer."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise ProxyError("send the body as Content-Type: application/json", status=415)
    return json_object(await request.body())


async def check(request: Request) -> Response:
    """`POST /mcp/permission/check`: waits for the decision and answers it in the shape
    Claude Code's permission prompt tool returns, plus the request's id."""
    body = await _json_body(request)
    tool_name, tool_input = body.get("tool_name"), body.get("input", {})
    tool_use_id = body.get("tool_use_id")
    if not isinstance(tool_name, str) or not tool_name:
        raise BadRequest("`tool_name` must be a non-empty string", param="tool_name")
    if not isinstance(tool_input, dict):
        raise BadRequest("`input` must be a JSON object", param="input")
    if tool_use_id is not None and not isinstance(tool_use_id, str):
        raise BadRequest("`tool_use_id` must be a string", param="tool_use_id")
    approvals = _approvals(request)
    decided = await before_hangup(request, approvals.decide(tool_name, tool_input, tool_use_id))
    return JSONResponse({**decided.result(), "request_id": decided.id, "status": decided.status})


async def pending(request: Request) -> Response:
    """The requests waiting for a decision, oldest first."""
    waiting = _approvals(request).pending()
    return JSONResponse({"object": "list", "data": [r.record() for r in waiting]})


async def one(request: Request) -> Response:
    found = _approvals(request).get(request.path_params["request_id"])
    if found is None:
        raise ProxyError("no such permission request", status=404)
    return JSONResponse(found.record())


async def respond(request: Request) -> Response:
    """`{"allowed": bool, "message"?: str, "by"?: str}`; 409 once decided, 404 unknown."""
    body = await _json_body(request)
    allowed, message, by = body.get("allowed"), body.get("message"), body.get("by", "api")
    if not isinstance(allowed, bool):
        raise BadRequest("`allowed` must be true or false", param="allowed")
    if message is not None and not isinstance(message, str):
        raise BadRequest("`message` must be a string", param="message")
    if not isinstance(by, str) or not by.strip():
        raise BadRequest("`by` must be a non-empty string naming who answers", param="by")
    try:
        decided = _approvals(request).respond(
            request.path_params["request_id"], allowed, message, by.strip()[:100]
        )
    except UnknownRequest:
        raise ProxyError("no such permission request", status=404) from None
    except AlreadyDecided as exc:
        raise ProxyError(f"{exc}; nothing changed", status=409) from None
    return JSONResponse(decided.record())


async def history(request: Request) -> Response:
    """The audit trail: decided requests, newest first (`?limit=`, at most 1000)."""
    raw = request.query_params.get("limit", "100")
    if not raw.isdigit() or not 1 <= int(raw) <= _MAX_HISTORY:
        raise BadRequest(f"`limit` must be a whole number from 1 to {_MAX_HISTORY}", param="limit")
    decided = _approvals(request).history(int(raw))
    return JSONResponse({"object": "list", "data": [r.record() for r in decided]})


async def stream(request: Request) -> Response:
    """SSE: a `ping` at once, every pending request, then each change as it happens."""
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(
        _events(_approvals(request)), media_type="text/event-stream", headers=headers
    )


async def _events(approvals: Approvals) -> AsyncIterator[bytes]:
    with approvals.listening() as queue:
        # The ping says how many requests the replay holds, so a client knows when it is over.
        waiting = approvals.pending()
        replayed = {request.id for request in waiting}
        yield sse.encode("ping", {"pending": len(waiting)})
        for request in waiting:
            yield sse.encode("permission_request", request.event())
        while True:
            try:
                kind, data = await asyncio.wait_for(queue.get(), PING_SECONDS)
            except TimeoutError:
                yield sse.encode("ping", {"pending": len(approvals.pending())})
                continue
            if (kind, data) == CLOSING:
                return
            if kind == "permission_request" and data["id"] in replayed:
                continue  # announced by the replay already
            yield sse.encode(kind, data)


ROUTES = [
    Route("/mcp/permission/check", check, methods=["POST"]),
    Route("/permissions", pending, methods=["GET"]),
    Route("/permissions/stream", stream, methods=["GET"]),
    Route("/permissions/history", history, methods=["GET"]),
    Route("/permissions/{request_id}", one, methods=["GET"]),
    Route("/permissions/{request_id}/respond", respond, methods=["POST"]),
]
