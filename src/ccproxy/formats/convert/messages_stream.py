"""OpenAI Responses SSE events -> Anthropic Messages SSE events (PROTOCOLS.md §4.6).

Block indices are dense and opened in order of first content: each text part (once it has
text), reasoning item (only once its summary has text: an empty thinking block is useless) and
function call gets its own block, closed when its output item is done. A message or summary whose
text never came as deltas is sent whole when its item is done.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ccproxy.formats import anthropic, responses, sse
from ccproxy.formats.convert.messages_reply import content, failure, stop_reason, usage
from ccproxy.formats.convert.responses_reply import summary_text

Key = tuple[int, int]  # (output_index, content or summary index); calls and thinking use -1


class Stream:
    """Feed it Responses events in order; it returns the Anthropic events for the client."""

    def __init__(self, message_id: str, model: str) -> None:
        self.message_id = message_id
        self.model = model
        self.done = False
        self._started = False
        self._next = 0
        self._open: dict[Key, int] = {}  # open blocks -> their Anthropic index
        self._arguments: dict[int, str] = {}  # output_index of a call -> arguments sent
        self._summary_part: dict[int, int] = {}  # output_index of thinking -> last summary part
        self._calls = False
        self._texted: set[int] = set()  # output_index of messages whose text came as deltas
        self._handlers = {
            "response.created": self._on_created,
            "response.output_text.delta": self._on_text,
            "response.refusal.delta": self._on_text,
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
        """Events for one upstream event; events with no Anthropic counterpart give none."""
        handler = self._handlers.get(str(data.get("type") or event))
        if handler is None or self.done:
            return []
        if handler == self._on_failed:
            return handler(data)
        frames = handler(data)  # first: `response.created` names the model message_start carries
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
        return [_event("message_start", {"message": message})]

    def _on_created(self, data: dict[str, Any]) -> list[bytes]:
        self.model = (data.get("response") or {}).get("model") or self.model
        return []

    def _open_block(self, key: Key, block: dict[str, Any]) -> list[bytes]:
        index = self._open[key] = self._next
        self._next += 1
        return [_event("content_block_start", {"index": index, "content_block": block})]

    def _delta(self, key: Key, delta: dict[str, Any]) -> bytes:
        return _event("content_block_delta", {"index": self._open[key], "delta": delta})

    def _on_text(self, data: dict[str, Any]) -> list[bytes]:
        delta = str(data.get("delta") or "")
        if not delta:
            return []
        key = _key(data, "content_index")
        self._texted.add(key[0])
        opened = [] if key in self._open else self._open_block(key, {"type": "text", "text": ""})
        return [*opened, self._delta(key, {"type": "text_delta", "text": delta})]

    def _on_item_added(self, data: dict[str, Any]) -> list[bytes]:
        item = data.get("item") or {}
        if item.get("type") != "function_call":
            return []
        self._calls = True
        index = int(data.get("output_index", -1))
        self._arguments[index] = ""
        block: dict[str, Any] = {
            "type": "tool_use",
            "id": item.get("call_id") or item.get("id"),
            "name": item.get("name"),
            "input": {},
        }
        return self._open_block((index, -1), block)

    def _on_arguments(self, data: dict[str, Any]) -> list[bytes]:
        index = int(data.get("output_index", -1))
        fragment = str(data.get("delta") or "")
        if index not in self._arguments or not fragment:
            return []
        self._arguments[index] += fragment
        return [self._delta((index, -1), _json_delta(fragment))]

    def _on_reasoning(self, data: dict[str, Any]) -> list[bytes]:
        delta = str(data.get("delta") or "")
        if not delta:
            return []
        index = int(data.get("output_index", -1))
        part = int(data.get("summary_index", data.get("content_index", 0)) or 0)
        frames = []
        if (index, -1) not in self._open:
            frames = self._open_block(
                (index, -1), {"type": "thinking", "thinking": "", "signature": ""}
            )
        elif part != self._summary_part.get(index):  # the item's next summary part
            delta = "\n\n" + delta
        self._summary_part[index] = part
        return [*frames, self._delta((index, -1), {"type": "thinking_delta", "thinking": delta})]

    def _on_item_done(self, data: dict[str, Any]) -> list[bytes]:
        index = int(data.get("output_index", -1))
        item = data.get("item") or {}
        if item.get("type") == "message" and index not in self._texted:
            return self._whole_message(index, item)  # no deltas came: its text is only here
        if item.get("type") == "reasoning" and index not in self._summary_part:
            return self._whole_summary(index, item)
        frames = []
        if index in self._arguments:
            final = str((data.get("item") or {}).get("arguments") or "")
            sent = self._arguments.pop(index)
            rest = final[len(sent) :] if final.startswith(sent) else ""
            if rest:
                frames.append(self._delta((index, -1), _json_delta(rest)))
        return frames + self._close(lambda key: key[0] == index)

    def _whole_message(self, index: int, item: dict[str, Any]) -> list[bytes]:
        frames: list[bytes] = []
        for part, block in enumerate(content({"output": [item]})):
            key = (index, part)
            frames += self._open_block(key, {"type": "text", "text": ""})
            frames.append(self._delta(key, {"type": "text_delta", "text": block["text"]}))
        return frames + self._close(lambda key: key[0] == index)

    def _whole_summary(self, index: int, item: dict[str, Any]) -> list[bytes]:
        thinking = summary_text(item)
        if not thinking:
            return []
        key = (index, -1)
        frames = self._open_block(key, {"type": "thinking", "thinking": "", "signature": ""})
        frames.append(self._delta(key, {"type": "thinking_delta", "thinking": thinking}))
        return frames + self._close(lambda found: found == key)

    def _close(self, which: Callable[[Key], bool]) -> list[bytes]:
        keys = sorted((k for k in self._open if which(k)), key=lambda k: self._open[k])
        return [_event("content_block_stop", {"index": self._open.pop(k)}) for k in keys]

    def _on_finished(self, data: dict[str, Any]) -> list[bytes]:
        self.done = True
        found = data.get("response")
        final: dict[str, Any] = found if isinstance(found, dict) else {}
        self.model = final.get("model") or self.model
        reason = stop_reason(
            final.get("status"), final.get("incomplete_details"), calls=self._calls
        )
        delta = {"stop_reason": reason, "stop_sequence": None}
        return [
            *self._close(lambda _key: True),
            _event("message_delta", {"delta": delta, "usage": usage(final)}),
            _event("message_stop", {}),
        ]

    def _on_failed(self, data: dict[str, Any]) -> list[bytes]:
        self.done = True
        _, envelope = failure(responses.event_error(data))
        return [anthropic.error_event(envelope["error"]["type"], envelope["error"]["message"])]


def _key(data: dict[str, Any], part: str) -> Key:
    return int(data.get("output_index", -1)), int(data.get(part) or 0)


def _json_delta(fragment: str) -> dict[str, Any]:
    return {"type": "input_json_delta", "partial_json": fragment}


def _event(name: str, fields: dict[str, Any]) -> bytes:
    return sse.encode(name, {"type": name, **fields})
