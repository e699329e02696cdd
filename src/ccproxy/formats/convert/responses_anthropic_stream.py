"""Anthropic SSE events -> OpenAI Responses stream events (PROTOCOLS.md §4.6, §3.6)."""

from __future__ import annotations

from typing import Any

from ccproxy.formats import responses
from ccproxy.formats.convert import responses_anthropic_reply as reply
from ccproxy.formats.convert.chat_response import error_for
from ccproxy.formats.convert.responses_anthropic_reply import ReplyContext


class Stream:
    """Feed it Anthropic events in order; it returns the Responses events for the client.

    Every Anthropic content block becomes one output item: text a message with one part, a tool
    call a function_call, thinking a reasoning item with one summary part. Each item is announced
    before its deltas and closed before the next begins; sequence numbers run from 0; the stream
    ends with `response.completed` or `response.incomplete`, or `error` + `response.failed`.
    """

    def __init__(self, ctx: ReplyContext) -> None:
        self.ctx = ctx
        self.done = False
        self._sequence = 0
        self._response = reply.skeleton(ctx, ctx.model, "in_progress")
        self._output: list[dict[str, Any]] = []
        self._blocks: dict[int, dict[str, Any]] = {}  # Anthropic block index -> its item's state
        self._usage: dict[str, Any] = {}
        self._stop: str | None = None
        self._thinking: list[dict[str, Any]] = []  # signed blocks, for the tool calls after them
        self._tool_ids: list[str] = []
        self._handlers = {
            "message_start": self._on_message_start,
            "content_block_start": self._on_block_start,
            "content_block_delta": self._on_block_delta,
            "content_block_stop": self._on_block_stop,
            "message_delta": self._on_message_delta,
            "message_stop": self._on_message_stop,
            "error": self._on_error,
        }

    def feed(self, event: str, data: dict[str, Any]) -> list[bytes]:
        """Events for one upstream event; `ping` and unknown events give none."""
        handler = self._handlers.get(event)
        return handler(data) if handler is not None and not self.done else []

    def finish(self) -> list[bytes]:
        """The upstream stream ended; close the client's stream properly either way."""
        if self.done:
            return []
        if self._stop is not None:
            return self._on_message_stop({})
        return self.fail("the upstream stream ended before the message was complete")

    def fail(self, message: str, code: str = "server_error") -> list[bytes]:
        if self.done:
            return []
        self.done = True
        current = {**self._response, "output": self._output}
        events = responses.failure_events(self._sequence, current, code, message)
        self._sequence += len(events)
        return [responses.encode(event) for event in events]

    @property
    def thinking_by_tool_id(self) -> dict[str, list[dict[str, Any]]]:
        """The signed thinking that preceded the stream's tool calls (chat_response's twin)."""
        return {tool_id: self._thinking for tool_id in self._tool_ids} if self._thinking else {}

    def _event(self, kind: str, **fields: Any) -> bytes:
        data = {"type": kind, "sequence_number": self._sequence, **fields}
        self._sequence += 1
        return responses.encode(data)

    def _on_message_start(self, data: dict[str, Any]) -> list[bytes]:
        message = data.get("message") or {}
        self._response["model"] = message.get("model") or self.ctx.model
        self._usage = dict(message.get("usage") or {})
        return [
            self._event("response.created", response=self._response),
            self._event("response.in_progress", response=self._response),
        ]

    def _on_block_start(self, data: dict[str, Any]) -> list[bytes]:
        block = data.get("content_block") or {}
        kind = block.get("type")
        index = data.get("index", len(self._blocks))
        number = len(self._output)
        if kind == "tool_use" and block.get("name") != self.ctx.structured_tool:
            item = reply.call_item(self.ctx.item_id("fc", number), block, "", "in_progress")
            self._blocks[index] = {"kind": "call", "item": item, "number": number}
            self._tool_ids.append(str(block.get("id")))
            return [self._added(item)]
        if kind in ("text", "tool_use"):
            item = reply.message_item(self.ctx.item_id("msg", number), [], "in_progress")
            self._blocks[index] = {"kind": "text", "item": item, "number": number, "text": ""}
            part = self._at(item, number, content_index=0)
            return [self._added(item), self._event("response.content_part.added", **part,
                                                    part=reply.text_part(""))]  # fmt: skip
        if kind in ("thinking", "redacted_thinking"):
            return self._start_reasoning(index, number, block)
        self._blocks[index] = {"kind": "other"}  # server tools and the like: nothing to show
        return []

    def _start_reasoning(self, index: int, number: int, block: dict[str, Any]) -> list[bytes]:
        item_id = self.ctx.item_id("rs", number)
        if block.get("type") == "redacted_thinking":
            item = reply.reasoning_item(item_id, block)
            self._thinking.append(block)
            self._blocks[index] = {"kind": "other"}
            self._output.append(item)
            return [self._added(item, started=item), self._done(number, item)]
        started = {"id": item_id, "type": "reasoning", "summary": []}
        state = {"kind": "thinking", "number": number, "thinking": "", "signature": ""}
        self._blocks[index] = state
        self._output.append(started)
        part = self._at(started, number, summary_index=0)
        return [
            self._added(started, started=started),
            self._event("response.reasoning_summary_part.added", **part,
                        part={"type": "summary_text", "text": ""}),
        ]  # fmt: skip

    def _added(self, item: dict[str, Any], started: dict[str, Any] | None = None) -> bytes:
        if started is None:
            self._output.append(item)
        return self._event("response.output_item.added", output_index=len(self._output) - 1,
                           item=item)  # fmt: skip

    def _at(self, item: dict[str, Any], number: int, **where: int) -> dict[str, Any]:
        return {"item_id": item["id"], "output_index": number, **where}

    def _on_block_delta(self, data: dict[str, Any]) -> list[bytes]:
        delta = data.get("delta") or {}
        state = self._blocks.get(data.get("index", -1), {"kind": "other"})
        kind, text = delta.get("type"), ""
        if kind == "text_delta" or (kind == "input_json_delta" and state["kind"] == "text"):
            text = str(delta.get("text") or delta.get("partial_json") or "")
            if state["kind"] != "text" or not text:
                return []
            state["text"] += text
            where = self._at(state["item"], state["number"], content_index=0)
            return [self._event("response.output_text.delta", **where, delta=text, logprobs=[])]
        if kind == "input_json_delta" and state["kind"] == "call":
            if not (text := str(delta.get("partial_json") or "")):
                return []
            state["item"]["arguments"] += text
            where = self._at(state["item"], state["number"])
            return [self._event("response.function_call_arguments.delta", **where, delta=text)]
        if kind == "thinking_delta" and state["kind"] == "thinking":
            if not (text := str(delta.get("thinking") or "")):
                return []
            state["thinking"] += text
            where = self._at(self._output[state["number"]], state["number"], summary_index=0)
            return [self._event("response.reasoning_summary_text.delta", **where, delta=text)]
        if kind == "signature_delta" and state["kind"] == "thinking":
            state["signature"] += str(delta.get("signature") or "")
        return []

    def _on_block_stop(self, data: dict[str, Any]) -> list[bytes]:
        state = self._blocks.get(data.get("index", -1), {"kind": "other"})
        state_kind = state["kind"]
        state["kind"] = "other"  # a repeated stop closes nothing twice
        if state_kind == "text":
            return self._close_text(state)
        if state_kind == "call":
            return self._close_call(state)
        if state_kind == "thinking":
            return self._close_thinking(state)
        return []

    def _close_text(self, state: dict[str, Any]) -> list[bytes]:
        item, number, text = state["item"], state["number"], state["text"]
        where = self._at(item, number, content_index=0)
        part = reply.text_part(text)
        final = {**item, "status": "completed", "content": [part]}
        self._output[number] = final
        return [
            self._event("response.output_text.done", **where, text=text, logprobs=[]),
            self._event("response.content_part.done", **where, part=part),
            self._done(number, final),
        ]

    def _close_call(self, state: dict[str, Any]) -> list[bytes]:
        item, number = state["item"], state["number"]
        arguments = item["arguments"] or "{}"  # a call without arguments still has an object
        final = {**item, "status": "completed", "arguments": arguments}
        self._output[number] = final
        where = self._at(item, number)
        return [
            self._event("response.function_call_arguments.done", **where, arguments=arguments,
                        name=item["name"]),
            self._done(number, final),
        ]  # fmt: skip

    def _close_thinking(self, state: dict[str, Any]) -> list[bytes]:
        number, text = state["number"], state["thinking"]
        block = {"type": "thinking", "thinking": text, "signature": state["signature"]}
        if block["signature"]:
            self._thinking.append(block)
        final = reply.reasoning_item(self._output[number]["id"], block)
        self._output[number] = final
        where = self._at(final, number, summary_index=0)
        part = {"type": "summary_text", "text": text}
        return [
            self._event("response.reasoning_summary_text.done", **where, text=text),
            self._event("response.reasoning_summary_part.done", **where, part=part),
            self._done(number, final),
        ]

    def _done(self, number: int, item: dict[str, Any]) -> bytes:
        return self._event("response.output_item.done", output_index=number, item=item)

    def _on_message_delta(self, data: dict[str, Any]) -> list[bytes]:
        self._usage.update({k: v for k, v in (data.get("usage") or {}).items() if v is not None})
        stop = (data.get("delta") or {}).get("stop_reason")
        if stop is not None:
            self._stop = str(stop)
        return []

    def _on_message_stop(self, data: dict[str, Any]) -> list[bytes]:
        self.done = True
        final = {**self._response, "output": self._output, "usage": reply.usage(self._usage)}
        final = reply.finished(final, self._stop)
        kind = "response.completed" if final["status"] == "completed" else "response.incomplete"
        return [self._event(kind, response=final)]

    def _on_error(self, data: dict[str, Any]) -> list[bytes]:
        found = data.get("error")
        detail: dict[str, Any] = found if isinstance(found, dict) else {}
        error = error_for(detail, 500)["error"]
        return self.fail(error["message"], str(error["code"] or error["type"]))
