"""OpenAI Responses wire format: error envelopes, the events the proxy writes itself, and the
final response object rebuilt from a stream (UPSTREAMS.md §3.7, §3.8)."""

from __future__ import annotations

import json
import re
from typing import Any

from ccproxy.formats import chat, sse

TERMINAL = frozenset({"response.completed", "response.incomplete", "response.failed"})
# error.code of a failed response -> the HTTP status a non-streaming client gets for it
_STATUS_FOR_CODE = {
    "rate_limit_exceeded": 429,
    "usage_limit_reached": 429,
    "insufficient_quota": 429,
    "server_error": 502,
}


def status_for_code(code: Any) -> int:
    return _STATUS_FOR_CODE.get(str(code), 400)


def error_envelope(status: int, raw: bytes) -> dict[str, Any]:
    """An OpenAI error envelope for whatever an OpenAI-style upstream answered with `status`.

    `{"detail": "…"}` (FastAPI) and `{"error": {…}}` bodies keep their message; anything else
    becomes a message quoting it. Never raises.
    """
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict):
        if isinstance(parsed.get("error"), dict):
            return {"error": _error_object(parsed["error"], status)}
        detail = parsed.get("detail")
        if detail is not None:
            message = detail if isinstance(detail, str) else json.dumps(detail)
            return chat.error_body(chat.error_type_for_status(status), message)
    text = raw.decode("utf-8", "replace").strip()[:500] or f"upstream answered HTTP {status}"
    return chat.error_body(chat.error_type_for_status(status), text)


def _error_object(error: dict[str, Any], status: int) -> dict[str, Any]:
    """The upstream's error object with the four keys SDKs read, extra keys kept."""
    message = error.get("message")
    return {
        **error,
        "message": message if isinstance(message, str) else json.dumps(error),
        "type": error.get("type") or chat.error_type_for_status(status),
        "param": error.get("param"),
        "code": error.get("code") if "code" in error else error.get("type"),
    }


def event_error(data: dict[str, Any]) -> dict[str, Any]:
    """`{code, message}` of an `error` event or a failed response (nested or top level)."""
    if data.get("type") == "response.failed":
        found = (data.get("response") or {}).get("error")
    else:
        found = data.get("error") if isinstance(data.get("error"), dict) else data
    found = found if isinstance(found, dict) else {}
    message = found.get("message")
    return {
        "code": found.get("code") or found.get("type") or "server_error",
        "message": message if isinstance(message, str) and message else "the upstream failed",
    }


def encode(data: dict[str, Any]) -> bytes:
    return sse.encode(str(data["type"]), data)


def failure_events(
    sequence: int, response: dict[str, Any], code: str, message: str
) -> list[dict[str, Any]]:
    """`error` then `response.failed`: how a Responses stream ends when its upstream breaks."""
    failed = {
        **response,
        "status": "failed",
        "error": {"code": code, "message": message},
        "incomplete_details": None,
    }
    return [
        {
            "type": "error",
            "sequence_number": sequence,
            "code": code,
            "message": message,
            "param": None,
        },
        {"type": "response.failed", "sequence_number": sequence + 1, "response": failed},
    ]


class Collector:
    """Reads a Responses stream to its end and rebuilds the final response object.

    The `response.completed` event is trusted when its `output` is a non-empty list (or nothing
    was streamed); otherwise `output` is rebuilt from the items seen, in `output_index` order,
    with text and argument deltas standing in for items whose `done` event never came.
    """

    def __init__(self) -> None:
        self.started: dict[str, Any] = {}
        self.final: dict[str, Any] | None = None
        self.failure: dict[str, Any] | None = None
        self._done: dict[int, dict[str, Any]] = {}
        self._added: dict[int, dict[str, Any]] = {}
        self._texts: dict[tuple[int, int], list[str]] = {}
        self._arguments: dict[int, list[str]] = {}
        self._summaries: dict[tuple[int, int], list[str]] = {}

    def feed(self, data: dict[str, Any]) -> None:
        kind = data.get("type")
        index = data.get("output_index")
        if kind in ("response.created", "response.in_progress"):
            self.started = data.get("response") or self.started
        elif kind in ("response.completed", "response.incomplete"):
            self.final = data.get("response") if isinstance(data.get("response"), dict) else {}
        elif kind in ("response.failed", "error"):
            self.failure = self.failure or event_error(data)
        elif not isinstance(index, int):
            return
        elif kind == "response.output_item.added" and isinstance(data.get("item"), dict):
            self._added[index] = data["item"]
        elif kind == "response.output_item.done" and isinstance(data.get("item"), dict):
            self._done[index] = data["item"]
        elif kind == "response.output_text.delta":
            key = (index, int(data.get("content_index") or 0))
            self._texts.setdefault(key, []).append(str(data.get("delta") or ""))
        elif kind == "response.function_call_arguments.delta":
            self._arguments.setdefault(index, []).append(str(data.get("delta") or ""))
        elif kind == "response.reasoning_summary_text.delta":
            key = (index, int(data.get("summary_index") or 0))
            self._summaries.setdefault(key, []).append(str(data.get("delta") or ""))

    @property
    def seen_items(self) -> bool:
        return bool(self._done or self._added)

    def response(self) -> dict[str, Any] | None:
        """The final response; None when the stream ended without any."""
        if self.final is not None:
            final = {**self.started, **self.final}
            output = final.get("output")
            if not isinstance(output, list) or (not output and self.seen_items):
                final["output"] = self.output()
            return final
        if not self.seen_items:
            return None
        return {
            **self.started,
            "status": "incomplete",
            "incomplete_details": None,
            "output": self.output(),
        }

    def output(self) -> list[dict[str, Any]]:
        indices = sorted(self._done.keys() | self._added.keys())
        return [self._done.get(index) or self._rebuilt(index) for index in indices]

    def _rebuilt(self, index: int) -> dict[str, Any]:
        item = dict(self._added[index])
        kind = item.get("type")
        if kind == "message":
            parts = sorted((c, "".join(t)) for (i, c), t in self._texts.items() if i == index)
            item["content"] = [
                {"type": "output_text", "text": text, "annotations": []} for _, text in parts
            ]
        elif kind == "function_call":
            item["arguments"] = "".join(self._arguments.get(index, [])) or item.get("arguments")
        elif kind == "reasoning":
            parts = sorted((s, "".join(t)) for (i, s), t in self._summaries.items() if i == index)
            item["summary"] = [{"type": "summary_text", "text": text} for _, text in parts]
        item["status"] = "incomplete"
        return item


_SEQUENCE = re.compile(r'"sequence_number"\s*:\s*(\d+)')


class Progress:
    """What a Responses stream passed through unchanged has said so far: enough to end it
    properly (`error` + `response.failed`, numbered on) when the upstream breaks off."""

    def __init__(self) -> None:
        self.response: dict[str, Any] = {"object": "response", "output": []}
        self.next_sequence = 0
        self.ended = False
        self._errored = False

    def see(self, events: list[sse.Event]) -> None:
        for event in events:
            if found := _SEQUENCE.findall(event.data):
                self.next_sequence = max(self.next_sequence, int(found[-1]) + 1)
            name = event.event if event.event != "message" else _type(event.data)
            if name in TERMINAL:
                self.ended = True
            elif name == "error":
                self._errored = True
            elif name == "response.created":
                response = _json_object(event.data).get("response")
                if isinstance(response, dict):
                    self.response = {**response, "output": []}

    def failure(self, message: str) -> bytes:
        """The events that end the stream after an upstream failure."""
        events = failure_events(self.next_sequence, self.response, "server_error", message)
        if self._errored:  # the upstream said what went wrong; only the ending is missing
            events = [{**events[1], "sequence_number": self.next_sequence}]
        self.ended = True
        return b"".join(encode(event) for event in events)


def _json_object(data: str) -> dict[str, Any]:
    try:
        parsed = json.loads(data)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _type(data: str) -> str:
    """The `type` of an event sent without an `event:` line."""
    return str(_json_object(data).get("type") or "")
