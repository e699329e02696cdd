"""Anthropic SSE events -> OpenAI Chat Completions chunks (PROTOCOLS.md §4.3)."""

from __future__ import annotations

import json
from typing import Any

from ccproxy.formats.convert.chat_response import error_for, finish_reason, usage
from ccproxy.formats.convert.context import TAGS, ResponseContext

DONE = b"data: [DONE]\n\n"


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class Stream:
    """Feed it Anthropic events in order; it returns the `data:` frames for the Chat client.

    One chunk id for the whole stream, the role first, tool calls numbered by OpenAI's own index
    (not Anthropic's block index), `id`/`name` on a call's first fragment only, the usage chunk only
    when asked for, `[DONE]` last, or an error chunk when the upstream fails.
    """

    def __init__(self, ctx: ResponseContext) -> None:
        self.ctx = ctx
        self.model = ctx.model
        self._head = ""
        self._tail = (
            ',"logprobs":null,"finish_reason":null}]'
            + (',"usage":null' if ctx.include_usage else "")
            + "}\n\n"
        )
        self._usage: dict[str, Any] = {}
        self._blocks: dict[int, dict[str, Any]] = {}  # Anthropic block index -> what it became
        self._tools = 0
        self._thinking: list[dict[str, Any]] = []
        self._tool_ids: list[str] = []
        self._finished = False  # message_delta seen: the answer is complete
        self.done = False
        self.thinking_by_tool_id: dict[str, list[dict[str, Any]]] = {}
        self._handlers = {
            "message_start": self._on_message_start,
            "content_block_start": self._on_content_block_start,
            "content_block_delta": self._on_content_block_delta,
            "content_block_stop": self._on_content_block_stop,
            "message_delta": self._on_message_delta,
            "message_stop": self._on_message_stop,
            "error": self._on_error,
        }

    def feed(self, event: str, data: dict[str, Any]) -> list[bytes]:
        """Frames for one upstream event; `ping` and unknown events give none."""
        handler = self._handlers.get(event)
        return handler(data) if handler is not None and not self.done else []

    def finish(self) -> list[bytes]:
        """The upstream stream ended; close the client's stream properly either way."""
        if self.done:
            return []
        if self._finished:
            return self._on_message_stop({})
        return self.fail("the upstream stream ended before the message was complete")

    def fail(self, message: str) -> list[bytes]:
        if self.done:
            return []
        self.done = True
        return [self._frame(error_for({"type": "api_error", "message": message}, 502))]

    def _set_head(self) -> None:
        self._head = (
            f'data: {{"id":{_json(self.ctx.id)},"object":"chat.completion.chunk",'
            f'"created":{self.ctx.created},"model":{_json(self.model)},"choices":[{{"index":0,"delta":'
        )

    def _chunk(self, delta: dict[str, Any]) -> bytes:
        if not self._head:
            self._set_head()
        return f"{self._head}{_json(delta)}{self._tail}".encode()

    def _frame(self, payload: dict[str, Any]) -> bytes:
        return f"data: {_json(payload)}\n\n".encode()

    def _on_message_start(self, data: dict[str, Any]) -> list[bytes]:
        message = data.get("message") or {}
        self.model = message.get("model") or self.model
        self._usage = dict(message.get("usage") or {})
        self._set_head()
        return [self._chunk({"role": "assistant", "content": ""})]

    def _on_content_block_start(self, data: dict[str, Any]) -> list[bytes]:
        block = data.get("content_block") or {}
        kind = block.get("type")
        index = data.get("index", len(self._blocks))
        if kind == "tool_use" and block.get("name") == self.ctx.structured_tool:
            self._blocks[index] = {"kind": "structured"}
        elif kind == "tool_use":
            return self._start_tool(index, block)
        elif kind == "thinking":
            self._blocks[index] = {
                "kind": "thinking",
                "block": {"type": "thinking", "thinking": "", "signature": ""},
            }
            if tag := TAGS.get(self.ctx.reasoning):
                return [self._chunk({"content": f"<{tag}>"})]
        elif kind == "redacted_thinking":
            self._thinking.append(block)
            self._blocks[index] = {"kind": "other"}
        else:
            self._blocks[index] = {"kind": "text" if kind == "text" else "other"}
        return []

    def _start_tool(self, index: int, block: dict[str, Any]) -> list[bytes]:
        number = self._tools
        self._tools += 1
        self._blocks[index] = {"kind": "tool", "number": number, "sent": False}
        self._tool_ids.append(block["id"])
        call = {
            "index": number,
            "id": block["id"],
            "type": "function",
            "function": {"name": block["name"], "arguments": ""},
        }
        return [self._chunk({"tool_calls": [call]})]

    def _on_content_block_delta(self, data: dict[str, Any]) -> list[bytes]:
        delta = data.get("delta") or {}
        state = self._blocks.get(data.get("index", -1), {"kind": "other"})
        kind = delta.get("type")
        if kind == "text_delta":
            return [self._chunk({"content": delta.get("text", "")})]
        if kind == "input_json_delta":
            return self._arguments(state, delta.get("partial_json", ""))
        if kind == "thinking_delta" and state["kind"] == "thinking":
            state["block"]["thinking"] += delta.get("thinking", "")
            return self._reasoning(delta.get("thinking", ""))
        if kind == "signature_delta" and state["kind"] == "thinking":
            state["block"]["signature"] += delta.get("signature", "")
        return []

    def _arguments(self, state: dict[str, Any], fragment: str) -> list[bytes]:
        if not fragment:
            return []
        if state["kind"] == "structured":
            return [self._chunk({"content": fragment})]
        if state["kind"] != "tool":
            return []
        state["sent"] = True
        return [
            self._chunk(
                {"tool_calls": [{"index": state["number"], "function": {"arguments": fragment}}]}
            )
        ]

    def _reasoning(self, text: str) -> list[bytes]:
        if not text or self.ctx.reasoning == "omit":
            return []
        key = "reasoning_content" if self.ctx.reasoning == "reasoning_content" else "content"
        return [self._chunk({key: text})]

    def _on_content_block_stop(self, data: dict[str, Any]) -> list[bytes]:
        state = self._blocks.get(data.get("index", -1), {"kind": "other"})
        if state["kind"] == "tool" and not state["sent"]:
            state["sent"] = True  # a call without arguments still has a JSON object of them
            return [
                self._chunk(
                    {"tool_calls": [{"index": state["number"], "function": {"arguments": "{}"}}]}
                )
            ]
        if state["kind"] == "thinking":
            self._thinking.append(state["block"])
            if tag := TAGS.get(self.ctx.reasoning):
                return [self._chunk({"content": f"</{tag}>"})]
        return []

    def _on_message_delta(self, data: dict[str, Any]) -> list[bytes]:
        self._usage.update({k: v for k, v in (data.get("usage") or {}).items() if v is not None})
        stop = (data.get("delta") or {}).get("stop_reason")
        if stop is None or self._finished:
            return []
        self._finished = True
        reason = finish_reason(stop, structured=self.ctx.structured_tool is not None)
        final = (
            self._head
            + "{}"
            + self._tail.replace('"finish_reason":null', f'"finish_reason":{_json(reason)}', 1)
        )
        return [final.encode()]

    def _on_message_stop(self, data: dict[str, Any]) -> list[bytes]:
        self.done = True
        self._remember_thinking()
        frames = []
        if self.ctx.include_usage:
            frames.append(
                self._frame(
                    {
                        "id": self.ctx.id,
                        "object": "chat.completion.chunk",
                        "created": self.ctx.created,
                        "model": self.model,
                        "choices": [],
                        "usage": usage(self._usage),
                    }
                )
            )
        frames.append(DONE)
        return frames

    def _on_error(self, data: dict[str, Any]) -> list[bytes]:
        self.done = True
        return [self._frame(error_for(data.get("error") or {}, 500))]

    def _remember_thinking(self) -> None:
        signed = [
            b for b in self._thinking if b.get("signature") or b.get("type") == "redacted_thinking"
        ]
        if signed:
            for tool_id in self._tool_ids:
                self.thinking_by_tool_id[tool_id] = signed
