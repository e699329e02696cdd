"""What a Claude Code run says (claude-agent-sdk messages, as plain dicts) -> one Anthropic
Messages answer, event by event (UPSTREAMS.md §5.5).

Text and thinking come from the run's stream events only (one source of truth, so nothing is
doubled); the whole assistant messages are read only for the tool calls Claude Code made itself.
SDK objects with no place in a plain answer (tool calls, tool results, system and result
messages) become custom blocks, XML-tagged text, or nothing. Block indices are dense and
increasing whatever the run's own API calls numbered theirs.

Items fed in, by `kind`:
- `stream`: `{"event": <raw Anthropic event>, "parent_tool_use_id"}`;
- `assistant` / `user`: `{"content": [blocks], "parent_tool_use_id"}`;
- `system`: `{"subtype", "data"}`;
- `result`: the result message's fields (`subtype`, `is_error`, `usage`, `total_cost_usd`, …).
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from typing import Any, Literal

Event = tuple[str, dict[str, Any]]
Objects = Literal["blocks", "text", "drop"]
SOURCE = "claude_agent_sdk"
# System messages that only report progress; rendering them would bury the answer.
_PROGRESS = frozenset({"status", "thinking_tokens"})
_RESULT_FIELDS = (
    "subtype",
    "duration_ms",
    "duration_api_ms",
    "is_error",
    "num_turns",
    "session_id",
    "total_cost_usd",
    "usage",
    "result",
)
_USAGE_FIELDS = (
    "input_tokens",
    "output_tokens",
    "cache_creation_input_tokens",
    "cache_read_input_tokens",
)


@dataclass(frozen=True)
class Rendering:
    """How SDK objects and thinking appear in the answer."""

    objects: Objects = "blocks"
    thinking_as_text: bool = False
    pretty: bool = True


def rendering(mode: str, *, pretty: bool, custom_blocks: bool = True) -> Rendering:
    """The rendering of a message mode; `custom_blocks=False` (Chat clients, which have no
    place for custom blocks) shows `forward` objects as `formatted` text, thinking kept."""
    if mode == "formatted":
        return Rendering("text", thinking_as_text=True, pretty=pretty)
    if mode == "ignore":
        return Rendering("drop", pretty=pretty)
    return Rendering("blocks" if custom_blocks else "text", pretty=pretty)


def tagged(tag: str, value: Any, *, pretty: bool) -> str:
    """`<tag>JSON</tag>`: indented and unescaped, or compact and HTML-escaped."""
    if pretty:
        return f"<{tag}>\n{json.dumps(value, indent=2, ensure_ascii=False)}\n</{tag}>\n"
    compact = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return f"<{tag}>{html.escape(compact, quote=True)}</{tag}>"


def thinking_text(thinking: str, signature: str) -> str:
    if signature:
        return f'<thinking signature="{signature}">{thinking}</thinking>'
    return f"<thinking>{thinking}</thinking>"


class Stream:
    """Feed it the run's items in order; it returns Anthropic events for the client."""

    def __init__(self, message_id: str, model: str, how: Rendering) -> None:
        self.message_id = message_id
        self.model = model
        self.how = how
        self.result: dict[str, Any] | None = None
        self.done = False
        self._next_index = 0
        self._open: dict[int, dict[str, Any]] = {}  # the run's block index -> our block
        self._stop_reason: str | None = None
        self._texts: dict[int, str] = {}  # our text blocks, as written so far

    @property
    def texts(self) -> list[str]:
        """The text of every text block of the answer, in order."""
        return [self._texts[index] for index in sorted(self._texts)]

    def start(self) -> list[Event]:
        message: dict[str, Any] = {
            "id": self.message_id,
            "type": "message",
            "role": "assistant",
            "model": self.model,
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {"input_tokens": 0, "output_tokens": 0},
        }
        return [("message_start", {"type": "message_start", "message": message})]

    def feed(self, item: dict[str, Any]) -> list[Event]:
        if self.done or item.get("parent_tool_use_id"):  # a subagent's inner work stays inside
            return []
        kind = item.get("kind")
        if kind == "stream":
            return self._on_stream(item.get("event") or {})
        if kind in ("assistant", "user"):  # Claude Code's tool calls, and their results
            return self._on_blocks(item.get("content") or [])
        if kind == "system":
            return self._on_system(str(item.get("subtype") or ""), item.get("data") or {})
        if kind == "result":
            return self._on_result(item)
        return []

    def finish(self) -> list[Event]:
        """The run is over: close the message, or end it with an error."""
        if self.done:
            return []
        self.done = True
        closing = [event for index in list(self._open) for event in self._stop(index)]
        result = self.result
        if result is None:
            return [*closing, error_event("the Claude Code run ended without a result")]
        if result.get("is_error"):
            detail = result.get("result") or result.get("subtype") or "unknown error"
            return [*closing, error_event(f"the Claude Code run failed: {detail}")]
        delta = {
            "type": "message_delta",
            "delta": {"stop_reason": self.stop_reason(), "stop_sequence": None},
            "usage": usage(result.get("usage")),
        }
        return [*closing, ("message_delta", delta), ("message_stop", {"type": "message_stop"})]

    def fail(self, message: str, error_type: str = "api_error") -> list[Event]:
        if self.done:
            return []
        self.done = True
        return [error_event(message, error_type)]

    def stop_reason(self) -> str:
        # A run ends once Claude stops calling Claude Code's tools; a last API call that stopped
        # for one of those (max turns reached) is not a tool call the client could answer.
        reason = self._stop_reason or "end_turn"
        return "end_turn" if reason == "tool_use" else reason

    def _on_stream(self, event: dict[str, Any]) -> list[Event]:
        kind = event.get("type")
        index = event.get("index")
        if kind == "message_start":
            self._open.clear()  # each API call of the run numbers its blocks from 0
        elif kind == "message_delta":
            self._stop_reason = (event.get("delta") or {}).get("stop_reason") or self._stop_reason
        elif kind == "content_block_start" and isinstance(index, int):
            return self._on_block_start(index, event.get("content_block") or {})
        elif kind == "content_block_delta" and index in self._open:
            return self._on_delta(self._open[index], event.get("delta") or {})
        elif kind == "content_block_stop" and index in self._open:
            return self._stop(index)
        return []

    def _on_block_start(self, index: int, block: dict[str, Any]) -> list[Event]:
        kind = block.get("type")
        if kind == "thinking" and self.how.thinking_as_text:
            self._open[index] = {"kind": "buffered", "thinking": "", "signature": ""}
            return []
        if kind not in ("text", "thinking"):
            return []  # Claude Code's own tool calls are shown from the whole message
        ours = self._take_index()
        self._open[index] = {"kind": kind, "index": ours}
        if kind == "text":
            self._texts[ours] = ""
        empty = {"type": "text", "text": ""} if kind == "text" else {
            "type": "thinking", "thinking": "", "signature": ""}  # fmt: skip
        return [_block_start(ours, empty)]

    def _on_delta(self, block: dict[str, Any], delta: dict[str, Any]) -> list[Event]:
        kind = delta.get("type")
        if block["kind"] == "buffered":
            if kind == "thinking_delta":
                block["thinking"] += str(delta.get("thinking") or "")
            elif kind == "signature_delta":
                block["signature"] += str(delta.get("signature") or "")
            return []
        if kind == "text_delta":
            self._texts[block["index"]] += str(delta.get("text") or "")
        if kind in ("text_delta", "thinking_delta", "signature_delta"):
            return [_delta(block["index"], dict(delta))]
        return []

    def _stop(self, index: int) -> list[Event]:
        block = self._open.pop(index)
        if block["kind"] == "buffered":  # whole now that its signature has come
            return self._text_block(thinking_text(block["thinking"], block["signature"]))
        return [("content_block_stop", {"type": "content_block_stop", "index": block["index"]})]

    def _on_blocks(self, content: list[Any]) -> list[Event]:
        events: list[Event] = []
        for block in content:
            if not isinstance(block, dict):
                continue
            if block.get("type") == "tool_use":
                fields = {k: block.get(k) for k in ("id", "name", "input")}
                events += self._object("tool_use_sdk", fields)
            elif block.get("type") == "tool_result":
                fields = {k: block.get(k) for k in ("tool_use_id", "content", "is_error")}
                events += self._object("tool_result_sdk", fields)
        return events

    def _on_system(self, subtype: str, data: dict[str, Any]) -> list[Event]:
        if subtype in _PROGRESS:
            return []
        return self._object("system_message", {"subtype": subtype, "data": data})

    def _on_result(self, item: dict[str, Any]) -> list[Event]:
        self.result = item
        fields = {name: item.get(name) for name in _RESULT_FIELDS}
        return self._object("result_message", fields, tag="system_message")

    def _object(self, kind: str, fields: dict[str, Any], tag: str | None = None) -> list[Event]:
        if self.how.objects == "drop":
            return []
        if self.how.objects == "text":
            return self._text_block(tagged(tag or kind, fields, pretty=self.how.pretty))
        index = self._take_index()
        block = {"type": kind, **fields, "source": SOURCE}
        stop = {"type": "content_block_stop", "index": index}
        return [_block_start(index, block), ("content_block_stop", stop)]

    def _text_block(self, text: str) -> list[Event]:
        index = self._take_index()
        self._texts[index] = text
        stop = {"type": "content_block_stop", "index": index}
        return [
            _block_start(index, {"type": "text", "text": ""}),
            _delta(index, {"type": "text_delta", "text": text}),
            ("content_block_stop", stop),
        ]

    def _take_index(self) -> int:
        index = self._next_index
        self._next_index += 1
        return index


def _block_start(index: int, block: dict[str, Any]) -> Event:
    return ("content_block_start", {"type": "content_block_start", "index": index,
                                    "content_block": block})  # fmt: skip


def _delta(index: int, delta: dict[str, Any]) -> Event:
    return ("content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta})


def usage(found: Any) -> dict[str, int]:
    given = found if isinstance(found, dict) else {}
    counted = {name: given[name] for name in _USAGE_FIELDS if isinstance(given.get(name), int)}
    return {"input_tokens": 0, "output_tokens": 0, **counted}


def error_event(message: str, error_type: str = "api_error") -> Event:
    return ("error", {"type": "error", "error": {"type": error_type, "message": message}})


def collect(events: list[Event]) -> dict[str, Any]:
    """The whole message that a list of this module's events (no error among them) spells."""
    message: dict[str, Any] = {}
    blocks: dict[int, dict[str, Any]] = {}
    for name, data in events:
        if name == "message_start":
            message = dict(data["message"])
        elif name == "content_block_start":
            blocks[data["index"]] = dict(data["content_block"])
        elif name == "content_block_delta":
            _apply(blocks[data["index"]], data["delta"])
        elif name == "message_delta":
            message.update(data["delta"])
            message["usage"] = {**message.get("usage", {}), **data.get("usage", {})}
    message["content"] = [blocks[index] for index in sorted(blocks)]
    return message


def _apply(block: dict[str, Any], delta: dict[str, Any]) -> None:
    kind = delta.get("type")
    if kind == "text_delta":
        block["text"] = block.get("text", "") + delta.get("text", "")
    elif kind == "thinking_delta":
        block["thinking"] = block.get("thinking", "") + delta.get("thinking", "")
    elif kind == "signature_delta":
        block["signature"] = block.get("signature", "") + delta.get("signature", "")
