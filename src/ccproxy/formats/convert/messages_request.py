"""Anthropic Messages request -> OpenAI Responses request (PROTOCOLS.md §4.6, A → R).

The body is a plain dict (no Anthropic request model exists); everything that cannot be
expressed upstream is a ConversionError naming the field, never a silent loss of meaning.
Dropped on purpose: `stop_sequences`, `top_k`, `metadata`, `cache_control`, `service_tier`
(no Responses equivalent), and `thinking` blocks of the history (their signature is
Anthropic's own; a reasoning item without the upstream's `encrypted_content` is refused by a
backend that stores nothing).
"""

from __future__ import annotations

import json
from typing import Any

from ccproxy.formats.convert.context import ConversionError

# Valid strict or not: a function that takes nothing.
_NO_PARAMETERS = {"type": "object", "properties": {}}
_TOOL_CHOICES = {"auto": "auto", "any": "required", "none": "none"}
_SKIPPED_BLOCKS = frozenset({"thinking", "redacted_thinking"})
# Anthropic's effort names the Responses API lacks, to the nearest it has.
_EFFORTS = {"max": "xhigh"}


def request(payload: dict[str, Any], model: str, *, summaries: bool = True) -> dict[str, Any]:
    """The Responses request for an Anthropic Messages body; `summaries` asks for reasoning
    summaries whenever reasoning is asked for (they become the client's thinking blocks)."""
    body: dict[str, Any] = {"model": model, "input": input_items(payload.get("messages"))}
    if (instructions := system_text(payload.get("system"))) is not None:
        body["instructions"] = instructions
    for name in ("temperature", "top_p"):
        if isinstance(payload.get(name), (int, float)):
            body[name] = payload[name]
    if isinstance(payload.get("max_tokens"), int):
        body["max_output_tokens"] = payload["max_tokens"]
    if payload.get("tools"):
        body["tools"] = tools(payload["tools"])
    body.update(_tool_choice(payload.get("tool_choice")))
    if reasoning := _reasoning(payload.get("thinking"), payload.get("output_config"), summaries):
        body["reasoning"] = reasoning
    if text := _text_format(payload.get("output_config")):
        body["text"] = text
    if payload.get("stream") is True:
        body["stream"] = True
    return body


def system_text(system: Any) -> str | None:
    """`system` as one string: text blocks joined with a newline."""
    if system is None or system == "":
        return None
    if isinstance(system, str):
        return system
    if isinstance(system, list):
        return "\n".join(_block_text(block, f"system.{n}") for n, block in enumerate(system))
    raise ConversionError("system must be a string or a list of text blocks", "system")


def _block_text(block: Any, where: str) -> str:
    if isinstance(block, dict) and block.get("type") == "text":
        text = block.get("text")
        if isinstance(text, str):
            return text
    raise ConversionError(f"{where}: only text blocks are allowed here", where)


def input_items(messages: Any) -> list[dict[str, Any]]:
    """Responses input items for Anthropic messages, in order."""
    if not isinstance(messages, list) or not messages:
        raise ConversionError("messages: a non-empty list of messages is required", "messages")
    items: list[dict[str, Any]] = []
    for index, message in enumerate(messages):
        where = f"messages.{index}"
        if not isinstance(message, dict):
            raise ConversionError(f"{where} must be an object", where)
        role, content = message.get("role"), message.get("content")
        blocks = _blocks(content, f"{where}.content")
        if role == "user":
            items += _user_items(blocks, where)
        elif role == "assistant":
            items += _assistant_items(blocks, where)
        elif role == "system":  # Claude Code's mid-conversation system entries: instructions
            texts = [_block_text(b, f"{where}.content.{n}") for n, b in enumerate(blocks)]
            items.append(_message("developer", [_input_text("\n".join(texts))]))
        else:
            raise ConversionError(f"{where}.role must be user or assistant", f"{where}.role")
    return items


def _blocks(content: Any, where: str) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    if not isinstance(content, list):
        raise ConversionError(f"{where} must be a string or a list of blocks", where)
    for n, block in enumerate(content):
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            raise ConversionError(f"{where}.{n} must be a block with a type", f"{where}.{n}")
    return content


def _message(role: str, content: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "message", "role": role, "content": content}


def _input_text(text: str) -> dict[str, Any]:
    return {"type": "input_text", "text": text}


def _user_items(blocks: list[dict[str, Any]], where: str) -> list[dict[str, Any]]:
    """Tool results first, as top-level `function_call_output` items, then the other blocks as
    one user message: the order the Responses API pairs outputs with calls in."""
    outputs: list[dict[str, Any]] = []
    parts: list[dict[str, Any]] = []
    for n, block in enumerate(blocks):
        at = f"{where}.content.{n}"
        if block["type"] == "tool_result":
            outputs.append(_tool_output(block, at))
        else:
            parts.append(_user_part(block, at))
    return outputs + ([_message("user", parts)] if parts else [])


def _user_part(block: dict[str, Any], where: str) -> dict[str, Any]:
    kind = block["type"]
    if kind == "text":
        return _input_text(_block_text(block, where))
    if kind == "image":
        return {"type": "input_image", "image_url": _source_url(block, where), "detail": "auto"}
    if kind == "document":
        return _document(block, where)
    raise ConversionError(f"{where}: {kind} blocks are not supported by this upstream", where)


def _source(block: dict[str, Any], where: str) -> dict[str, Any]:
    source = block.get("source")
    if not isinstance(source, dict):
        raise ConversionError(f"{where}.source: Field required", f"{where}.source")
    return source


def _source_url(block: dict[str, Any], where: str) -> str:
    """A base64 or URL source as one URL (base64 as a data URL)."""
    source = _source(block, where)
    if source.get("type") == "base64" and isinstance(source.get("data"), str):
        return f"data:{source.get('media_type') or 'image/png'};base64,{source['data']}"
    if source.get("type") == "url" and isinstance(source.get("url"), str):
        return str(source["url"])
    raise ConversionError(
        f"{where}.source: only base64 and url sources can be translated", f"{where}.source"
    )


def _document(block: dict[str, Any], where: str) -> dict[str, Any]:
    source = _source(block, where)
    if source.get("type") == "text" and isinstance(source.get("data"), str):
        return _input_text(source["data"])
    url = _source_url(block, where)
    if source.get("type") == "url":
        return {"type": "input_file", "file_url": url}
    title = block.get("title")
    filename = title if isinstance(title, str) and title else "document.pdf"
    return {"type": "input_file", "filename": filename, "file_data": url}


def _tool_output(block: dict[str, Any], where: str) -> dict[str, Any]:
    call_id = block.get("tool_use_id")
    if not isinstance(call_id, str) or not call_id:
        raise ConversionError(f"{where}.tool_use_id: Field required", f"{where}.tool_use_id")
    content = block.get("content")
    output: str | list[dict[str, Any]]
    if content is None or isinstance(content, str):
        output = content or ""
    else:
        parts = [
            _result_part(b, f"{where}.content.{n}") for n, b in enumerate(_blocks(content, where))
        ]
        texts = [p["text"] for p in parts if p["type"] == "input_text"]
        # Text only (what tools mostly answer): one string, which every backend takes.
        output = "\n".join(texts) if len(texts) == len(parts) else parts
    return {"type": "function_call_output", "call_id": call_id, "output": output}


def _result_part(block: dict[str, Any], where: str) -> dict[str, Any]:
    """A tool result block; a `tool_reference` (Claude Code's tool search loading a deferred
    tool) is said in words: every tool is sent in full upstream, so it is already there."""
    if block["type"] == "tool_reference":
        return _input_text(f"Tool {block.get('tool_name')} is available.")
    return _user_part(block, where)


def _assistant_items(blocks: list[dict[str, Any]], where: str) -> list[dict[str, Any]]:
    """Text as output messages and tool calls as `function_call` items, in block order."""
    items: list[dict[str, Any]] = []
    parts: list[dict[str, Any]] = []
    for n, block in enumerate(blocks):
        at = f"{where}.content.{n}"
        kind = block["type"]
        if kind == "text":
            if text := _block_text(block, at):  # an empty part says nothing and may be refused
                parts.append({"type": "output_text", "text": text, "annotations": []})
        elif kind == "tool_use":
            if parts:
                items.append(_message("assistant", parts))
                parts = []
            items.append(_function_call(block, at))
        elif kind not in _SKIPPED_BLOCKS:
            raise ConversionError(f"{at}: {kind} blocks are not supported by this upstream", at)
    return items + ([_message("assistant", parts)] if parts else [])


def _function_call(block: dict[str, Any], where: str) -> dict[str, Any]:
    call_id, name = block.get("id"), block.get("name")
    if not isinstance(call_id, str) or not isinstance(name, str):
        raise ConversionError(f"{where}: a tool_use block needs an id and a name", where)
    arguments = json.dumps(block.get("input") or {}, ensure_ascii=False)
    return {"type": "function_call", "call_id": call_id, "name": name, "arguments": arguments}


def tools(given: Any) -> list[dict[str, Any]]:
    if not isinstance(given, list):
        raise ConversionError("tools must be a list", "tools")
    return [_tool(tool, f"tools.{n}") for n, tool in enumerate(given)]


def _tool(tool: Any, where: str) -> dict[str, Any]:
    if not isinstance(tool, dict) or tool.get("type") not in (None, "custom"):
        kind = tool.get("type") if isinstance(tool, dict) else None
        raise ConversionError(
            f"{where}: only custom tools can be translated (got server tool {kind!r})",
            f"{where}.type",
        )
    name = tool.get("name")
    if not isinstance(name, str) or not name:
        raise ConversionError(f"{where}.name: Field required", f"{where}.name")
    converted: dict[str, Any] = {"type": "function", "name": name}
    if isinstance(tool.get("description"), str):
        converted["description"] = tool["description"]
    schema = tool.get("input_schema")
    converted["parameters"] = schema if isinstance(schema, dict) else _NO_PARAMETERS
    # Responses treats a missing `strict` as strict, which rewrites the schema: say it.
    converted["strict"] = tool.get("strict") is True
    return converted


def _tool_choice(choice: Any) -> dict[str, Any]:
    if choice is None:
        return {}
    kind = choice.get("type") if isinstance(choice, dict) else None
    options: dict[str, Any] = {}
    if kind in _TOOL_CHOICES:
        options["tool_choice"] = _TOOL_CHOICES[kind]
    elif kind == "tool" and isinstance(choice.get("name"), str):
        options["tool_choice"] = {"type": "function", "name": choice["name"]}
    else:
        raise ConversionError(f"tool_choice of type {kind!r} cannot be translated", "tool_choice")
    if choice.get("disable_parallel_tool_use") is True:
        options["parallel_tool_calls"] = False
    return options


def _reasoning(thinking: Any, output_config: Any, summaries: bool) -> dict[str, Any]:
    """`thinking` as a reasoning effort: the budget bucketed, `output_config.effort` as given."""
    kind = thinking.get("type") if isinstance(thinking, dict) else None
    effort = output_config.get("effort") if isinstance(output_config, dict) else None
    if kind == "enabled" and effort is None:
        effort = _bucket(thinking.get("budget_tokens"))
    elif kind == "adaptive" and effort is None:
        effort = "medium"
    if not isinstance(effort, str):
        return {}
    reasoning: dict[str, Any] = {"effort": _EFFORTS.get(effort, effort)}
    if summaries and kind != "disabled":
        reasoning["summary"] = "auto"
    return reasoning


def _bucket(budget: Any) -> str:
    tokens = budget if isinstance(budget, int) else 0
    if tokens < 4096:
        return "low"
    return "medium" if tokens < 16384 else "high"


def _text_format(output_config: Any) -> dict[str, Any]:
    found = output_config.get("format") if isinstance(output_config, dict) else None
    if found is None:
        return {}
    if not isinstance(found, dict) or found.get("type") != "json_schema":
        raise ConversionError(
            "output_config.format: only json_schema can be translated", "output_config.format"
        )
    schema = found.get("schema")
    return {
        "format": {
            "type": "json_schema",
            "name": "structured_output",
            "schema": schema if isinstance(schema, dict) else {},
            "strict": False,
        }
    }
