"""A fake Anthropic Messages API that enforces what the real one demands of OAuth traffic.

It answers like api.anthropic.com: the bearer token must be a live OAuth token, the oauth beta must
be present, the first non-billing system block must be the Claude Code identity, and a client's own
`x-api-key` must never arrive. Every request is recorded for the tests to inspect.

Behaviour is chosen by the `model` field, so a test can ask for an error or a broken stream:
- `fake-overloaded` (529), `fake-rate-limited` (429); any model gets a 529 while `overloads`
  (a count a test sets) lasts; a token in `rate_limited` (token → `retry-after`) gets a 429;
- `fake-cut-stream`: the connection drops in the middle of an event;
- `fake-stream-error`: an `error` event after HTTP 200;
- `fake-gated-stream` (or a last user turn saying HOLD): `message_start`, then the rest only
  once `gate` is set;
- `fake-hang`: no answer until `gate` is set; a caller that hangs up first is counted in
  `abandoned_requests`.
With `crowd` set, every stream waits after `message_start` until that many streams are open at
once; `streams_open` and `max_streams_open` count them. With `faults` set (tests/fakes/faults.py),
a seeded share of message and token-count requests fails.
Otherwise the request must pass `anthropic_rules` (as the real API would judge it) and the answer
comes from `anthropic_script`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.fakes import anthropic_rules as rules
from tests.fakes import anthropic_script as script
from tests.fakes import faults as injected
from tests.fakes.anthropic_script import USAGE
from tests.fakes.claude_account import ClaudeAccount


@dataclass
class Recorded:
    method: str
    path: str
    query: str
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        values = [v for k, v in self.headers if k == name]
        return ", ".join(values) if values else None

    def json(self) -> Any:
        return json.loads(self.body)

    @classmethod
    async def of(cls, request: Request) -> Recorded:
        """What a fake upstream received, headers in order and the body as bytes."""
        raw = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw]
        return cls(request.method, request.url.path, request.url.query, raw, await request.body())


def error(status: int, error_type: str, message: str, **headers: str) -> JSONResponse:
    body = {
        "type": "error",
        "error": {"type": error_type, "message": message},
        "request_id": "req_fake",
    }
    return JSONResponse(body, status_code=status, headers={"request-id": "req_fake", **headers})


class FakeAnthropic:
    def __init__(self, account: ClaudeAccount) -> None:
        self.account = account
        self.requests: list[Recorded] = []
        self.gate = threading.Event()
        self.abandoned_streams = 0
        self.abandoned_requests = 0
        self.overloads = 0  # the next this-many message requests are answered 529
        self.rate_limited: dict[str, str] = {}  # access token → its 429's `retry-after`
        self.faults: injected.Faults | None = None
        self.crowd: int | None = None
        self._crowded: anyio.Event | None = None  # created and set on the server's own loop
        self.streams_open = 0
        self.max_streams_open = 0
        self.app = Starlette(
            routes=[
                Route("/v1/messages", self.messages, methods=["POST"]),
                Route("/v1/messages/count_tokens", self.count_tokens, methods=["POST"]),
                Route("/api/oauth/profile", self.profile, methods=["GET"]),
                Route("/{path:path}", self.unknown, methods=["GET", "POST", "HEAD", "PUT"]),
            ]
        )

    def message_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.path == "/v1/messages"]

    async def _record(self, request: Request) -> Recorded:
        recorded = await Recorded.of(request)
        self.requests.append(recorded)
        return recorded

    def _refuse_credentials(self, recorded: Recorded) -> Response | None:
        if recorded.header("x-api-key") is not None:
            return error(
                400, "invalid_request_error", "fake upstream: a client x-api-key was forwarded"
            )
        auth = recorded.header("authorization") or ""
        token = auth.removeprefix("Bearer ")
        if not auth.startswith("Bearer ") or not token:
            return error(401, "authentication_error", "x-api-key header is required")
        if token in self.account.revoked:
            return error(
                403, "permission_error", "OAuth token has been revoked. Please obtain a new token."
            )
        if token in self.account.expired:
            return error(
                401, "authentication_error", "OAuth token has expired. Please obtain a new token."
            )
        if token not in self.account.access:
            return error(401, "authentication_error", "Invalid bearer token")
        if "oauth-2025-04-20" not in (recorded.header("anthropic-beta") or ""):
            return error(
                401, "authentication_error", "OAuth authentication is currently not supported."
            )
        return None

    def _refuse_request(self, recorded: Recorded, *, needs_max_tokens: bool) -> Response | None:
        if refused := self._refuse_credentials(recorded):
            return refused
        if not recorded.header("anthropic-version"):
            return error(400, "invalid_request_error", "anthropic-version: header is required")
        try:
            body = recorded.json()
        except ValueError:
            return error(400, "invalid_request_error", "fake upstream: body is not JSON")
        if not isinstance(body, dict):
            return error(400, "invalid_request_error", "fake upstream: body is not an object")
        try:
            problem = rules.refusal(body, needs_max_tokens=needs_max_tokens)
        except (TypeError, KeyError, AttributeError, ValueError) as exc:
            # A shape deeper than the rules' type checks go: the real API's schema check
            # refuses those with a 400 too (found by tests/server/test_fuzz.py).
            problem = f"fake upstream: the body does not fit the Messages schema ({exc!r})"
        if problem:
            return error(400, "invalid_request_error", problem)
        return None

    async def messages(self, request: Request) -> Response:
        recorded = await self._record(request)
        if refused := self._refuse_request(recorded, needs_max_tokens=True):
            return refused
        body = recorded.json()
        model = body["model"]
        if model == "fake-hang" and not await answer_awaited(self.gate, request):
            self.abandoned_requests += 1
            return Response(status_code=499)  # nobody is there to read it
        if self.overloads > 0:
            self.overloads -= 1
            return error(529, "overloaded_error", "Overloaded", **{"retry-after": "0"})
        token = (recorded.header("authorization") or "").removeprefix("Bearer ")
        if token in self.rate_limited:
            return _rate_limited(self.rate_limited[token])
        if model == "fake-overloaded":
            return error(
                529,
                "overloaded_error",
                "Overloaded",
                **{"retry-after": "1", "x-should-retry": "true"},
            )
        if model == "fake-rate-limited":
            return _rate_limited("30")
        fault = self._fault(body)
        if fault is not None and fault in injected.STATUS:
            return injected.error_response(fault)
        content, stop_reason, sequence = script.reply(body)
        headers = {
            "request-id": injected.request_id(fault) if fault else "req_fake_ok",
            "anthropic-ratelimit-unified-status": "allowed",
            "set-cookie": "cf=1; Path=/",
        }
        if body.get("stream"):
            held = model == "fake-gated-stream" or "HOLD" in json.dumps(
                script.last_user_blocks(body)
            )
            cut = fault == "cut" or model == "fake-cut-stream"
            events = self._counted(self._stream(model, content, stop_reason, sequence, held, cut))
            return StreamingResponse(
                events,
                media_type="text/event-stream",
                headers={**headers, "cache-control": "no-cache"},
            )
        message = {
            **_message(model, content, stop_reason, output_tokens=5),
            "stop_sequence": sequence,
        }
        if fault == "cut":
            return injected.cut_json(message)
        return JSONResponse(message, headers=headers)

    def _fault(self, body: dict[str, Any]) -> str | None:
        if self.faults is None:
            return None
        blocks = script.last_user_blocks(body)
        return self.faults.draw(
            " ".join(b.get("text", "") for b in blocks if b.get("type") == "text")
        )

    async def _counted(self, events: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        self.streams_open += 1
        self.max_streams_open = max(self.max_streams_open, self.streams_open)
        try:
            async for event in events:
                yield event
        finally:
            self.streams_open -= 1

    async def _stream(
        self,
        model: str,
        content: list[dict[str, Any]],
        stop: str,
        sequence: str | None,
        held: bool,
        cut: bool,
    ) -> AsyncIterator[bytes]:
        start = _message(model, [], None, output_tokens=1)
        yield sse("message_start", {"type": "message_start", "message": start})
        try:
            released = await self._crowd_gathers(30) and (not held or await self._gate_opens(30))
        except BaseException:
            self.abandoned_streams += 1  # the proxy went away while we were waiting
            raise
        if model == "fake-stream-error" or not released:
            yield sse(
                "error",
                {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
            )
            return
        for index, block in enumerate(content):
            for event, data in script.block_events(index, block):
                yield sse(event, data)
            if cut:
                yield b'event: content_block_delta\ndata: {"type":"content_blo'
                raise ConnectionAbortedError("fake upstream drops the connection mid-event")
        delta = {"stop_reason": stop, "stop_sequence": sequence}
        yield sse(
            "message_delta",
            {"type": "message_delta", "delta": delta, "usage": {"output_tokens": 5}},
        )
        yield sse("message_stop", {"type": "message_stop"})

    async def _gate_opens(self, seconds: float) -> bool:
        """Waits for `gate` in small cancellable steps, so a closed connection ends the wait."""
        for _ in range(int(seconds * 100)):
            if self.gate.is_set():
                return True
            await anyio.sleep(0.01)
        return False

    async def _crowd_gathers(self, seconds: float) -> bool:
        """With `crowd` set, waits until that many streams are open (each one counts itself)."""
        if self.crowd is None:
            return True
        if self._crowded is None:
            self._crowded = anyio.Event()
        if self.streams_open >= self.crowd:
            self._crowded.set()
        with anyio.move_on_after(seconds):
            await self._crowded.wait()
            return True
        return False

    async def count_tokens(self, request: Request) -> Response:
        recorded = await self._record(request)
        if refused := self._refuse_request(recorded, needs_max_tokens=False):
            return refused
        fault = self._fault(recorded.json())
        if fault is not None and fault in injected.STATUS:
            return injected.error_response(fault)
        counted = {"input_tokens": len(recorded.body) // 4}
        return injected.cut_json(counted) if fault == "cut" else JSONResponse(counted)

    async def profile(self, request: Request) -> Response:
        recorded = await self._record(request)
        if refused := self._refuse_credentials(recorded):
            return refused
        account = {
            "email_address": "user@example.com",
            "has_claude_max": True,
            "has_claude_pro": False,
        }
        return JSONResponse({"account": account, "organization": {"uuid": "org-fake"}})

    async def unknown(self, request: Request) -> Response:
        await self._record(request)
        return error(404, "not_found_error", f"fake upstream: no route {request.url.path}")


async def answer_awaited(gate: threading.Event, request: Request, seconds: float = 30) -> bool:
    """Waits for `gate`; False as soon as the caller hangs up (the body has been read, so the
    next message from the server can only be the disconnect)."""
    for _ in range(int(seconds * 100)):
        if gate.is_set():
            return True
        if await request.is_disconnected():
            return False
        await anyio.sleep(0.01)
    return True


def _rate_limited(retry_after: str) -> JSONResponse:
    return error(
        429,
        "rate_limit_error",
        "Rate limited",
        **{
            "retry-after": retry_after,
            "anthropic-ratelimit-unified-status": "rejected",
            "anthropic-ratelimit-unified-reset": "1790000000",
            "anthropic-ratelimit-unified-5h-utilization": "1.0",
        },
    )


def sse(event: str, data: dict[str, Any]) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()


def _message(
    model: str, content: list[dict[str, Any]], stop: str | None, output_tokens: int
) -> dict[str, Any]:
    return {
        "id": "msg_fake01",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": stop,
        "stop_sequence": None,
        "usage": {**USAGE, "output_tokens": output_tokens},
    }
