"""A fake ChatGPT backend (`…/backend-api/codex/responses`) that enforces what the real one
demands (see chatgpt_rules) and streams recorded-shape Responses events (see chatgpt_script).

Behaviour is chosen by the `model` field:
- `fake-hang`: no answer until `gate` is set; a caller that hangs up first is counted in
  `abandoned_requests`;
- `fake-usage-limit`: 429 with the usage-limit error body, `retry-after` and `x-codex-*` headers
  (also any model for an access token in `limited`, token → `retry-after`);
- `fake-failed`: `error` then `response.failed` after `response.created`;
- `fake-cut-stream`: the connection drops in the middle of an event;
- `fake-no-completed`: the stream ends after the items, with no final event;
- `fake-sparse-completed` / `fake-dict-output`: `response.completed` with `output: []` / `{}`;
- `fake-data-only`: frames without `event:` lines, with CRLF line endings.
Every request is recorded. Setting `prompt` makes instructions that do not start with it fail
with "Instructions are not valid".
"""

from __future__ import annotations

import json
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.fakes import chatgpt_rules as rules
from tests.fakes import chatgpt_script as script
from tests.fakes.anthropic_api import Recorded, answer_awaited
from tests.fakes.openai_oauth import FakeOpenAIOAuth

PATH = "/backend-api/codex"
LIMITS = {
    "x-codex-primary-used-percent": "12.5",
    "x-codex-primary-window-minutes": "300",
    "x-codex-primary-reset-after-seconds": "1800",
    "x-codex-secondary-used-percent": "40",
    "x-codex-secondary-window-minutes": "10080",
}


class FakeChatGPT:
    def __init__(self, oauth: FakeOpenAIOAuth) -> None:
        self.oauth = oauth
        self.prompt: str | None = None
        self.requests: list[Recorded] = []
        self.overloads = 0  # the next this-many requests are answered 503
        self.limited: dict[str, str] = {}  # access token → its usage limit's `retry-after`
        self.gate = threading.Event()
        self.abandoned_requests = 0
        self.app = Starlette(
            routes=[
                Route(PATH + "/responses", self.responses, methods=["POST"]),
                Route("/{path:path}", self.unknown, methods=["GET", "POST"]),
            ]
        )

    def bodies(self) -> list[dict[str, Any]]:
        return [r.json() for r in self.requests if r.path.endswith("/responses")]

    async def responses(self, request: Request) -> Response:
        recorded = await Recorded.of(request)
        self.requests.append(recorded)
        headers = {k: v for k, v in recorded.headers}
        try:
            body = recorded.json()
        except ValueError:
            body = None
        refused = (
            rules.credentials(headers, self.oauth)
            or rules.headers_refusal(headers)
            or rules.body_refusal(body, self.prompt)
        )
        if refused:
            return JSONResponse({"detail": refused[1]}, status_code=refused[0])
        if self.overloads > 0:
            self.overloads -= 1
            return JSONResponse({"detail": "overloaded"}, status_code=503)
        if body["model"] == "fake-hang" and not await answer_awaited(self.gate, request):
            self.abandoned_requests += 1
            return Response(status_code=499)
        if body["model"] == "fake-usage-limit":
            return _usage_limit()
        token = headers.get("authorization", "").removeprefix("Bearer ")
        if token in self.limited:
            return _usage_limit(self.limited[token])
        return StreamingResponse(
            self._stream(body),
            media_type="text/event-stream",
            headers={**LIMITS, "x-request-id": "req_codex_fake", "set-cookie": "_cf=1"},
        )

    async def _stream(self, body: dict[str, Any]) -> AsyncIterator[bytes]:
        model = body["model"]
        frame = _data_only if model == "fake-data-only" else _framed
        for number, event in enumerate(_events(model, script.reply(body))):
            if model == "fake-cut-stream" and event["type"] == "response.output_text.done":
                yield b'event: response.output_text.done\ndata: {"type":"resp'
                raise ConnectionAbortedError("fake backend drops the connection mid-event")
            yield frame({**event, "sequence_number": number})

    async def unknown(self, request: Request) -> Response:
        return JSONResponse({"detail": "Not Found"}, status_code=404)


def _events(model: str, items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    started = script.response(model, "in_progress", [], None)
    yield {"type": "response.created", "response": started}
    yield {"type": "response.in_progress", "response": started}
    if model == "fake-failed":
        error = {"code": "server_error", "message": "The model failed to answer."}
        yield {"type": "error", **error, "param": None}
        yield {"type": "response.failed", "response": {**started, "status": "failed",
                                                       "error": error}}  # fmt: skip
        return
    for index, item in enumerate(items):
        yield from script.item_events(index, item)
    if model == "fake-no-completed":
        return
    output: Any = {"sparse-completed": [], "dict-output": {}}.get(model.removeprefix("fake-"))
    final = script.response(model, "completed", items if output is None else output, script.USAGE)
    yield {"type": "response.completed", "response": final}


def _framed(event: dict[str, Any]) -> bytes:
    return f"event: {event['type']}\ndata: {json.dumps(event)}\n\n".encode()


def _data_only(event: dict[str, Any]) -> bytes:
    return f"data: {json.dumps(event)}\r\n\r\n".encode()


def _usage_limit(retry_after: str = "3600") -> JSONResponse:
    error = {
        "type": "usage_limit_reached",
        "message": "You have hit your ChatGPT usage limit (plus plan). Try again in ~60 min.",
        "plan_type": "plus",
        "resets_at": 1795003600,
        "resets_in_seconds": 3600,
    }
    headers = {
        **LIMITS,
        "x-codex-primary-used-percent": "100",
        "x-codex-rate-limit-reached-type": "primary",
        "retry-after": retry_after,
    }
    return JSONResponse({"error": error}, status_code=429, headers=headers)
