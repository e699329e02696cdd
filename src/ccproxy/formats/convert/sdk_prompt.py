"""An Anthropic Messages request -> the one user turn that starts or continues a Claude Code
session (UPSTREAMS.md §5.2), and the fingerprint that recognises a conversation next time.

Claude Code keeps a conversation itself and takes only user turns. A session that continues
gets the new user message alone. A new session gets the earlier turns too, written out as text
ahead of it. That is lossless for text, and tool calls and images are named rather than replayed.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ccproxy.formats.convert.context import ConversionError

_KEPT_BLOCKS = frozenset({"text", "image", "document"})


def last_user_turn(messages: list[Any]) -> list[dict[str, Any]]:
    """The content blocks of the final message, which must be the user's."""
    if not messages or not isinstance(messages[-1], dict) or messages[-1].get("role") != "user":
        raise ConversionError("the last message must be the user's", "messages")
    blocks = _blocks(messages[-1].get("content"))
    kept = [b for b in blocks if _kind(b) in _KEPT_BLOCKS]
    others = [_describe(b) for b in blocks if _kind(b) not in _KEPT_BLOCKS]
    kept += [{"type": "text", "text": text} for text in others if text]
    if not kept:
        raise ConversionError("the last user message has no content", "messages")
    return kept


def first_turn(messages: list[Any], system: Any) -> list[dict[str, Any]]:
    """The user turn that opens a session: the earlier turns and the system prompt as text,
    then the last user message as it came."""
    last = last_user_turn(messages)
    earlier = [_turn(m) for m in messages[:-1] if isinstance(m, dict)]
    parts = []
    if system_text := text_of(system):
        parts.append(f"<system>\n{system_text}\n</system>")
    if any(earlier):
        history = "\n".join(turn for turn in earlier if turn)
        parts.append(
            "The conversation so far (replayed by ccproxy; answer the message after it):\n"
            f"<conversation>\n{history}\n</conversation>"
        )
    if not parts:
        return last
    return [{"type": "text", "text": "\n\n".join(parts)}, *last]


def _turn(message: dict[str, Any]) -> str:
    role = message.get("role")
    if role not in ("user", "assistant"):
        return ""
    texts = [_describe(block) for block in _blocks(message.get("content"))]
    body = "\n".join(text for text in texts if text)
    return f"<{role}>\n{body}\n</{role}>" if body else ""


def _describe(block: dict[str, Any]) -> str:
    kind = block.get("type")
    if kind == "text":
        return str(block.get("text") or "")
    if kind in ("image", "document"):
        return f"[{kind} not replayed]"
    if kind == "tool_use":
        arguments = json.dumps(block.get("input"), ensure_ascii=False)
        return f"[tool call {block.get('name')}: {arguments}]"
    if kind == "tool_result":
        return f"[tool result: {text_of(block.get('content'))}]"
    return ""  # thinking, and the SDK blocks a client may echo back, are not conversation


def _kind(block: dict[str, Any]) -> str | None:
    """The block's type when it is a string: a client may send any JSON there, and a list or an
    object cannot even be looked up in a set."""
    kind = block.get("type")
    return kind if isinstance(kind, str) else None


def _blocks(content: Any) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}] if content else []
    if isinstance(content, list):
        return [block for block in content if isinstance(block, dict)]
    return []


def text_of(content: Any) -> str:
    """The text of a `system` value or a message's content (string or blocks)."""
    return "\n".join(
        str(block.get("text") or "") for block in _blocks(content) if block.get("type") == "text"
    ).strip()


def fingerprint(system: Any, messages: list[Any]) -> str:
    """Names a conversation by the text of its turns, so the same history seen again (the next
    request of a client that replays it) finds the same session."""
    turns = [
        [m.get("role"), _squeezed(m.get("content"))]
        for m in messages
        if isinstance(m, dict) and m.get("role") in ("user", "assistant")
    ]
    canonical = json.dumps([text_of(system), turns], ensure_ascii=False, separators=(",", ":"))
    # surrogatepass: a client's JSON may escape a lone surrogate, which UTF-8 cannot encode.
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def _squeezed(content: Any) -> str:
    """The text of some content without any whitespace: a client that joins our text blocks
    into one string, or trims it, still sends back the same turn."""
    texts = [str(b.get("text") or "") for b in _blocks(content) if b.get("type") == "text"]
    return "".join("".join(texts).split())
