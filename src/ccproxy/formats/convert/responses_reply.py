"""OpenAI Responses answer -> OpenAI Chat Completions answer (PROTOCOLS.md §4.5)."""

from __future__ import annotations

from typing import Any

from ccproxy.formats import chat, responses
from ccproxy.formats.convert.context import TAGS, ResponseContext


def finish_reason(status: Any, incomplete_details: Any, *, calls: bool) -> str:
    if status == "incomplete":
        details = incomplete_details if isinstance(incomplete_details, dict) else {}
        return "content_filter" if details.get("reason") == "content_filter" else "length"
    return "tool_calls" if calls else "stop"


def usage(response: dict[str, Any]) -> dict[str, Any] | None:
    """Chat usage for Responses usage (both count cached and reasoning tokens inside)."""
    found = response.get("usage")
    if not isinstance(found, dict):
        return None
    prompt = found.get("input_tokens") or 0
    completion = found.get("output_tokens") or 0
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": found.get("total_tokens") or prompt + completion,
        "prompt_tokens_details": {
            "cached_tokens": (found.get("input_tokens_details") or {}).get("cached_tokens") or 0
        },
        "completion_tokens_details": {
            "reasoning_tokens": (found.get("output_tokens_details") or {}).get("reasoning_tokens")
            or 0
        },
    }


def tool_call(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": item.get("call_id") or item.get("id"),
        "type": "function",
        "function": {"name": item.get("name"), "arguments": item.get("arguments") or "{}"},
    }


def response(final: dict[str, Any], ctx: ResponseContext) -> dict[str, Any]:
    """The `chat.completion` for a complete Responses object."""
    texts: list[str] = []
    refusals: list[str] = []
    reasoning: list[str] = []
    calls: list[dict[str, Any]] = []
    for item in _items(final):
        kind = item.get("type")
        if kind == "message":
            for part in item.get("content") or []:
                if part.get("type") == "output_text":
                    texts.append(str(part.get("text") or ""))
                elif part.get("type") == "refusal":
                    refusals.append(str(part.get("refusal") or ""))
        elif kind == "reasoning":
            reasoning.append(summary_text(item))
        elif kind == "function_call":
            calls.append(tool_call(item))
    refusal = "".join(refusals) or None
    text = "".join(texts)
    message = _message(text, "\n\n".join(r for r in reasoning if r), calls, ctx)
    if refusal is not None and not text and message["content"] == "":
        message["content"] = None  # as OpenAI answers a refusal
    message["refusal"] = refusal
    body = {
        "id": ctx.id,
        "object": "chat.completion",
        "created": ctx.created,
        "model": final.get("model") or ctx.model,
        "choices": [
            {
                "index": 0,
                "message": message,
                "logprobs": None,
                "finish_reason": finish_reason(
                    final.get("status"), final.get("incomplete_details"), calls=bool(calls)
                ),
            }
        ],
    }
    if (counted := usage(final)) is not None:
        body["usage"] = counted
    return body


def summary_text(item: dict[str, Any]) -> str:
    """A reasoning item's summary (or, for models that show it, its reasoning text)."""
    parts = item.get("summary") or item.get("content") or []
    return "\n\n".join(str(p.get("text") or "") for p in parts if isinstance(p, dict))


def _message(
    text: str, reasoning: str, calls: list[dict[str, Any]], ctx: ResponseContext
) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": text or (None if calls else "")}
    if reasoning and ctx.reasoning == "reasoning_content":
        message["reasoning_content"] = reasoning
    elif reasoning and (tag := TAGS.get(ctx.reasoning)):
        message["content"] = f"<{tag}>{reasoning}</{tag}>{text}"
    if calls:
        message["tool_calls"] = calls
    return message


def _items(response: dict[str, Any]) -> list[dict[str, Any]]:
    output = response.get("output")
    return [item for item in output if isinstance(item, dict)] if isinstance(output, list) else []


def error(status: int, raw: bytes) -> dict[str, Any]:
    """An OpenAI error envelope for an error answer of a Responses upstream; never raises."""
    return responses.error_envelope(status, raw)


def failure(found: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """HTTP status and envelope for a stream that ended in `response.failed` or `error`."""
    code = str(found.get("code") or "server_error")
    status = responses.status_for_code(code)
    return status, chat.error_body(chat.error_type_for_status(status), found["message"], code=code)
