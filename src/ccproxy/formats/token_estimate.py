"""A local estimate of an Anthropic request's input tokens, for providers whose upstream has no
counting endpoint (`/codex`, `/sdk`). No I/O, no tokenizer download: an estimate, not a count.

Method: every piece of text the model reads (system, message text, tool inputs and results,
thinking, and each tool's name, description and JSON schema) counts one token per four
characters, rounded up; each image or PDF document counts a fixed IMAGE_TOKENS (about what
Anthropic charges for a large image); each message adds MESSAGE_TOKENS for its framing.
Clients use the number to decide when to compact a conversation, so erring high is safer.
"""

from __future__ import annotations

import json
import math
from typing import Any

CHARS_PER_TOKEN = 4
IMAGE_TOKENS = 1600
MESSAGE_TOKENS = 4
_MEDIA = frozenset({"image", "document"})


def input_tokens(payload: dict[str, Any]) -> int:
    """The estimated `input_tokens` of a Messages request body (its unknown parts count as
    their JSON text)."""
    chars, media = _count(payload.get("system"))
    tools_chars, _ = _count(
        [
            json.dumps(tool, ensure_ascii=False, sort_keys=True)
            for tool in payload.get("tools") or []
        ]
    )
    chars += tools_chars
    messages = payload.get("messages")
    messages = messages if isinstance(messages, list) else []
    for message in messages:
        found = message.get("content") if isinstance(message, dict) else message
        more_chars, more_media = _count(found)
        chars, media = chars + more_chars, media + more_media
    tokens = math.ceil(chars / CHARS_PER_TOKEN) + media * IMAGE_TOKENS
    return tokens + MESSAGE_TOKENS * len(messages)


def _count(value: Any) -> tuple[int, int]:
    """(characters of text, number of images and documents) in a content value."""
    if value is None:
        return 0, 0
    if isinstance(value, str):
        return len(value), 0
    if isinstance(value, list):
        counts = [_count(item) for item in value]
        return sum(c for c, _ in counts), sum(m for _, m in counts)
    if isinstance(value, dict):
        return _block(value)
    return len(json.dumps(value)), 0


def _block(block: dict[str, Any]) -> tuple[int, int]:
    kind = block.get("type")
    if not isinstance(kind, str):  # not a block: whatever it holds, counted as JSON text
        return len(json.dumps(block, ensure_ascii=False)), 0
    found = block.get("source")
    source: dict[str, Any] = found if isinstance(found, dict) else {}
    if kind in _MEDIA and source.get("type") != "text":
        return 0, 1
    if kind in ("text", "thinking"):
        return _count(block.get(kind))
    if kind == "tool_use":
        return len(str(block.get("name") or "")) + len(json.dumps(block.get("input") or {})), 0
    if kind == "tool_result":
        return _count(block.get("content"))
    if kind == "document":
        return _count(source.get("data"))
    return len(json.dumps(block, ensure_ascii=False)), 0
