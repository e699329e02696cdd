"""OpenAI Chat Completions request -> Anthropic Messages request (PROTOCOLS.md §4.1)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from typing import Any

from pydantic_core import from_json

from ccproxy.formats import chat
from ccproxy.formats.convert import chat_options as options
from ccproxy.formats.convert.context import ConversionError, ModelTraits, RequestContext

THINKING_TYPES = ("thinking", "redacted_thinking")
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
_TOOL_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


@dataclass(frozen=True)
class AnthropicRequest:
    body: dict[str, Any]
    structured_tool: str | None  # set when structured output travels as a forced tool call


def request(req: chat.ChatRequest, ctx: RequestContext) -> AnthropicRequest:
    """The Anthropic request for a Chat Completions request; ConversionError when impossible."""
    _reject_unsupported(req)
    traits = ctx.traits
    body: dict[str, Any] = {"model": ctx.model}
    thinking = options.thinking(req.reasoning_effort, traits)
    # Clients often ask for more than a model can write; Claude refuses that, so cap it.
    asked = req.max_completion_tokens or req.max_tokens or traits.max_output_tokens
    body["max_tokens"] = min(asked, traits.max_output_tokens)
    options.tools(req, body)
    if thinking is not None and options.forces_tool(body):
        thinking = None  # Anthropic refuses thinking with a forced tool; the forced tool wins
    structured, instruction = options.response_format(
        req.response_format, traits, body, thinking_on=thinking is not None
    )
    body["messages"] = _turns(req.messages, ctx, thinking_on=thinking is not None)
    if thinking is not None and _thinking_missing(body["messages"]):
        thinking = None  # Claude wants the thinking before these tool calls back; we have none
    if not body["messages"]:
        raise ConversionError("the conversation has no message with content", "messages")
    if system := _with_instruction(_system(req.messages), instruction):
        body["system"] = system
    options.apply_thinking(body, thinking)
    options.sampling(req, body, traits, thinking_on=thinking is not None)
    if stops := options.stops(req.stop):
        body["stop_sequences"] = stops
    user = req.safety_identifier or req.user
    if user and "@" not in user:  # Anthropic asks for an opaque id, never an e-mail address
        body["metadata"] = {"user_id": user}
    if req.stream:
        body["stream"] = True
    return AnthropicRequest(body, structured)


def _reject_unsupported(req: chat.ChatRequest) -> None:
    if req.n not in (None, 1):
        raise ConversionError("n must be 1: Claude returns one choice per request", "n")
    if name := chat.unsupported_option(req):
        hint = "; use tools and tool_choice" if name.startswith("function") else ""
        raise ConversionError(f"{name} is not supported when the model is Claude{hint}", name)


def _system(messages: list[chat.Message]) -> str | list[dict[str, Any]] | None:
    """Every system and developer message, in order, as one system prompt."""
    blocks: list[dict[str, Any]] = []
    for message in messages:
        if isinstance(message, chat.SystemMessage):
            parts = (
                [chat.TextPart(type="text", text=message.content)]
                if isinstance(message.content, str)
                else message.content
            )
            blocks += [_text_block(part) for part in parts if part.text]
    if not blocks:
        return None
    if any("cache_control" in block for block in blocks):
        return blocks
    return "\n".join(block["text"] for block in blocks)


def _with_instruction(
    system: str | list[dict[str, Any]] | None, instruction: str | None
) -> str | list[dict[str, Any]] | None:
    if not instruction:
        return system
    if isinstance(system, list):
        return [*system, {"type": "text", "text": instruction}]
    return f"{system}\n\n{instruction}" if system else instruction


def _text_block(part: chat.TextPart) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "text", "text": part.text}
    # LiteLLM's convention: a `cache_control` on an OpenAI part is an Anthropic cache breakpoint.
    if cache := (part.model_extra or {}).get("cache_control"):
        block["cache_control"] = cache
    return block


def _turns(
    messages: list[chat.Message], ctx: RequestContext, *, thinking_on: bool
) -> list[dict[str, Any]]:
    turns: list[dict[str, Any]] = []
    for index, message in enumerate(messages):
        if isinstance(message, chat.UserMessage):
            _append(turns, "user", _user_blocks(message, index))
        elif isinstance(message, chat.ToolMessage):
            _append(turns, "user", [_tool_result(message)])
        elif isinstance(message, chat.AssistantMessage):
            _append(turns, "assistant", _assistant_blocks(message, index, ctx))
    return [_plain(turn) for turn in _settle_prefill(turns, ctx.traits, thinking_on)]


def _thinking_missing(turns: list[dict[str, Any]]) -> bool:
    """With thinking on, a conversation ending in tool results must give back the thinking that
    came before those tool calls; True when that thinking is not there."""
    if len(turns) < 2 or turns[-1]["role"] != "user" or not isinstance(turns[-1]["content"], list):
        return False
    if not any(block["type"] == "tool_result" for block in turns[-1]["content"]):
        return False
    content = turns[-2]["content"]
    return not isinstance(content, list) or content[0]["type"] not in (
        "thinking",
        "redacted_thinking",
    )


def _plain(turn: dict[str, Any]) -> dict[str, Any]:
    """A turn of one plain text block in the string shorthand, as the client likely wrote it."""
    content = turn["content"]
    if len(content) == 1 and content[0]["type"] == "text" and len(content[0]) == 2:
        return {"role": turn["role"], "content": content[0]["text"]}
    return turn


def _append(turns: list[dict[str, Any]], role: str, blocks: list[dict[str, Any]]) -> None:
    if not blocks:
        return
    if not turns or turns[-1]["role"] != role:
        turns.append({"role": role, "content": blocks})
        return
    content = turns[-1]["content"]
    if blocks[0]["type"] == "tool_result" and content[-1]["type"] != "tool_result":
        # Tool results lead a user turn, ahead of anything the user wrote.
        at = next(i for i, block in enumerate(content) if block["type"] != "tool_result")
        content[at:at] = blocks
    else:
        content.extend(blocks)


def _user_blocks(message: chat.UserMessage, index: int) -> list[dict[str, Any]]:
    if isinstance(message.content, str):
        return [{"type": "text", "text": message.content}] if message.content else []
    blocks: list[dict[str, Any]] = []
    for number, part in enumerate(message.content):
        where = f"messages.{index}.content.{number}"
        if isinstance(part, chat.TextPart):
            if part.text:
                blocks.append(_text_block(part))
        elif isinstance(part, chat.ImagePart):
            blocks.append(image_block(part, where))
        elif isinstance(part, chat.FilePart):
            blocks.append(document_block(part, where))
        elif isinstance(part, chat.RefusalPart):
            blocks.append({"type": "text", "text": part.refusal})
        else:
            raise ConversionError("audio input is not supported when the model is Claude", where)
    return blocks


def _data_url(url: str, where: str) -> tuple[str, str]:
    head, sep, data = url.partition(",")
    if not sep or not head.startswith("data:") or not head.endswith(";base64"):
        raise ConversionError("a data URL must look like data:<type>;base64,<data>", where)
    try:
        base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise ConversionError("the data URL does not hold valid base64", where) from None
    return head[5:-7].lower(), data


def image_block(part: chat.ImagePart, where: str) -> dict[str, Any]:
    url = part.image_url.url
    if url.startswith(("http://", "https://")):
        return {"type": "image", "source": {"type": "url", "url": url}}
    if not url.startswith("data:"):
        raise ConversionError("image_url.url must be an http(s) URL or a data URL", where)
    media_type, data = _data_url(url, where)
    media_type = "image/jpeg" if media_type == "image/jpg" else media_type
    if media_type not in IMAGE_TYPES:
        raise ConversionError(
            f"Claude takes jpeg, png, gif or webp images, not {media_type}", where
        )
    block: dict[str, Any] = {
        "type": "image",
        "source": {"type": "base64", "media_type": media_type, "data": data},
    }
    if cache := (part.model_extra or {}).get("cache_control"):
        block["cache_control"] = cache
    return block


def document_block(part: chat.FilePart, where: str) -> dict[str, Any]:
    if part.file.file_data is None:
        raise ConversionError(
            "file parts need file_data: file ids live in OpenAI's file store", where
        )
    media_type, data = _data_url(part.file.file_data, where)
    if media_type != "application/pdf":
        raise ConversionError(f"Claude takes PDF files, not {media_type}", where)
    block: dict[str, Any] = {
        "type": "document",
        "source": {"type": "base64", "media_type": media_type, "data": data},
    }
    if part.file.filename:
        block["title"] = part.file.filename
    return block


def tool_use_id(call_id: str) -> str:
    """Anthropic accepts `[A-Za-z0-9_-]{1,64}`; anything else becomes a stable hash of itself."""
    if _TOOL_ID.fullmatch(call_id):
        return call_id
    return "toolu_" + hashlib.sha1(call_id.encode()).hexdigest()[:24]


def _tool_result(message: chat.ToolMessage) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "tool_result",
        "tool_use_id": tool_use_id(message.tool_call_id),
    }
    if isinstance(message.content, str):
        if message.content:
            block["content"] = message.content
    elif parts := [_text_block(part) for part in message.content if part.text]:
        block["content"] = parts
    return block


def _assistant_blocks(
    message: chat.AssistantMessage, index: int, ctx: RequestContext
) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    if isinstance(message.content, str):
        blocks += [{"type": "text", "text": message.content}] if message.content else []
    elif message.content:
        for part in message.content:
            text = part.text if isinstance(part, chat.TextPart) else part.refusal
            blocks += [{"type": "text", "text": text}] if text else []
    for number, call in enumerate(message.tool_calls or []):
        arguments = _arguments(call, f"messages.{index}.tool_calls.{number}")
        blocks.append(
            {
                "type": "tool_use",
                "id": tool_use_id(call.id),
                "name": call.function.name,
                "input": arguments,
            }
        )
    thinking = message.thinking_blocks or _remembered_thinking(message, ctx)
    return [*_signed(thinking), *blocks] if blocks else blocks


def _arguments(call: chat.ToolCall, where: str) -> dict[str, Any]:
    if not call.function.arguments.strip():
        return {}
    try:
        value = from_json(call.function.arguments)
    except ValueError:
        raise ConversionError(
            "function.arguments is not valid JSON", f"{where}.function.arguments"
        ) from None
    if not isinstance(value, dict):
        raise ConversionError(
            "function.arguments must be a JSON object", f"{where}.function.arguments"
        )
    return value


def _remembered_thinking(
    message: chat.AssistantMessage, ctx: RequestContext
) -> list[dict[str, Any]]:
    for call in message.tool_calls or []:
        if found := ctx.thinking_for(tool_use_id(call.id)):
            return found
    return []


def _signed(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # Unsigned or forged thinking is refused upstream; only signed or redacted blocks go back.
    return [
        b
        for b in blocks
        if (b.get("type") == "thinking" and b.get("signature"))
        or (b.get("type") == "redacted_thinking" and b.get("data"))
    ]


def _settle_prefill(
    turns: list[dict[str, Any]], traits: ModelTraits, thinking_on: bool
) -> list[dict[str, Any]]:
    """A trailing assistant turn is a prefill to Claude: trimmed, or dropped where not allowed."""
    if not turns or turns[-1]["role"] != "assistant":
        return turns
    last = turns[-1]["content"]
    if any(block["type"] == "tool_use" for block in last):
        return turns  # an unanswered tool call: the upstream will say what is missing
    if thinking_on or not traits.prefill:
        return turns[:-1]
    while last and last[-1]["type"] == "text" and last[-1]["text"] != last[-1]["text"].rstrip():
        last[-1] = {**last[-1], "text": last[-1]["text"].rstrip()}
        if not last[-1]["text"]:
            last.pop()
    return turns if last else turns[:-1]
