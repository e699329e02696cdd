"""Anthropic Messages answer -> OpenAI Responses object (PROTOCOLS.md §4.6, "Responses")."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ccproxy.formats.convert.responses_anthropic_request import REDACTED

# stop_reason -> incomplete_details.reason; any other stop reason completes the response.
INCOMPLETE = {
    "max_tokens": "max_output_tokens",
    "model_context_window_exceeded": "max_output_tokens",
    "refusal": "content_filter",
}
# Request fields a Responses object repeats back, with OpenAI's defaults.
ECHOED: dict[str, Any] = {
    "instructions": None,
    "max_output_tokens": None,
    "parallel_tool_calls": True,
    "temperature": 1.0,
    "text": {"format": {"type": "text"}},
    "tool_choice": "auto",
    "tools": [],
    "top_p": 1.0,
    "metadata": {},
    "user": None,
}


@dataclass(frozen=True)
class ReplyContext:
    id: str  # resp_…; the output items' ids are derived from it
    created: int
    model: str
    echo: dict[str, Any] = field(default_factory=dict)  # from `echoed(request)`
    structured_tool: str | None = None  # the tool that carries structured output, if one was used

    def item_id(self, prefix: str, index: int) -> str:
        return f"{prefix}_{self.id.removeprefix('resp_')}_{index}"


def echoed(payload: dict[str, Any]) -> dict[str, Any]:
    """What the response object repeats of the request, defaults filled in."""
    echo = {key: payload.get(key, default) for key, default in ECHOED.items()}
    reasoning = payload.get("reasoning")
    reasoning = reasoning if isinstance(reasoning, dict) else {}
    echo["reasoning"] = {"effort": reasoning.get("effort"), "summary": reasoning.get("summary")}
    return echo


def skeleton(ctx: ReplyContext, model: str, status: str) -> dict[str, Any]:
    """The response object without output or usage, as `response.created` carries it."""
    return {
        "id": ctx.id,
        "object": "response",
        "created_at": ctx.created,
        "status": status,
        "error": None,
        "incomplete_details": None,
        "model": model,
        "output": [],
        "previous_response_id": None,
        "store": False,
        "truncation": "disabled",
        "usage": None,
        **ctx.echo,
    }


def usage(anthropic: dict[str, Any]) -> dict[str, Any]:
    """Responses usage: input tokens include cache reads and writes; cached = cache reads."""
    fresh = anthropic.get("input_tokens") or 0
    read = anthropic.get("cache_read_input_tokens") or 0
    written = anthropic.get("cache_creation_input_tokens") or 0
    output = anthropic.get("output_tokens") or 0
    thinking = (anthropic.get("output_tokens_details") or {}).get("thinking_tokens") or 0
    total_input = fresh + read + written
    return {
        "input_tokens": total_input,
        "input_tokens_details": {"cached_tokens": read},
        "output_tokens": output,
        "output_tokens_details": {"reasoning_tokens": thinking},
        "total_tokens": total_input + output,
    }


def finished(response: dict[str, Any], stop_reason: Any) -> dict[str, Any]:
    """`response` with the status and incomplete details its stop reason calls for."""
    reason = INCOMPLETE.get(str(stop_reason))
    if reason is None:
        return {**response, "status": "completed"}
    return {**response, "status": "incomplete", "incomplete_details": {"reason": reason}}


def text_part(text: str) -> dict[str, Any]:
    return {"type": "output_text", "text": text, "annotations": [], "logprobs": []}


def message_item(item_id: str, parts: list[dict[str, Any]], status: str) -> dict[str, Any]:
    return {"id": item_id, "type": "message", "role": "assistant", "status": status,
            "content": parts}  # fmt: skip


def call_item(item_id: str, block: dict[str, Any], arguments: str, status: str) -> dict[str, Any]:
    return {
        "id": item_id,
        "type": "function_call",
        "status": status,
        "call_id": block.get("id"),
        "name": block.get("name"),
        "arguments": arguments,
    }


def reasoning_item(item_id: str, block: dict[str, Any]) -> dict[str, Any]:
    """A reasoning item; the signature rides in `encrypted_content`, so a client sending the
    item back gives Claude its thinking back (a convention of this proxy, §4.6)."""
    if block.get("type") == "redacted_thinking":
        return {"id": item_id, "type": "reasoning", "summary": [],
                "encrypted_content": REDACTED + str(block.get("data", ""))}  # fmt: skip
    text = str(block.get("thinking") or "")
    item: dict[str, Any] = {
        "id": item_id,
        "type": "reasoning",
        "summary": [{"type": "summary_text", "text": text}] if text else [],
    }
    if block.get("signature"):
        item["encrypted_content"] = block["signature"]
    return item


def response(message: dict[str, Any], ctx: ReplyContext) -> dict[str, Any]:
    """The Responses object for a complete Anthropic message."""
    output: list[dict[str, Any]] = []
    for block in message.get("content") or []:
        kind, number = block.get("type"), len(output)
        if kind in ("thinking", "redacted_thinking"):
            output.append(reasoning_item(ctx.item_id("rs", number), block))
        elif kind == "tool_use" and block.get("name") != ctx.structured_tool:
            arguments = json.dumps(block.get("input") or {}, ensure_ascii=False)
            output.append(call_item(ctx.item_id("fc", number), block, arguments, "completed"))
        elif kind == "text":
            _add_text(output, ctx.item_id("msg", number), str(block.get("text", "")))
        elif kind == "tool_use":  # structured output carried by a forced tool: the answer
            text = json.dumps(block.get("input") or {}, ensure_ascii=False)
            _add_text(output, ctx.item_id("msg", number), text)
    base = skeleton(ctx, message.get("model") or ctx.model, "completed")
    base["output"] = output
    base["usage"] = usage(message.get("usage") or {})
    return finished(base, message.get("stop_reason"))


def _add_text(output: list[dict[str, Any]], item_id: str, text: str) -> None:
    """Consecutive text blocks share one message item, a part each."""
    if output and output[-1]["type"] == "message":
        output[-1]["content"].append(text_part(text))
    else:
        output.append(message_item(item_id, [text_part(text)], "completed"))
