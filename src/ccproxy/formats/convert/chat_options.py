"""Chat Completions request options -> Anthropic: tools, tool choice, thinking, sampling, output."""

from __future__ import annotations

import json
from typing import Any

from ccproxy.formats import chat
from ccproxy.formats.convert.context import ConversionError, ModelTraits

STRUCTURED_TOOL = "json_tool_call"
# Thinking budgets for models that take one; Anthropic's floor is 1024.
BUDGETS = {
    "minimal": 1024,
    "low": 2048,
    "medium": 8192,
    "high": 16384,
    "xhigh": 24576,
    "max": 32768,
}
EFFORTS = {
    "minimal": "low",
    "low": "low",
    "medium": "medium",
    "high": "high",
    "xhigh": "xhigh",
    "max": "max",
}
JSON_OBJECT_INSTRUCTION = "Respond with one valid JSON object and nothing else."
EMPTY_SCHEMA = {"type": "object", "properties": {}}


def tools(req: chat.ChatRequest, body: dict[str, Any]) -> None:
    """`tools`, `tool_choice` and `parallel_tool_calls`, onto `body`."""
    declared = [_tool(tool, index) for index, tool in enumerate(req.tools or [])]
    choice, allowed = _choice(req.tool_choice)
    if allowed is not None:
        declared = [tool for tool in declared if tool["name"] in allowed]
    if not declared:
        return  # without tools there is nothing to choose, and Anthropic refuses the choice
    body["tools"] = declared
    if req.parallel_tool_calls is False and (choice is None or choice["type"] != "none"):
        choice = {**(choice or {"type": "auto"}), "disable_parallel_tool_use": True}
    if choice is not None:
        body["tool_choice"] = choice


def _tool(tool: chat.Tool, index: int) -> dict[str, Any]:
    if tool.type != "function" or tool.function is None:
        raise ConversionError(
            f"only function tools can be used with Claude, not {tool.type!r}", f"tools.{index}"
        )
    function = tool.function
    schema = dict(function.parameters or EMPTY_SCHEMA)
    schema.setdefault("type", "object")
    declared: dict[str, Any] = {"name": function.name}
    if function.description:
        declared["description"] = function.description
    declared["input_schema"] = schema
    if function.strict is not None:
        declared["strict"] = function.strict
    return declared


def _choice(choice: str | dict[str, Any] | None) -> tuple[dict[str, Any] | None, set[str] | None]:
    """The Anthropic tool_choice, and the tool names allowed when the client narrowed them."""
    if choice is None:
        return None, None
    if isinstance(choice, str):
        named = {"auto": "auto", "none": "none", "required": "any"}
        if choice not in named:
            raise ConversionError(f"unknown tool_choice {choice!r}", "tool_choice")
        return {"type": named[choice]}, None
    if choice.get("type") == "function" and isinstance(choice.get("function"), dict):
        return {"type": "tool", "name": str(choice["function"].get("name"))}, None
    if choice.get("type") == "allowed_tools" and isinstance(choice.get("allowed_tools"), dict):
        allowed = choice["allowed_tools"]
        names = {str((t.get("function") or {}).get("name")) for t in allowed.get("tools") or []}
        return {"type": "any" if allowed.get("mode") == "required" else "auto"}, names
    raise ConversionError("tool_choice must be auto, none, required or a function", "tool_choice")


def forces_tool(body: dict[str, Any]) -> bool:
    return body.get("tool_choice", {}).get("type") in ("any", "tool")


def thinking(effort: str | None, traits: ModelTraits) -> dict[str, Any] | None:
    """What `reasoning_effort` asks of Claude; None leaves the model at its default."""
    if effort is None or effort == "none":
        return None
    if effort not in BUDGETS:
        raise ConversionError(f"unknown reasoning_effort {effort!r}", "reasoning_effort")
    if traits.thinking == "adaptive":
        return {"type": "adaptive", "display": "summarized", "effort": EFFORTS[effort]}
    return {"type": "enabled", "budget_tokens": BUDGETS[effort]}


def apply_thinking(body: dict[str, Any], thinking: dict[str, Any] | None) -> None:
    if thinking is None:
        return
    if thinking["type"] == "adaptive":
        body["thinking"] = {"type": "adaptive", "display": thinking["display"]}
        body["output_config"] = {**body.get("output_config", {}), "effort": thinking["effort"]}
        return
    # The budget counts toward max_tokens and must stay below it: thinking gets at most half of
    # the client's limit, never under Anthropic's 1024 floor; a limit too small for that floor is
    # raised by the budget, so the answer keeps the room the client gave it.
    max_tokens = body["max_tokens"]
    budget = max(1024, min(thinking["budget_tokens"], max_tokens // 2))
    if max_tokens <= budget:
        body["max_tokens"] = max_tokens + budget
    body["thinking"] = {"type": "enabled", "budget_tokens": budget}


def sampling(
    req: chat.ChatRequest, body: dict[str, Any], traits: ModelTraits, *, thinking_on: bool
) -> None:
    """`temperature` (OpenAI's 0-2 clamped to Claude's 0-1), else `top_p`; never with thinking."""
    if thinking_on or not traits.sampling:
        return
    if req.temperature is not None:
        body["temperature"] = min(req.temperature, 1.0)
    elif req.top_p is not None:
        body["top_p"] = req.top_p


def stops(stop: str | list[str] | None) -> list[str]:
    values = [stop] if isinstance(stop, str) else stop or []
    return [value for value in values if value.strip()]  # Anthropic refuses whitespace-only stops


def response_format(
    fmt: dict[str, Any] | None, traits: ModelTraits, body: dict[str, Any], thinking_on: bool
) -> tuple[str | None, str | None]:
    """Structured output onto `body`: (the tool carrying it, or an instruction for the system)."""
    kind = (fmt or {}).get("type", "text")
    if kind == "text":
        return None, None
    if kind == "json_object":
        return None, JSON_OBJECT_INSTRUCTION
    if kind != "json_schema" or not isinstance(fmt, dict):
        raise ConversionError(f"unknown response_format type {kind!r}", "response_format")
    spec = fmt.get("json_schema")
    if not isinstance(spec, dict):
        raise ConversionError("response_format.json_schema must be an object", "response_format")
    given = spec.get("schema")
    schema: dict[str, Any] = given if isinstance(given, dict) else {"type": "object"}
    if traits.native_json_schema:
        body["output_config"] = {
            **body.get("output_config", {}),
            "format": {"type": "json_schema", "schema": schema},
        }
        return None, None
    if not thinking_on and schema.get("type") == "object" and "tools" not in body:
        body["tools"] = [
            {
                "name": STRUCTURED_TOOL,
                "description": "Give the answer in this shape.",
                "input_schema": schema,
            }
        ]
        body["tool_choice"] = {"type": "tool", "name": STRUCTURED_TOOL}
        return STRUCTURED_TOOL, None
    return None, "Respond with JSON matching this schema and nothing else:\n" + json.dumps(schema)
