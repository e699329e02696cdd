"""The one record each request leaves, filled in by the middleware and the route that served it."""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from typing import Any

from ccproxy.formats import sse
from ccproxy.formats.usage import Usage, from_event, from_whole_body


@dataclass(slots=True)
class AccessEntry:
    request_id: str
    timestamp: float  # epoch seconds when the request arrived
    method: str
    path: str
    user_agent: str | None = None
    route: str | None = None  # the route's template: /sdk/{session_id}/v1/messages
    provider: str | None = None  # claude_api, claude_sdk, codex
    client_format: str | None = None  # anthropic, openai_chat, openai_responses
    model_requested: str | None = None
    model_used: str | None = None
    stream: bool = False
    status_code: int = 0
    duration_ms: float = 0.0
    ttfb_ms: float | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    cost_usd: float | None = None
    cost_source: str | None = None  # prices (the pinned table) or claude_code (its own report)
    error_type: str | None = None
    session_id: str | None = None
    # A whole (not streamed) upstream body, kept until parse_usage() reads its usage.
    body: bytes | None = None

    def served_by(
        self, provider: str, client_format: str, model_requested: Any, stream: bool
    ) -> None:
        self.provider, self.client_format, self.stream = provider, client_format, stream
        if isinstance(model_requested, str):
            self.model_requested = model_requested

    def add_usage(self, usage: Usage) -> None:
        self.input_tokens = max(self.input_tokens, usage.input)
        self.output_tokens = max(self.output_tokens, usage.output)
        self.cache_read_tokens = max(self.cache_read_tokens, usage.cache_read)
        self.cache_write_tokens = max(self.cache_write_tokens, usage.cache_write)
        if usage.model:
            self.model_used = usage.model

    @property
    def has_usage(self) -> bool:
        return any((self.input_tokens, self.output_tokens, self.cache_read_tokens,
                    self.cache_write_tokens))  # fmt: skip

    def keep_body(self, body: bytes) -> None:
        """The `Upstream.tap` of a whole body: it is read once the request is over, off its path."""
        self.body = body

    def parse_usage(self) -> None:
        """Count the usage of the kept body, if any, and let the body go."""
        if self.body is None:
            return
        usage = from_whole_body(self.body)
        self.body = None
        if usage is not None:
            self.add_usage(usage)

    def as_dict(self) -> dict[str, Any]:
        # Not dataclasses.asdict: it deep-copies, and this runs for every request.
        return {name: getattr(self, name) for name in _FIELDS}


_FIELDS = tuple(field.name for field in fields(AccessEntry) if field.name != "body")


class UsageTap:
    """Reads the token usage out of an upstream event stream as it passes (`Upstream.tap`)."""

    __slots__ = ("_decoder", "_entry")

    def __init__(self, entry: AccessEntry) -> None:
        self._entry = entry
        self._decoder = sse.Decoder()

    def __call__(self, chunk: bytes) -> None:
        for event in self._decoder.feed(chunk):
            if '"usage"' not in event.data:
                continue
            try:
                data = json.loads(event.data)
            except ValueError:
                continue
            name = event.event if event.event != "message" else str(data.get("type", ""))
            if (usage := from_event(name, data)) is not None:
                self._entry.add_usage(usage)
