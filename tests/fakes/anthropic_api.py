"""A fake Anthropic Messages API that enforces what the real one demands of OAuth traffic.

It answers like api.anthropic.com: the bearer token must be a live OAuth token, the oauth beta must
be present, the first non-billing system block must be the Claude Code identity, and a client's own
`x-api-key` must never arrive. Every request is recorded for the tests to inspect.

Behaviour is chosen by the `model` field, so a test can ask for an error or a broken stream:
- `fake-overloaded` (529), `fake-rate-limited` (429);
- `fake-cut-stream`: the connection drops in the middle of an event;
- `fake-stream-error`: an `error` event after HTTP 200;
- `fake-gated-stream`: `message_start`, then the rest only once `gate` is set;
- `fake-hang`: no answer until `gate` is set.
Otherwise it answers text, or runs a tool loop: a user text containing `RUN: <command>` with a
`Bash` tool present gets a Bash `tool_use`; a turn of `tool_result`s gets their text echoed back.
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

from tests.fakes.claude_account import ClaudeAccount

IDENTITY_PREFIXES = (
    "You are Claude Code, Anthropic's official CLI for Claude",
    "You are a Claude agent, built on Anthropic's Claude Agent SDK",
)
REPLY = "Hello from the fake Claude API."


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
        recorded = Recorded(
            request.method,
            request.url.path,
            request.url.query,
            [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw],
            await request.body(),
        )
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
        missing = [k for k in ("model", "messages") if k not in body]
        if needs_max_tokens and "max_tokens" not in body:
            missing.append("max_tokens")
        if missing:
            return error(400, "invalid_request_error", f"{missing[0]}: Field required")
        if not _has_identity(body.get("system")):
            return error(
                400,
                "invalid_request_error",
                "This credential is only authorized for use with Claude Code and cannot be used "
                "for other API requests.",
            )
        return None

    async def messages(self, request: Request) -> Response:
        recorded = await self._record(request)
        if refused := self._refuse_request(recorded, needs_max_tokens=True):
            return refused
        body = recorded.json()
        model = body["model"]
        if model == "fake-hang":
            await anyio.to_thread.run_sync(self.gate.wait, 30)
        if model == "fake-overloaded":
            return error(
                529,
                "overloaded_error",
                "Overloaded",
                **{"retry-after": "1", "x-should-retry": "true"},
            )
        if model == "fake-rate-limited":
            return error(
                429,
                "rate_limit_error",
                "Rate limited",
                **{
                    "retry-after": "30",
                    "anthropic-ratelimit-unified-status": "rejected",
                    "anthropic-ratelimit-unified-reset": "1790000000",
                    "anthropic-ratelimit-unified-5h-utilization": "1.0",
                },
            )
        content, stop_reason = _reply_content(body)
        headers = {
            "request-id": "req_fake_ok",
            "anthropic-ratelimit-unified-status": "allowed",
            "set-cookie": "cf=1; Path=/",
        }
        if body.get("stream"):
            events = self._stream(model, content, stop_reason)
            return StreamingResponse(
                events,
                media_type="text/event-stream",
                headers={**headers, "cache-control": "no-cache"},
            )
        message = _message(model, content, stop_reason, output_tokens=5)
        return JSONResponse(message, headers=headers)

    async def _stream(
        self, model: str, content: list[dict[str, Any]], stop: str
    ) -> AsyncIterator[bytes]:
        start = _message(model, [], None, output_tokens=1)
        yield sse("message_start", {"type": "message_start", "message": start})
        released = model != "fake-gated-stream" or await anyio.to_thread.run_sync(
            self.gate.wait, 30
        )
        if model == "fake-stream-error" or not released:
            yield sse(
                "error",
                {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
            )
            return
        for index, block in enumerate(content):
            for event, data in _block_events(index, block):
                yield sse(event, data)
            if model == "fake-cut-stream":
                yield b'event: content_block_delta\ndata: {"type":"content_blo'
                raise ConnectionAbortedError("fake upstream drops the connection mid-event")
        delta = {"stop_reason": stop, "stop_sequence": None}
        yield sse(
            "message_delta",
            {"type": "message_delta", "delta": delta, "usage": {"output_tokens": 5}},
        )
        yield sse("message_stop", {"type": "message_stop"})

    async def count_tokens(self, request: Request) -> Response:
        recorded = await self._record(request)
        if refused := self._refuse_request(recorded, needs_max_tokens=False):
            return refused
        return JSONResponse({"input_tokens": len(recorded.body) // 4})

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


def sse(event: str, data: dict[str, Any]) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()


def _has_identity(system: Any) -> bool:
    if not isinstance(system, list):
        return False
    for block in system:
        text = block.get("text", "") if isinstance(block, dict) else ""
        if text.startswith("x-anthropic-billing-header:"):
            continue
        return text.lstrip().startswith(IDENTITY_PREFIXES)
    return False


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
        "usage": {"input_tokens": 10, "output_tokens": output_tokens},
    }


def _reply_content(body: dict[str, Any]) -> tuple[list[dict[str, Any]], str]:
    # Claude Code puts `role: "system"` entries after the user turn; the user turn is what counts.
    users = [m for m in body["messages"] if isinstance(m, dict) and m.get("role") == "user"]
    last = users[-1] if users else {}
    blocks = last.get("content")
    blocks = [{"type": "text", "text": blocks}] if isinstance(blocks, str) else blocks or []
    results = [b for b in blocks if isinstance(b, dict) and b.get("type") == "tool_result"]
    if results:
        said = " | ".join(_result_text(r.get("content")) for r in results)
        return [{"type": "text", "text": f"Tool said: {said}"}], "end_turn"
    text = " ".join(
        b.get("text", "") for b in blocks if isinstance(b, dict) and b.get("type") == "text"
    )
    tools = {t.get("name") for t in body.get("tools") or [] if isinstance(t, dict)}
    if "RUN: " in text and "Bash" in tools:
        command = text.split("RUN: ", 1)[1].strip().splitlines()[0]
        call = {
            "type": "tool_use",
            "id": "toolu_fake01",
            "name": "Bash",
            "input": {"command": command, "description": "Run the requested command"},
        }
        return [call], "tool_use"
    return [{"type": "text", "text": REPLY}], "end_turn"


def _result_text(content: Any) -> str:
    if isinstance(content, str):
        return content.strip()
    if isinstance(content, list):
        return " ".join(str(c.get("text", "")).strip() for c in content if isinstance(c, dict))
    return ""


def _block_events(index: int, block: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    if block["type"] == "tool_use":
        start = {**block, "input": {}}
        arguments = json.dumps(block["input"])
        deltas = [
            {"type": "input_json_delta", "partial_json": part}
            for part in ("", arguments[:10], arguments[10:])
        ]
    else:
        start = {"type": "text", "text": ""}
        deltas = [{"type": "text_delta", "text": block["text"]}]
    events = [
        (
            "content_block_start",
            {"type": "content_block_start", "index": index, "content_block": start},
        )
    ]
    if index == 0:
        events.append(("ping", {"type": "ping"}))
    events += [
        ("content_block_delta", {"type": "content_block_delta", "index": index, "delta": d})
        for d in deltas
    ]
    events.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
    return events
