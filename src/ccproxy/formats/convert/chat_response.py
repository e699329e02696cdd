"""Anthropic Messages response -> OpenAI Chat Completions (PROTOCOLS.md §4.2, §4.7)."""

from __future__ import annotations

import json
from typing import Any

from ccproxy.formats import chat
from ccproxy.formats.convert.context import TAGS, ResponseContext

THINKING_TYPES = ("thinking", "redacted_thinking")
FINISH_REASONS = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "pause_turn": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",
}


def finish_reason(stop_reason: str | None, *, structured: bool = False) -> str:
    reason = FINISH_REASONS.get(stop_reason or "end_turn", "stop")
    # Structured output carried by a forced tool is an answer, not a tool call, to the client.
    return "stop" if structured and reason == "tool_calls" else reason


def usage(anthropic: dict[str, Any]) -> dict[str, Any]:
    """OpenAI usage: prompt tokens include cache reads and writes; cached = cache reads."""
    fresh = anthropic.get("input_tokens") or 0
    read = anthropic.get("cache_read_input_tokens") or 0
    written = anthropic.get("cache_creation_input_tokens") or 0
    output = anthropic.get("output_tokens") or 0
    thinking = (anthropic.get("output_tokens_details") or {}).get("thinking_tokens") or 0
    prompt = fresh + read + written
    return {
        "prompt_tokens": prompt,
        "completion_tokens": output,
        "total_tokens": prompt + output,
        "prompt_tokens_details": {"cached_tokens": read, "cache_write_tokens": written},
        "completion_tokens_details": {"reasoning_tokens": thinking},
    }


def tool_call(block: dict[str, Any]) -> dict[str, Any]:
    arguments = json.dumps(block.get("input") or {}, ensure_ascii=False)
    return {
        "id": block["id"],
        "type": "function",
        "function": {"name": block["name"], "arguments": arguments},
    }


def response(message: dict[str, Any], ctx: ResponseContext) -> dict[str, Any]:
    """The `chat.completion` for a complete Anthropic message."""
    texts: list[str] = []
    reasoning: list[str] = []
    calls: list[dict[str, Any]] = []
    for block in message.get("content") or []:
        kind = block.get("type")
        if kind == "text":
            texts.append(block.get("text", ""))
        elif kind == "thinking":
            reasoning.append(block.get("thinking", ""))
        elif kind == "tool_use" and block.get("name") == ctx.structured_tool:
            texts.append(json.dumps(block.get("input") or {}, ensure_ascii=False))
        elif kind == "tool_use":
            calls.append(tool_call(block))
    content = "".join(texts)
    body: dict[str, Any] = {"role": "assistant", "content": content or (None if calls else "")}
    _add_reasoning(body, "".join(reasoning), ctx)
    if calls:
        body["tool_calls"] = calls
    body["refusal"] = None
    thinking = [b for b in message.get("content") or [] if b.get("type") in THINKING_TYPES]
    if thinking and ctx.reasoning == "reasoning_content":
        body["thinking_blocks"] = thinking  # LiteLLM's field, so clients can send them back
    stop = finish_reason(message.get("stop_reason"), structured=ctx.structured_tool is not None)
    return {
        "id": ctx.id,
        "object": "chat.completion",
        "created": ctx.created,
        "model": message.get("model") or ctx.model,
        "choices": [{"index": 0, "message": body, "logprobs": None, "finish_reason": stop}],
        "usage": usage(message.get("usage") or {}),
    }


def thinking_by_tool_id(message: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The signed thinking that preceded each tool call, for clients that will not send it back."""
    content = message.get("content") or []
    thinking = [
        b
        for b in content
        if b.get("type") == "redacted_thinking"
        or (b.get("type") == "thinking" and b.get("signature"))
    ]
    if not thinking:
        return {}
    return {b["id"]: thinking for b in content if b.get("type") == "tool_use" and "id" in b}


def _add_reasoning(body: dict[str, Any], reasoning: str, ctx: ResponseContext) -> None:
    if not reasoning or ctx.reasoning == "omit":
        return
    if ctx.reasoning == "reasoning_content":
        body["reasoning_content"] = reasoning
    else:
        tag = TAGS.get(ctx.reasoning, "thinking")
        body["content"] = f"<{tag}>{reasoning}</{tag}>{body['content'] or ''}"


# Anthropic error type -> (OpenAI type, code); statuses are kept as the upstream sent them.
_ERRORS = {
    "invalid_request_error": ("invalid_request_error", None),
    "authentication_error": ("authentication_error", None),
    "billing_error": ("insufficient_quota", "insufficient_quota"),
    "permission_error": ("permission_error", None),
    "not_found_error": ("invalid_request_error", "not_found"),
    "request_too_large": ("invalid_request_error", "request_too_large"),
    "rate_limit_error": ("requests", "rate_limit_exceeded"),
    "api_error": ("server_error", None),
    "timeout_error": ("timeout", None),
    "overloaded_error": ("server_error", "overloaded"),
}


def error(status: int, raw: bytes) -> dict[str, Any]:
    """An OpenAI error envelope for an Anthropic error body; never raises, whatever `raw` holds."""
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = None
    detail = parsed.get("error") if isinstance(parsed, dict) else None
    if isinstance(detail, dict) and isinstance(detail.get("message"), str):
        return error_for(detail, status)
    text = raw.decode("utf-8", "replace").strip()[:500] or f"upstream answered HTTP {status}"
    return chat.error_body(chat.error_type_for_status(status), text)


def error_for(detail: dict[str, Any], status: int) -> dict[str, Any]:
    """An OpenAI error envelope for the `error` object of an Anthropic error body or event."""
    message = str(detail.get("message") or "upstream error")
    kind, code = _ERRORS.get(str(detail.get("type")), (chat.error_type_for_status(status), None))
    if code == "not_found" and "model" in message.lower():
        code = "model_not_found"
    return chat.error_body(kind, message, code=code)
