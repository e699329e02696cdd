"""OpenAI Responses answer -> Anthropic Messages answer (PROTOCOLS.md §4.6, R → A)."""

from __future__ import annotations

import json
from typing import Any

from ccproxy.formats import anthropic, responses
from ccproxy.formats.convert.responses_reply import summary_text


def stop_reason(status: Any, incomplete_details: Any, *, calls: bool) -> str:
    if status == "incomplete":
        details = incomplete_details if isinstance(incomplete_details, dict) else {}
        return "refusal" if details.get("reason") == "content_filter" else "max_tokens"
    return "tool_use" if calls else "end_turn"


def usage(final: dict[str, Any]) -> dict[str, int]:
    """Anthropic usage: `input_tokens` without the cached ones, which Responses counts inside."""
    found = final.get("usage") if isinstance(final.get("usage"), dict) else {}
    counted = found or {}
    cached = _int((counted.get("input_tokens_details") or {}).get("cached_tokens"))
    return {
        "input_tokens": max(_int(counted.get("input_tokens")) - cached, 0),
        "output_tokens": _int(counted.get("output_tokens")),
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": cached,
    }


def _int(value: Any) -> int:
    return value if isinstance(value, int) and value > 0 else 0


def tool_input(arguments: Any) -> dict[str, Any]:
    """A function call's arguments as a tool_use input; anything but a JSON object is `{}`."""
    try:
        parsed = json.loads(arguments) if isinstance(arguments, str) and arguments else {}
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def content(final: dict[str, Any]) -> list[dict[str, Any]]:
    """The answer's blocks: summaries as thinking, text and refusals as text, calls as tool_use;
    empty texts and summaries are left out (a client sending them back would be refused)."""
    blocks: list[dict[str, Any]] = []
    output = final.get("output")
    for item in output if isinstance(output, list) else []:
        kind = item.get("type") if isinstance(item, dict) else None
        if kind == "reasoning" and (thinking := summary_text(item)):
            blocks.append({"type": "thinking", "thinking": thinking, "signature": ""})
        elif kind == "message":
            blocks += _texts(item.get("content"))
        elif kind == "function_call":
            blocks.append(
                {
                    "type": "tool_use",
                    "id": item.get("call_id") or item.get("id"),
                    "name": item.get("name"),
                    "input": tool_input(item.get("arguments")),
                }
            )
    return blocks


def _texts(parts: Any) -> list[dict[str, Any]]:
    blocks = []
    for part in parts if isinstance(parts, list) else []:
        text = part.get("text") if part.get("type") == "output_text" else part.get("refusal")
        if isinstance(text, str) and text:
            blocks.append({"type": "text", "text": text})
    return blocks


def message(final: dict[str, Any], message_id: str, model: str) -> dict[str, Any]:
    """The Anthropic `Message` for a complete Responses object."""
    blocks = content(final)
    calls = any(block["type"] == "tool_use" for block in blocks)
    return {
        "id": message_id,
        "type": "message",
        "role": "assistant",
        "model": final.get("model") or model,
        "content": blocks,
        "stop_reason": stop_reason(
            final.get("status"), final.get("incomplete_details"), calls=calls
        ),
        "stop_sequence": None,
        "usage": usage(final),
    }


def error(status: int, raw: bytes) -> dict[str, Any]:
    """An Anthropic error envelope for an error answer of a Responses upstream; never raises."""
    found = responses.error_envelope(status, raw)["error"]
    return anthropic.error_body(anthropic.error_type_for_status(status), found["message"])


def failure(found: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """HTTP status and envelope for a stream that ended in `response.failed` or `error`."""
    status = responses.status_for_code(found.get("code"))
    return status, anthropic.error_body(anthropic.error_type_for_status(status), found["message"])
