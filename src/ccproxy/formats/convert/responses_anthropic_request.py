"""OpenAI Responses request -> Anthropic Messages request (PROTOCOLS.md §4.6).

The Responses request is first restated as a Chat Completions one, so the Chat -> Anthropic
converter (§4.1) settles everything the two formats share: turn merging, tool results first,
images, thinking budgets, sampling, structured output, prefill. What only Responses has (items,
flat tools, `text.format`, reasoning items carrying a Claude signature) is handled here.
"""

from __future__ import annotations

from typing import Any

from pydantic_core import from_json

from ccproxy.formats import chat
from ccproxy.formats.convert import chat_request
from ccproxy.formats.convert.chat_options import BUDGETS
from ccproxy.formats.convert.chat_request import AnthropicRequest
from ccproxy.formats.convert.context import ConversionError, RequestContext

# A reasoning item's `encrypted_content` holding this prefix carries a redacted thinking block.
REDACTED = "redacted_thinking:"
# Stateful or hosted features a stateless Claude upstream cannot honour: refused by name.
REFUSED = {
    "previous_response_id": "previous_response_id needs stored responses; send the whole "
    "conversation in input instead (ccproxy stores nothing)",
    "conversation": "conversation needs stored conversations; send the whole conversation in input",
    "background": "background responses need storage; ccproxy answers in the foreground only",
    "prompt": "prompt templates live in OpenAI's store; send instructions and input instead",
}
# Chat Completions options with the same name and meaning.
SAME = (
    "model", "stream", "temperature", "top_p", "parallel_tool_calls", "user", "safety_identifier",
    "top_logprobs",
)  # fmt: skip
PART_TEXT = ("input_text", "output_text", "text")


# Images and files of tool outputs by call id, with where they were: Chat tool messages hold text
# only, so these join their tool_result after the Chat -> Anthropic step.
Attachments = dict[str, list[tuple[dict[str, Any], str]]]


def request(payload: dict[str, Any], ctx: RequestContext) -> AnthropicRequest:
    """The Anthropic request for a Responses request body; ConversionError when impossible."""
    attachments: Attachments = {}
    converted = chat_request.request(chat_form(payload, attachments), ctx)
    if attachments:
        _attach(converted.body["messages"], attachments)
    return converted


def _attach(turns: list[dict[str, Any]], attachments: Attachments) -> None:
    """Each tool output's images and files, inside its tool_result (PROTOCOLS.md §4.8 #5)."""
    by_id = {chat_request.tool_use_id(call_id): parts for call_id, parts in attachments.items()}
    for turn in turns:
        for block in turn["content"] if isinstance(turn["content"], list) else []:
            if block["type"] == "tool_result" and block["tool_use_id"] in by_id:
                content = block.get("content", [])
                content = (
                    [{"type": "text", "text": content}] if isinstance(content, str) else content
                )
                block["content"] = content + [
                    _block(*found) for found in by_id[block["tool_use_id"]]
                ]


def _block(part: dict[str, Any], where: str) -> dict[str, Any]:
    if part["type"] == "image_url":
        return chat_request.image_block(chat.ImagePart.model_validate(part), where)
    return chat_request.document_block(chat.FilePart.model_validate(part), where)


def chat_form(payload: dict[str, Any], attachments: Attachments) -> chat.ChatRequest:
    """The Responses request restated as a Chat Completions request; the images and files of
    tool outputs go to `attachments`."""
    _refuse(payload)
    if not isinstance(payload.get("stream", False), bool):  # Chat's model would take "true"
        raise ConversionError("stream must be true or false", "stream")
    body: dict[str, Any] = {k: payload[k] for k in SAME if payload.get(k) is not None}
    messages: list[dict[str, Any]] = []
    if instructions := payload.get("instructions"):
        messages.append({"role": "developer", "content": _string(instructions, "instructions")})
    messages += _messages(payload.get("input"), attachments)
    body["messages"] = messages
    if payload.get("max_output_tokens") is not None:
        body["max_completion_tokens"] = payload["max_output_tokens"]
    if tools := _tools(payload.get("tools")):
        body["tools"] = tools
        if payload.get("tool_choice") is not None:
            body["tool_choice"] = _tool_choice(payload["tool_choice"])
    _reasoning(payload.get("reasoning"), body)
    _text_format(payload.get("text"), body)
    try:
        return chat.parse_request(body)
    except ValueError as exc:
        raise ConversionError(_responses_names(str(exc))) from None


def _responses_names(message: str) -> str:
    """A Chat validation message in the Responses request's own parameter names."""
    for chat_name, name in (("max_completion_tokens", "max_output_tokens"), ("messages", "input")):
        message = message.replace(chat_name, name)
    return message


def _refuse(payload: dict[str, Any]) -> None:
    for name, why in REFUSED.items():
        if payload.get(name) not in (None, False, ""):
            raise ConversionError(why, name)


def _string(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise ConversionError(f"{where} must be a string", where)
    return value


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConversionError(f"{where} must be an object", where)
    return value


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise ConversionError(f"{where} must be a list", where)
    return value


def _messages(given: Any, attachments: Attachments) -> list[dict[str, Any]]:
    if given is None:
        raise ConversionError("input is required", "input")
    if isinstance(given, str):
        return [{"role": "user", "content": given}]
    messages: list[dict[str, Any]] = []
    thinking: list[dict[str, Any]] = []  # reasoning items waiting for their assistant turn
    for index, raw in enumerate(_list(given, "input")):
        where = f"input.{index}"
        item = _object(raw, where)
        kind = item.get("type", "message")
        if kind == "reasoning":
            thinking += _thinking(item)
        elif kind == "function_call":
            _assistant(messages, thinking).setdefault("tool_calls", []).append(_call(item, where))
            thinking = []
        elif kind == "function_call_output":
            messages.append(_tool_output(item, where, attachments))
        elif kind == "message":
            messages += _message(item, where, thinking)
            thinking = [] if item.get("role") == "assistant" else thinking
        else:
            raise ConversionError(
                f"input items of type {kind!r} are not supported when the model is Claude",
                f"{where}.type",
            )
    return messages


def _assistant(messages: list[dict[str, Any]], thinking: list[dict[str, Any]]) -> dict[str, Any]:
    """The assistant message a function call belongs to: the one just before, or a new one."""
    if not messages or messages[-1]["role"] != "assistant" or thinking:
        messages.append({"role": "assistant", "content": None})
    last = messages[-1]
    if thinking:
        last["thinking_blocks"] = thinking
    return last


def _thinking(item: dict[str, Any]) -> list[dict[str, Any]]:
    """A reasoning item this proxy wrote, with the signature it kept in `encrypted_content`;
    anything else (OpenAI's own reasoning, or a summary alone) is of no use to Claude."""
    sealed = item.get("encrypted_content")
    if not isinstance(sealed, str) or not sealed:
        return []
    if sealed.startswith(REDACTED):
        return [{"type": "redacted_thinking", "data": sealed.removeprefix(REDACTED)}]
    found = item.get("summary")
    summary = found if isinstance(found, list) else []
    text = "".join(str(p.get("text") or "") for p in summary if isinstance(p, dict))
    return [{"type": "thinking", "thinking": text, "signature": sealed}]


def _call(item: dict[str, Any], where: str) -> dict[str, Any]:
    call_id = _string(item.get("call_id"), f"{where}.call_id")
    name = _string(item.get("name"), f"{where}.name")
    arguments = _string(item.get("arguments") or "", f"{where}.arguments")
    try:
        parsed = from_json(arguments) if arguments.strip() else {}
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        raise ConversionError("arguments must be a JSON object", f"{where}.arguments")
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}


def _tool_output(item: dict[str, Any], where: str, attachments: Attachments) -> dict[str, Any]:
    """A tool message with the output's text; its images and files wait in `attachments`."""
    call_id = _string(item.get("call_id"), f"{where}.call_id")
    output = item.get("output", "")
    if isinstance(output, str):
        return {"role": "tool", "tool_call_id": call_id, "content": output}
    parts = [
        {"type": "text", "text": p["refusal"]} if p["type"] == "refusal" else p
        for p in _parts(output, f"{where}.output")
    ]
    others = [(p, f"{where}.output.{n}") for n, p in enumerate(parts) if p["type"] != "text"]
    if others:
        attachments.setdefault(call_id, []).extend(others)
    texts = [p for p in parts if p["type"] == "text"]
    return {"role": "tool", "tool_call_id": call_id, "content": texts}


def _message(
    item: dict[str, Any], where: str, thinking: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    role = item.get("role")
    if role not in ("user", "assistant", "system", "developer"):
        raise ConversionError("role must be user, assistant, system or developer", f"{where}.role")
    content = item.get("content")
    if not isinstance(content, str):
        content = _parts(content, f"{where}.content")
    if role in ("system", "developer") and isinstance(content, list):
        content = [p for p in content if p["type"] == "text"]
    message: dict[str, Any] = {"role": role, "content": content}
    if role == "assistant" and thinking:
        message["thinking_blocks"] = thinking
    return [message]


def _parts(given: Any, where: str) -> list[dict[str, Any]]:
    parts = []
    for index, raw in enumerate(_list(given, where)):
        part = _object(raw, f"{where}.{index}")
        parts.append(_part(part, f"{where}.{index}"))
    return parts


def _part(part: dict[str, Any], where: str) -> dict[str, Any]:
    kind = part.get("type")
    if kind in PART_TEXT:
        return {"type": "text", "text": _string(part.get("text"), f"{where}.text")}
    if kind == "refusal":
        return {"type": "refusal", "refusal": _string(part.get("refusal"), f"{where}.refusal")}
    if kind == "input_image":
        if not isinstance(part.get("image_url"), str):
            raise ConversionError(
                "input_image needs image_url: file ids live in OpenAI's file store", where
            )
        return {"type": "image_url", "image_url": {"url": part["image_url"]}}
    if kind == "input_file":
        if not isinstance(part.get("file_data"), str):
            raise ConversionError(
                "input_file needs file_data (a data URL): file ids and URLs are not supported",
                where,
            )
        file = {"file_data": part["file_data"], "filename": part.get("filename")}
        return {"type": "file", "file": file}
    raise ConversionError(
        f"content parts of type {kind!r} are not supported when the model is Claude", where
    )


def _tools(given: Any) -> list[dict[str, Any]]:
    """Function tools, restated in Chat's nested shape. Hosted tools (web search, shell, ...)
    run on OpenAI's side; Claude cannot call them, so they are left out."""
    tools = []
    for index, raw in enumerate(_list(given or [], "tools")):
        tool = _object(raw, f"tools.{index}")
        if tool.get("type") != "function":
            continue
        where = f"tools.{index}"
        function = {"name": _string(tool.get("name"), f"{where}.name")}
        for key in ("description", "parameters", "strict"):
            if tool.get(key) is not None:
                function[key] = tool[key]
        tools.append({"type": "function", "function": function})
    return tools


def _tool_choice(choice: Any) -> Any:
    if isinstance(choice, str):
        return choice
    choice = _object(choice, "tool_choice")
    if choice.get("type") == "function":
        return {"type": "function", "function": {"name": choice.get("name")}}
    if choice.get("type") == "allowed_tools":
        tools = [
            {"type": "function", "function": {"name": t.get("name")}}
            for t in _list(choice.get("tools") or [], "tool_choice.tools")
            if isinstance(t, dict)
        ]
        return {
            "type": "allowed_tools",
            "allowed_tools": {"mode": choice.get("mode"), "tools": tools},
        }
    raise ConversionError(
        "tool_choice must be auto, none, required, a function or allowed_tools", "tool_choice"
    )


def _reasoning(given: Any, body: dict[str, Any]) -> None:
    if given is None:
        return
    effort = _object(given, "reasoning").get("effort")
    if effort is None:
        return
    if not isinstance(effort, str) or (effort != "none" and effort not in BUDGETS):
        raise ConversionError(f"unknown reasoning.effort {effort!r}", "reasoning.effort")
    body["reasoning_effort"] = effort


def _text_format(given: Any, body: dict[str, Any]) -> None:
    if given is None:
        return
    fmt = _object(given, "text").get("format")
    if fmt is None:
        return
    fmt = _object(fmt, "text.format")
    if fmt.get("type") != "json_schema":
        body["response_format"] = {"type": fmt.get("type")}
        return
    spec = {key: fmt[key] for key in ("name", "schema", "strict", "description") if key in fmt}
    body["response_format"] = {"type": "json_schema", "json_schema": spec}
