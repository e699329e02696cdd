"""OpenAI Chat Completions request -> OpenAI Responses request (PROTOCOLS.md §4.5)."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter, ValidationError

from ccproxy.formats import chat
from ccproxy.formats.chat import (
    AssistantMessage,
    ChatRequest,
    Message,
    SystemMessage,
    ToolMessage,
    UserMessage,
)
from ccproxy.formats.convert.context import ConversionError

_MESSAGES: TypeAdapter[list[Message]] = TypeAdapter(list[Message])
# Chat fields with the same name and meaning in a Responses request.
_SAME_NAME = ("temperature", "top_p", "parallel_tool_calls", "user", "safety_identifier")
# Valid strict or not: a function that takes nothing.
_NO_PARAMETERS = {"type": "object", "properties": {}, "additionalProperties": False}
_SAME_NAME_EXTRA = ("metadata", "prompt_cache_key", "service_tier", "prompt_cache_retention")


def request(req: ChatRequest, model: str, *, summaries: bool = False) -> dict[str, Any]:
    """The Responses request for a Chat request; `summaries` asks for reasoning summaries when
    the client asked for reasoning (Chat has no way to ask for them itself).

    `stop` has no Responses equivalent and is dropped; `n` above 1 is refused.
    """
    _reject_unsupported(req)
    body: dict[str, Any] = {"model": model, "input": input_items(req.messages)}
    extra = req.model_extra or {}
    body.update(_same_name_options(req))
    if (limit := req.max_completion_tokens or req.max_tokens) is not None:
        body["max_output_tokens"] = limit
    if req.tools:
        body["tools"] = [_tool(tool, index) for index, tool in enumerate(req.tools)]
    if req.tool_choice is not None:
        body["tool_choice"] = _tool_choice(req.tool_choice)
    if text := _text(req.response_format, extra.get("verbosity")):
        body["text"] = text
    if reasoning := _reasoning(req.reasoning_effort, extra.get("reasoning"), summaries):
        body["reasoning"] = reasoning
    if req.stream:
        body["stream"] = True
    return body


def _reject_unsupported(req: ChatRequest) -> None:
    if req.n not in (None, 1):
        raise ConversionError("n must be 1: the upstream returns one choice per request", "n")
    if name := chat.unsupported_option(req):
        hint = "; use tools and tool_choice" if name.startswith("function") else ""
        raise ConversionError(f"{name} is not supported by the Responses upstream{hint}", name)


def _same_name_options(req: ChatRequest) -> dict[str, Any]:
    extra = req.model_extra or {}
    options = {name: getattr(req, name) for name in _SAME_NAME}
    options |= {name: extra.get(name) for name in _SAME_NAME_EXTRA}
    return {name: value for name, value in options.items() if value is not None}


def parse_messages(messages: Any) -> list[Message]:
    """Chat messages from raw JSON (a Responses body may carry them instead of `input`)."""
    try:
        return _MESSAGES.validate_python(messages)
    except ValidationError as exc:
        raise ConversionError(f"messages: {chat.describe(exc, messages)}", "messages") from None


def input_items(messages: list[Message]) -> list[dict[str, Any]]:
    """Responses input items for Chat messages, in order; system and developer messages stay
    items of their role (a Responses upstream decides where they go)."""
    items: list[dict[str, Any]] = []
    for index, message in enumerate(messages):
        if isinstance(message, SystemMessage):
            items.append(_message(message.role, _text_parts(message.content)))
        elif isinstance(message, UserMessage):
            items.append(_message("user", _user_parts(message.content, index)))
        elif isinstance(message, AssistantMessage):
            items += _assistant_items(message)
        elif isinstance(message, ToolMessage):
            items.append(_tool_output(message))
    return items


def _message(role: str, content: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "message", "role": role, "content": content}


def _text_parts(content: str | list[chat.TextPart]) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"type": "input_text", "text": content}]
    return [{"type": "input_text", "text": part.text} for part in content]


def _user_parts(content: str | list[Any], index: int) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"type": "input_text", "text": content}]
    return [_user_part(part, f"messages.{index}.content.{n}") for n, part in enumerate(content)]


def _user_part(part: Any, where: str) -> dict[str, Any]:
    if isinstance(part, chat.TextPart):
        return {"type": "input_text", "text": part.text}
    if isinstance(part, chat.ImagePart):
        detail = part.image_url.detail if part.image_url.detail in ("low", "high") else "auto"
        return {"type": "input_image", "image_url": part.image_url.url, "detail": detail}
    if isinstance(part, chat.FilePart):
        fields = part.file.model_dump(include={"file_data", "file_id", "filename"})
        return {"type": "input_file", **{k: v for k, v in fields.items() if v is not None}}
    kind = getattr(part, "type", "?")
    raise ConversionError(f"{where}: {kind} parts are not supported by this upstream", where)


def _assistant_items(message: AssistantMessage) -> list[dict[str, Any]]:
    """History of an assistant turn: its text as an output message, then one `function_call`
    item per tool call (`call_id` is the Chat tool call id)."""
    parts: list[dict[str, Any]] = []
    if isinstance(message.content, str) and message.content:
        parts.append({"type": "output_text", "text": message.content, "annotations": []})
    elif isinstance(message.content, list):
        for part in message.content:
            if isinstance(part, chat.TextPart) and part.text:
                parts.append({"type": "output_text", "text": part.text, "annotations": []})
            elif isinstance(part, chat.RefusalPart):
                parts.append({"type": "refusal", "refusal": part.refusal})
    if message.refusal:
        parts.append({"type": "refusal", "refusal": message.refusal})
    items = [_message("assistant", parts)] if parts else []
    for call in message.tool_calls or []:
        items.append(
            {
                "type": "function_call",
                "call_id": call.id,
                "name": call.function.name,
                "arguments": call.function.arguments or "{}",
            }
        )
    return items


def _tool_output(message: ToolMessage) -> dict[str, Any]:
    content = message.content
    output = content if isinstance(content, str) else "".join(part.text for part in content)
    return {"type": "function_call_output", "call_id": message.tool_call_id, "output": output}


def _tool(tool: chat.Tool, index: int) -> dict[str, Any]:
    if tool.type != "function" or tool.function is None:
        raise ConversionError(
            f"tools.{index}: only function tools can be translated (got {tool.type!r})",
            f"tools.{index}.type",
        )
    function = tool.function
    converted: dict[str, Any] = {"type": "function", "name": function.name}
    if function.description is not None:
        converted["description"] = function.description
    converted["parameters"] = function.parameters or _NO_PARAMETERS
    # Responses treats a missing `strict` as strict, which rewrites the schema: say it.
    converted["strict"] = bool(function.strict)
    return converted


def _tool_choice(choice: str | dict[str, Any]) -> str | dict[str, Any]:
    if isinstance(choice, str):
        return choice
    kind = choice.get("type")
    if kind == "function" and isinstance(choice.get("function"), dict):
        return {"type": "function", "name": choice["function"].get("name")}
    allowed = choice.get("allowed_tools")
    if kind == "allowed_tools" and isinstance(allowed, dict):
        tools = [_named_tool(tool) for tool in allowed.get("tools") or []]
        return {"type": "allowed_tools", "mode": allowed.get("mode", "auto"), "tools": tools}
    raise ConversionError(f"tool_choice of type {kind!r} cannot be translated", "tool_choice")


def _named_tool(tool: Any) -> dict[str, Any]:
    if isinstance(tool, dict) and isinstance(tool.get("function"), dict):
        return {"type": "function", "name": tool["function"].get("name")}
    return tool if isinstance(tool, dict) else {}


def _text(response_format: dict[str, Any] | None, verbosity: Any) -> dict[str, Any]:
    text: dict[str, Any] = {}
    if response_format is not None:
        text["format"] = _format(response_format)
    if verbosity is not None:
        text["verbosity"] = verbosity
    return text


def _format(response_format: dict[str, Any]) -> dict[str, Any]:
    kind = response_format.get("type")
    if kind in ("text", "json_object"):
        return {"type": kind}
    schema = response_format.get("json_schema")
    if kind == "json_schema" and isinstance(schema, dict) and "name" in schema:
        flat = {"type": "json_schema", "name": schema["name"]}
        for key in ("schema", "strict", "description"):
            if schema.get(key) is not None:
                flat[key] = schema[key]
        return flat
    raise ConversionError(
        f"response_format {kind!r} cannot be translated (use text, json_object or json_schema "
        "with a name)",
        "response_format",
    )


def _reasoning(effort: str | None, given: Any, summaries: bool) -> dict[str, Any]:
    reasoning: dict[str, Any] = {}
    if effort is not None:
        reasoning["effort"] = effort
        if summaries:
            reasoning["summary"] = "auto"
    if isinstance(given, dict):  # a non-standard `reasoning` object: the client knows best
        reasoning.update(given)
    return reasoning
