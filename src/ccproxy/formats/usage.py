"""Token usage as the upstreams report it, in one shape: Anthropic messages and events, and
OpenAI Responses events (Responses counts cached tokens inside `input_tokens`; here `input`
never includes them, as in Anthropic's usage)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass
class Usage:
    input: int = 0
    output: int = 0
    cache_read: int = 0
    cache_write: int = 0
    model: str | None = None

    def merge(self, other: Usage) -> None:
        """Anthropic streams report some counts twice (start, then final delta): keep the
        largest of each, which is the final one."""
        self.input = max(self.input, other.input)
        self.output = max(self.output, other.output)
        self.cache_read = max(self.cache_read, other.cache_read)
        self.cache_write = max(self.cache_write, other.cache_write)
        self.model = other.model or self.model


def from_anthropic(usage: Any, model: Any = None) -> Usage:
    """An Anthropic `usage` object (message, message_delta, or Claude Code's result)."""
    if not isinstance(usage, dict):
        return Usage(model=model if isinstance(model, str) else None)
    return Usage(
        input=_count(usage.get("input_tokens")),
        output=_count(usage.get("output_tokens")),
        cache_read=_count(usage.get("cache_read_input_tokens")),
        cache_write=_count(usage.get("cache_creation_input_tokens")),
        model=model if isinstance(model, str) else None,
    )


def from_responses(usage: Any, model: Any = None) -> Usage:
    """An OpenAI Responses `usage` object."""
    if not isinstance(usage, dict):
        return Usage(model=model if isinstance(model, str) else None)
    details = usage.get("input_tokens_details")
    cached = _count(details.get("cached_tokens")) if isinstance(details, dict) else 0
    return Usage(
        input=max(_count(usage.get("input_tokens")) - cached, 0),
        output=_count(usage.get("output_tokens")),
        cache_read=cached,
        model=model if isinstance(model, str) else None,
    )


def from_body(body: Any) -> Usage | None:
    """A whole (non-streamed) Anthropic message or Responses response."""
    if not isinstance(body, dict) or "usage" not in body:
        return None
    if body.get("object") == "response":
        return from_responses(body["usage"], body.get("model"))
    return from_anthropic(body["usage"], body.get("model"))


def from_event(name: str, data: Any) -> Usage | None:
    """Usage carried by one stream event, if any."""
    if not isinstance(data, dict):
        return None
    if name == "message_start" and isinstance(message := data.get("message"), dict):
        return from_anthropic(message.get("usage"), message.get("model"))
    if name == "message_delta":
        return from_anthropic(data.get("usage")) if "usage" in data else None
    if name in ("response.completed", "response.done", "response.incomplete", "response.failed"):
        response = data.get("response")
        if isinstance(response, dict) and "usage" in response:
            return from_responses(response.get("usage"), response.get("model"))
    return None


_DECODER = json.JSONDecoder()


def from_whole_body(body: bytes) -> Usage | None:
    """The usage of a whole, serialized Anthropic message or Responses response. Only the values
    after its last `"usage"` key and its first `"model"` key are parsed, never its content, so a
    long answer costs no more than a short one. (Text that mentions "usage" is escaped JSON
    inside a string, `\\"usage\\"`, so it never matches.)"""
    at = body.rfind(b'"usage"')
    if at < 0:
        return None
    model_at = body.find(b'"model"')
    found = {
        "usage": _value_after(body, at + 7, _USAGE_BYTES),
        "model": _value_after(body, model_at + 7, _MODEL_BYTES) if model_at >= 0 else None,
    }
    if b'"object":"response"' in body[:200]:  # Responses put it first; a message has none
        found["object"] = "response"
    return from_body(found)


_USAGE_BYTES = 1024  # a usage object, details included, is a few hundred bytes
_MODEL_BYTES = 300


def _value_after(body: bytes, at: int, most: int) -> Any:
    """The JSON value after the `:` that follows position `at` (within `most` bytes), or None."""
    colon = body.find(b":", at, at + 16)
    if colon < 0:
        return None
    text = body[colon + 1 : colon + 1 + most].decode("utf-8", "replace").lstrip()
    try:
        return _DECODER.raw_decode(text)[0]
    except ValueError:
        return None


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0
