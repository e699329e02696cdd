"""`/metrics` and the access-log API: `/logs/status`, `/logs/query`, `/logs/stream`."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from importlib.resources import files
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from ccproxy.errors import BadRequest, ProxyError
from ccproxy.formats import sse
from ccproxy.observability.query import Query, parse_cursor
from ccproxy.observability.recorder import CLOSING, Recorder

if TYPE_CHECKING:
    from ccproxy.observability.store import AccessLog

PING_SECONDS = 15.0
MAX_ROWS = 1000


def _recorder(request: Request) -> Recorder:
    recorder: Recorder | None = request.app.state.recorder
    if recorder is None:
        raise ProxyError("observability is off; see docs/observability.md", status=404)
    return recorder


def _store(request: Request) -> AccessLog:
    recorder = _recorder(request)
    if recorder.store is None:
        raise ProxyError(
            "no access log: it is off (OBSERVABILITY__LOGS_ENABLED=true) or another process "
            "holds its file (see the server log)", status=404,
        )  # fmt: skip
    recorder.settle()  # what a reader asks for includes the requests that just ended
    return recorder.store


async def metrics(request: Request) -> Response:
    recorder = _recorder(request)
    if recorder.metrics is None:
        raise ProxyError("metrics are off; set OBSERVABILITY__METRICS_ENABLED=true", status=404)
    recorder.settle()
    return Response(recorder.metrics.exposition(), media_type=recorder.metrics.content_type)


async def logs_status(request: Request) -> Response:
    return JSONResponse(await _store(request).status())


async def logs_query(request: Request) -> Response:
    store = _store(request)
    return JSONResponse(await store.query(parse_query(dict(request.query_params))))


def parse_query(params: dict[str, str]) -> Query:
    """`start`/`end` (RFC 3339 or epoch seconds), `model`, `provider`, `status` (404 or 4xx),
    `limit` (1-1000), `cursor` (from the previous page's `next_cursor`)."""
    status, status_class = _status(params.get("status"))
    limit = params.get("limit", "100")
    if not limit.isdigit() or not 1 <= int(limit) <= MAX_ROWS:
        raise BadRequest(f"`limit` must be a whole number from 1 to {MAX_ROWS}", param="limit")
    cursor = params.get("cursor") or None
    if cursor is not None:
        try:
            parse_cursor(cursor)
        except (ValueError, UnicodeDecodeError):
            raise BadRequest("`cursor` is not one this server gave", param="cursor") from None
    return Query(
        start=_time(params, "start"), end=_time(params, "end"),
        model=params.get("model") or None, provider=params.get("provider") or None,
        status=status, status_class=status_class, limit=int(limit), cursor=cursor,
    )  # fmt: skip


def _status(given: str | None) -> tuple[int | None, int | None]:
    if not given:
        return None, None
    if len(given) == 3 and given[0] in "12345" and given[1:].lower() == "xx":
        return None, int(given[0])
    if given.isdigit() and 100 <= int(given) <= 599:
        return int(given), None
    raise BadRequest("`status` must be a status code (429) or a class (5xx)", param="status")


def _time(params: dict[str, str], name: str) -> datetime | None:
    given = params.get(name)
    if not given:
        return None
    try:
        if given.replace(".", "", 1).isdigit():
            return datetime.fromtimestamp(float(given), UTC)
        moment = datetime.fromisoformat(given.replace("Z", "+00:00"))
    except (ValueError, OverflowError):
        raise BadRequest(f"`{name}` must be RFC 3339 or epoch seconds", param=name) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def logs_stream(request: Request) -> Response:
    """SSE: each new access entry as JSON (`event: entry`), and a `ping` every 15 s."""
    _store(request)
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    events = _entries(_recorder(request))
    return StreamingResponse(events, media_type="text/event-stream", headers=headers)


async def _entries(recorder: Recorder) -> AsyncIterator[bytes]:
    with recorder.listening() as queue:
        yield sse.encode("ping", {})
        while True:
            try:
                entry: dict[str, Any] = await asyncio.wait_for(queue.get(), PING_SECONDS)
            except TimeoutError:
                yield sse.encode("ping", {})
                continue
            if entry is CLOSING:
                return
            yield sse.encode("entry", entry)


async def dashboard(request: Request) -> Response:
    if not request.app.state.settings.observability.dashboard_enabled:
        raise ProxyError(
            "the dashboard is off; set OBSERVABILITY__DASHBOARD_ENABLED=true", status=404
        )
    return HTMLResponse(_page(), headers={"Cache-Control": "no-cache"})


async def dashboard_limits(request: Request) -> Response:
    """The upstreams' last usage-limit headers, for the dashboard's gauges."""
    _recorder(request)
    return JSONResponse(usage_limits(request.app))


def usage_limits(app: Starlette) -> dict[str, dict[str, str]]:
    """provider -> the usage-limit headers it saw last (Anthropic and Codex)."""
    limits = {"claude_api": app.state.claude.rate_limits}
    if app.state.codex is not None:
        limits["codex"] = app.state.codex.usage_limits
    return limits


@functools.cache
def _page() -> str:
    return files("ccproxy.observability").joinpath("dashboard/index.html").read_text()


ROUTES = [
    Route("/metrics", metrics, methods=["GET"]),
    Route("/logs/status", logs_status, methods=["GET"]),
    Route("/logs/query", logs_query, methods=["GET"]),
    Route("/logs/stream", logs_stream, methods=["GET"]),
    Route("/dashboard", dashboard, methods=["GET"]),
    Route("/dashboard/limits", dashboard_limits, methods=["GET"]),
]
