"""Pure ASGI middleware that leaves one AccessEntry per request: created on arrival (routes add
what they know through `request.state.access`), finished when the response is done, the client
has gone or the app failed, and handed to the Recorder exactly once.

It takes ServerTiming's place in the stack and adds its header too: one layer less around every
`send` on the busiest path."""

from __future__ import annotations

import json
import random
import time
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ccproxy.http import Upstream
from ccproxy.observability.entry import AccessEntry, UsageTap
from ccproxy.observability.recorder import Recorder
from ccproxy.server.middleware import ServerTiming, timing

# The observability routes themselves and the liveness probe: a dashboard or a monitor that
# logged its own polling would drown the traffic it shows.
UNRECORDED = ("/metrics", "/logs/", "/dashboard", "/health")
_ERROR_BODY_LIMIT = 65536


class AccessRecording:
    def __init__(self, app: ASGIApp, recorder: Recorder) -> None:
        self.app = app
        self.recorder = recorder
        self.unrecorded = ServerTiming(app)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(UNRECORDED):
            await self.unrecorded(scope, receive, send)
            return
        entry = _new_entry(scope)
        state = scope.setdefault("state", {})
        state["access"] = entry
        started = time.perf_counter()
        error_body = bytearray()

        async def recording_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                entry.status_code = message["status"]
                message["headers"] = [
                    *message.get("headers", ()),
                    (b"server-timing", timing(started, state)),
                    (b"x-ccproxy-request-id", entry.request_id.encode()),
                ]
            elif entry.ttfb_ms is None and message.get("body"):
                entry.ttfb_ms = (time.perf_counter() - started) * 1000
            if entry.status_code >= 400 and len(error_body) < _ERROR_BODY_LIMIT:
                error_body.extend(message.get("body", b""))
            await send(message)

        self.recorder.in_flight += 1
        try:
            await self.app(scope, receive, recording_send)
        except BaseException:
            entry.status_code = entry.status_code or 500
            entry.error_type = entry.error_type or "internal_error"
            raise
        finally:
            self.recorder.in_flight -= 1
            _finish(entry, scope, started, bytes(error_body))
            self.recorder.record(entry)


def entry_of(request: Request) -> AccessEntry | None:
    """The request's access entry (None when recording is off for its route)."""
    found = request.scope.get("state", {}).get("access")
    return found if isinstance(found, AccessEntry) else None


def _new_entry(scope: Scope) -> AccessEntry:
    agent = b""
    for name, value in scope["headers"]:
        if name == b"user-agent":
            agent = value
            break
    return AccessEntry(
        # 128 random bits, like a uuid4, without its system call (tens of µs on some VMs).
        request_id=f"{random.getrandbits(128):032x}",
        timestamp=time.time(),
        method=scope["method"],
        path=scope["path"],
        user_agent=agent.decode("latin-1")[:300] or None,
    )


def _finish(entry: AccessEntry, scope: Scope, started: float, error_body: bytes) -> None:
    entry.duration_ms = (time.perf_counter() - started) * 1000
    route = scope.get("route")
    entry.route = getattr(route, "path", None)
    if entry.status_code >= 400 and entry.error_type is None:
        entry.error_type = _error_type(error_body) or f"http_{entry.status_code}"


def _error_type(body: bytes) -> str | None:
    """The `error.type` of an Anthropic or OpenAI error envelope."""
    try:
        error = json.loads(body).get("error")
    except (ValueError, AttributeError):
        return None
    kind = error.get("type") if isinstance(error, dict) else None
    return kind if isinstance(kind, str) and kind else None


def observe(request: Request, upstream: Upstream) -> None:
    """Count the tokens of `upstream`'s body into the request's entry as it passes."""
    entry = entry_of(request)
    if entry is not None:
        upstream.tap = UsageTap(entry) if upstream.is_event_stream else entry.keep_body


def served(
    request: Request, provider: str, client_format: str, asked: Any, model: str | None,
    *, stream: bool, session: str | None = None,
) -> None:  # fmt: skip
    """What the route knows before it calls the upstream."""
    entry = entry_of(request)
    if entry is not None:
        entry.served_by(provider, client_format, asked, stream)
        entry.model_used, entry.session_id = model, session


def left(scope: Scope) -> None:
    """The client went away before its answer was complete."""
    entry = scope.get("state", {}).get("access")
    if isinstance(entry, AccessEntry):
        entry.error_type = "client_disconnected"
