"""OpenAI Responses SSE events -> OpenAI Chat Completions chunks (PROTOCOLS.md §4.5)."""

from __future__ import annotations

import json
from typing import Any

from ccproxy.formats import responses
from ccproxy.formats.convert.context import TAGS, ResponseContext
from ccproxy.formats.convert.responses_reply import failure, finish_reason, usage

DONE = b"data: [DONE]\n\n"


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class Stream:
    """Feed it Responses events in order; it returns the `data:` frames for the Chat client.

    Text deltas become content, each `function_call` item one tool call numbered in order of
    appearance (`id` and name on its first fragment only, arguments `"{}"` when none came),
    reasoning summaries `reasoning_content` or one tagged span per reasoning item, then the
    finish chunk, the usage chunk when asked for, and `[DONE]`; or an error chunk.
    """

    def __init__(self, ctx: ResponseContext) -> None:
        self.ctx = ctx
        self.model = ctx.model
        self.done = False
        self._started = False
        self._calls: dict[int, dict[str, Any]] = {}  # output_index -> number, arguments sent
        self._reasoning: dict[int, int] = {}  # output_index of an open reasoning span -> parts
        self._tag = TAGS.get(ctx.reasoning)
        self._handlers = {
            "response.created": self._on_created,
            "response.output_text.delta": self._on_text,
            "response.refusal.delta": self._on_refusal,
            "response.output_item.added": self._on_item_added,
            "response.function_call_arguments.delta": self._on_arguments,
            "response.reasoning_summary_text.delta": self._on_reasoning,
            "response.reasoning_text.delta": self._on_reasoning,
            "response.output_item.done": self._on_item_done,
            "response.completed": self._on_finished,
            "response.incomplete": self._on_finished,
            "response.failed": self._on_failed,
            "error": self._on_failed,
        }

    def feed(self, event: str, data: dict[str, Any]) -> list[bytes]:
        """Frames for one upstream event; events with no Chat counterpart give none."""
        handler = self._handlers.get(str(data.get("type") or event))
        if handler is None or self.done:
            return []
        if handler == self._on_failed:
            return handler(data)
        frames = handler(data)  # first: `response.created` names the model the chunks carry
        return self._start() + frames

    def finish(self) -> list[bytes]:
        """The upstream stream ended; close the client's stream properly either way."""
        return self.fail("the upstream stream ended before the response was complete")

    def fail(self, message: str) -> list[bytes]:
        if self.done:
            return []
        return self._on_failed({"code": "server_error", "message": message})

    def _start(self) -> list[bytes]:
        if self._started:
            return []
        self._started = True
        return [self._chunk({"role": "assistant", "content": ""})]

    def _chunk(self, delta: dict[str, Any], finish: str | None = None) -> bytes:
        chunk: dict[str, Any] = {
            "id": self.ctx.id,
            "object": "chat.completion.chunk",
            "created": self.ctx.created,
            "model": self.model,
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
        }
        if self.ctx.include_usage:
            chunk["usage"] = None
        return f"data: {_json(chunk)}\n\n".encode()

    def _on_created(self, data: dict[str, Any]) -> list[bytes]:
        self.model = (data.get("response") or {}).get("model") or self.model
        return []

    def _on_text(self, data: dict[str, Any]) -> list[bytes]:
        delta = str(data.get("delta") or "")
        return [self._chunk({"content": delta})] if delta else []

    def _on_refusal(self, data: dict[str, Any]) -> list[bytes]:
        delta = str(data.get("delta") or "")
        return [self._chunk({"refusal": delta})] if delta else []

    def _on_item_added(self, data: dict[str, Any]) -> list[bytes]:
        item = data.get("item") or {}
        if item.get("type") != "function_call":
            return []
        number = len(self._calls)
        self._calls[int(data.get("output_index", number))] = {"number": number, "sent": ""}
        call = {
            "index": number,
            "id": item.get("call_id") or item.get("id"),
            "type": "function",
            "function": {"name": item.get("name"), "arguments": ""},
        }
        return [self._chunk({"tool_calls": [call]})]

    def _on_arguments(self, data: dict[str, Any]) -> list[bytes]:
        call = self._calls.get(int(data.get("output_index", -1)))
        fragment = str(data.get("delta") or "")
        if call is None or not fragment:
            return []
        call["sent"] += fragment
        return [self._arguments(call["number"], fragment)]

    def _arguments(self, number: int, fragment: str) -> bytes:
        return self._chunk({"tool_calls": [{"index": number, "function": {"arguments": fragment}}]})

    def _on_reasoning(self, data: dict[str, Any]) -> list[bytes]:
        delta = str(data.get("delta") or "")
        if not delta or self.ctx.reasoning == "omit":
            return []
        index = int(data.get("output_index", -1))
        part = int(data.get("summary_index", data.get("content_index", 0)) or 0)
        opening = index not in self._reasoning
        if not opening and part != self._reasoning[index]:  # the item's next summary part
            delta = "\n\n" + delta
        self._reasoning[index] = part
        if self.ctx.reasoning == "reasoning_content":
            return [self._chunk({"reasoning_content": delta})]
        return [self._chunk({"content": f"<{self._tag}>{delta}" if opening else delta})]

    def _on_item_done(self, data: dict[str, Any]) -> list[bytes]:
        index = int(data.get("output_index", -1))
        item = data.get("item") or {}
        if index in self._reasoning:
            del self._reasoning[index]
            return self._close_reasoning()
        call = self._calls.get(index)
        if call is None:
            return []
        final = str(item.get("arguments") or "") or "{}"
        rest = final[len(call["sent"]) :] if final.startswith(call["sent"]) else ""
        call["sent"] = final
        return [self._arguments(call["number"], rest)] if rest else []

    def _close_reasoning(self) -> list[bytes]:
        return [self._chunk({"content": f"</{self._tag}>"})] if self._tag else []

    def _on_finished(self, data: dict[str, Any]) -> list[bytes]:
        self.done = True
        found = data.get("response")
        final: dict[str, Any] = found if isinstance(found, dict) else {}
        self.model = final.get("model") or self.model
        closing = [frame for _ in self._reasoning for frame in self._close_reasoning()]
        reason = finish_reason(
            final.get("status"), final.get("incomplete_details"), calls=bool(self._calls)
        )
        frames = [*closing, self._chunk({}, finish=reason)]
        if self.ctx.include_usage:
            frames.append(self._usage_chunk(final))
        return [*frames, DONE]

    def _usage_chunk(self, final: dict[str, Any]) -> bytes:
        chunk = {
            "id": self.ctx.id,
            "object": "chat.completion.chunk",
            "created": self.ctx.created,
            "model": self.model,
            "choices": [],
            "usage": usage(final),
        }
        return f"data: {_json(chunk)}\n\n".encode()

    def _on_failed(self, data: dict[str, Any]) -> list[bytes]:
        self.done = True
        _, envelope = failure(responses.event_error(data))
        return [f"data: {_json(envelope)}\n\n".encode()]
