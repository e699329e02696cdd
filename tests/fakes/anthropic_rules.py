"""What the real Messages API refuses in a request body, as the fake Anthropic API enforces it.

Each rule is one the upstream is documented or reported to apply (PROTOCOLS.md §1, UPSTREAMS.md
§1); `refusal(body)` returns the error message of the first rule broken, or None.
"""

from __future__ import annotations

import re
from typing import Any

IDENTITY_PREFIXES = (
    "You are Claude Code, Anthropic's official CLI for Claude",
    "You are a Claude agent, built on Anthropic's Claude Agent SDK",
)
IMAGE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp"}
# Models whose traits the fake knows: adaptive-only thinking, no sampling, no prefill.
_MODERN = re.compile(r"claude-(opus|sonnet|haiku|fable)-(5|4-[78])")
MAX_OUTPUT = {"claude-haiku-4-5-20251001": 64000}


def refusal(body: dict[str, Any], *, needs_max_tokens: bool) -> str | None:
    missing = [k for k in ("model", "messages") if k not in body]
    if needs_max_tokens and "max_tokens" not in body:
        missing.append("max_tokens")
    if missing:
        return f"{missing[0]}: Field required"
    if problem := _types(body):
        return problem
    if not _has_identity(body.get("system")):
        return (
            "This credential is only authorized for use with Claude Code and cannot be used for "
            "other API requests."
        )
    for rule in (_sampling, _thinking, _max_tokens, _tools, _blocks, _tool_pairs, _prefill, _cache):
        if problem := rule(body):
            return problem
    return None


# The real API checks the body against its schema before any rule; these are the fields the rules
# below read, with the type each must have.
_OBJECT_LIST = (list, "a valid list of objects")
_FIELD_TYPES: dict[str, tuple[type | tuple[type, ...], str]] = {
    "model": (str, "a valid string"),
    "max_tokens": (int, "a valid integer"),
    "messages": _OBJECT_LIST,
    "tools": _OBJECT_LIST,
    "system": ((str, list), "a valid string or list of objects"),
    "thinking": (dict, "a valid object"),
    "tool_choice": (dict, "a valid object"),
    "temperature": ((int, float), "a valid number"),
}


def _types(body: dict[str, Any]) -> str | None:
    for name, (kind, what) in _FIELD_TYPES.items():
        value = body.get(name)
        if name not in body or (value is None and name == "temperature"):
            continue
        wrong = not isinstance(value, kind) or isinstance(value, bool)
        if isinstance(value, list) and kind in (list, (str, list)):
            wrong = not all(isinstance(item, dict) for item in value)
        if wrong:
            return f"{name}: Input should be {what}"
    for index, message in enumerate(body["messages"]):
        content = message.get("content")
        if not isinstance(message.get("role"), str) or not (
            isinstance(content, str)
            or (isinstance(content, list) and all(isinstance(b, dict) for b in content))
        ):
            return f"messages.{index}: Input should be a message with a role and content"
    return None


def _has_identity(system: Any) -> bool:
    if not isinstance(system, list):
        return False
    for block in system:
        text = block.get("text", "") if isinstance(block, dict) else ""
        if text.startswith("x-anthropic-billing-header:"):
            continue
        return text.lstrip().startswith(IDENTITY_PREFIXES)
    return False


def modern(model: str) -> bool:
    return bool(_MODERN.match(model))


def thinking_on(body: dict[str, Any]) -> bool:
    return (body.get("thinking") or {}).get("type") in ("enabled", "adaptive")


def _sampling(body: dict[str, Any]) -> str | None:
    if modern(body["model"]):
        for name in ("temperature", "top_p", "top_k"):
            if name in body:
                return f"`{name}` is deprecated for this model."
    if body.get("temperature") is None and "temperature" in body:
        return "temperature: Input should be a valid number"
    if "temperature" in body and "top_p" in body:
        return "`temperature` and `top_p` cannot both be specified for this model."
    if "temperature" in body and not 0 <= body["temperature"] <= 1:
        return "temperature: Input should be less than or equal to 1"
    return None


def _thinking(body: dict[str, Any]) -> str | None:
    thinking = body.get("thinking") or {}
    if thinking.get("type") == "enabled":
        if modern(body["model"]):
            return (
                '"thinking.type.enabled" is not supported for this model. Use '
                '"thinking.type.adaptive" and "output_config.effort" to control thinking behavior.'
            )
        budget = thinking.get("budget_tokens", 0)
        if budget < 1024:
            return "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024"
        if body.get("max_tokens", 0) <= budget:
            return "`max_tokens` must be greater than `thinking.budget_tokens`."
    if thinking_on(body):
        if body.get("temperature") not in (None, 1):
            return "`temperature` may only be set to 1 when thinking is enabled."
        if (body.get("tool_choice") or {}).get("type") in ("any", "tool"):
            return "Thinking may not be enabled when tool_choice forces tool use."
    return None


def _max_tokens(body: dict[str, Any]) -> str | None:
    limit = MAX_OUTPUT.get(body["model"], 128000)
    if body.get("max_tokens", 1) > limit:
        return (
            f"max_tokens: {body['max_tokens']} > {limit}, which is the maximum allowed number "
            f"of output tokens for {body['model']}"
        )
    return None


def _tools(body: dict[str, Any]) -> str | None:
    for index, tool in enumerate(body.get("tools") or []):
        if "input_schema" in tool and tool["input_schema"].get("type") != "object":
            return f"tools.{index}.custom.input_schema.type: Input should be 'object'"
    if "tool_choice" in body and not body.get("tools"):
        return "tool_choice may only be specified while providing tools."
    return None


def _blocks(body: dict[str, Any]) -> str | None:
    for m, message in enumerate(body["messages"]):
        content = message.get("content")
        for b, block in enumerate(content if isinstance(content, list) else []):
            if block.get("type") == "text" and not block.get("text"):
                return f"messages.{m}.content.{b}.text: text content blocks must be non-empty"
            source = block.get("source") or {}
            if (
                block.get("type") == "image"
                and source.get("type") == "base64"
                and (source.get("media_type") not in IMAGE_TYPES)
            ):
                return f"messages.{m}.content.{b}.source.media_type: unsupported image type"
        if isinstance(content, str) and not content and m != len(body["messages"]) - 1:
            return f"messages.{m}: all messages must have non-empty content"
    return None


def _blocks_of(message: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    content = message.get("content")
    return [b for b in content if b.get("type") == kind] if isinstance(content, list) else []


def _tool_pairs(body: dict[str, Any]) -> str | None:
    turns = [m for m in body["messages"] if m.get("role") in ("user", "assistant")]
    for number, turn in enumerate(turns):
        uses = {b["id"] for b in _blocks_of(turn, "tool_use")}
        following = turns[number + 1] if number + 1 < len(turns) else None
        results = (
            [b["tool_use_id"] for b in _blocks_of(following, "tool_result")] if following else []
        )
        if uses and following is not None and set(results) != uses:
            missing = ", ".join(sorted(uses - set(results)))
            return f"messages: `tool_use` ids were found without `tool_result` blocks: {missing}"
        if turn.get("role") == "user":
            previous = turns[number - 1] if number else {}
            answered = {b["id"] for b in _blocks_of(previous, "tool_use")}
            if stray := [
                r
                for r in (b["tool_use_id"] for b in _blocks_of(turn, "tool_result"))
                if r not in answered
            ]:
                return (
                    f"messages: unexpected `tool_use_id` found in `tool_result` blocks: {stray[0]}"
                )
            kinds = (
                [b.get("type") for b in turn["content"]]
                if isinstance(turn["content"], list)
                else []
            )
            if (
                "tool_result" in kinds
                and kinds.index("tool_result") > 0
                and kinds[0] != "tool_result"
            ):
                return "messages: tool_result blocks must come first in a user message"
    return _thinking_kept(body, turns)


def _thinking_kept(body: dict[str, Any], turns: list[dict[str, Any]]) -> str | None:
    # With thinking on, a conversation that continues from tool results must give back the
    # thinking that came before those tool calls.
    if not thinking_on(body) or len(turns) < 2 or not _blocks_of(turns[-1], "tool_result"):
        return None
    content = turns[-2].get("content")
    first = content[0].get("type") if isinstance(content, list) and content else None
    if first not in ("thinking", "redacted_thinking"):
        return (
            "messages: Expected `thinking` or `redacted_thinking`, but found "
            f"`{first}`. When `thinking` is enabled, a final `assistant` message must start "
            "with a thinking block."
        )
    return None


def _prefill(body: dict[str, Any]) -> str | None:
    last = body["messages"][-1]
    if last.get("role") != "assistant":
        return None
    if modern(body["model"]) or thinking_on(body):
        return "Prefilling assistant messages is not supported for this model."
    content = last.get("content")
    text = (
        content
        if isinstance(content, str)
        else "".join(b.get("text", "") for b in content if isinstance(b, dict))
    )
    if text != text.rstrip():
        return "final assistant content cannot end with trailing whitespace"
    return None


def _cache(body: dict[str, Any]) -> str | None:
    count = sum(1 for tool in body.get("tools") or [] if "cache_control" in tool)
    system = body.get("system")
    count += sum(1 for b in system if "cache_control" in b) if isinstance(system, list) else 0
    for message in body["messages"]:
        content = message.get("content")
        count += sum(1 for b in content if "cache_control" in b) if isinstance(content, list) else 0
    if count > 4:
        return f"A maximum of 4 blocks with cache_control may be provided. Found {count}."
    return None
