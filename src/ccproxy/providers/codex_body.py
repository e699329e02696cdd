"""The request body the ChatGPT backend accepts, made from a client's Responses request
(UPSTREAMS.md §3.3 to §3.5). No I/O: the Codex prompt and the settings come in as arguments.

Only what the backend refuses is changed; every other field, item and tool travels as sent.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from ccproxy.errors import BadRequest
from ccproxy.formats.convert import chat_to_responses
from ccproxy.formats.convert.context import ConversionError

BILLING_PREFIX = "x-anthropic-billing-header:"
SEPARATOR = "\n\n"
# Derived session ids are UUIDs (what the Codex CLI sends) named after the conversation.
_SESSIONS = uuid.UUID("6c1f0c53-7c2e-4d3a-9a55-0c0dcc0de0a1")
_INSTRUCTION_ROLES = ("system", "developer")
# Session ids travel upstream as header values: printable ASCII without spaces, and not huge.
SESSION_ID = re.compile(r"[!-~]{1,256}")


@dataclass(frozen=True)
class Prepared:
    body: dict[str, Any]
    cache_key: str  # the `prompt_cache_key` sent (the client's, else one per conversation),
    # as a header can carry it


def prepare(
    payload: dict[str, Any],
    *,
    model: str,
    prompt: str | None,
    unsupported: Collection[str],
    session_id: str | None = None,
) -> Prepared:
    """The upstream body for `payload` (which it may change); `prompt` is the Codex prompt to
    put first in `instructions`, None for none; `session_id` is the one named in the path."""
    _refuse_stored_state(payload)
    body = {key: value for key, value in payload.items() if not key.startswith("_")}
    items, instruction_texts = _split_input(_input_items(body))
    instructions = build_instructions(prompt, _client_instructions(body), instruction_texts)
    body["input"] = items
    body["model"] = model
    if instructions is None:
        body.pop("instructions", None)
    else:
        body["instructions"] = instructions
    for name in unsupported:
        body.pop(name, None)
    body["stream"] = True
    body["store"] = False
    key = body.get("prompt_cache_key")
    if not isinstance(key, str) or not key:
        key = session_id or conversation_key(model, instructions, body.get("tools"), items)
        body["prompt_cache_key"] = key
    return Prepared(body, header_safe(key))


def header_safe(key: str) -> str:
    """`key` as the session header value: itself when a header can carry it as it is (the
    Codex CLI sends a UUID), else a UUID named after it. The key is the client's own text, so it
    may hold CR/LF or non-ASCII; those must never reach a header, and the same key must still
    name the same session."""
    return key if SESSION_ID.fullmatch(key) else _named_uuid(key)


def _refuse_stored_state(payload: dict[str, Any]) -> None:
    for name in ("previous_response_id", "conversation"):
        if payload.get(name):
            raise BadRequest(
                f"{name} needs responses stored upstream, and the ChatGPT backend stores none "
                "(store is always false): send the whole conversation in `input`",
                param=name,
            )
        payload.pop(name, None)


def _input_items(body: dict[str, Any]) -> list[Any]:
    """`input` as a list of items; a chat-style `messages` array is accepted in its place."""
    if "messages" in body:
        if body.get("input") is not None:
            raise BadRequest("give the conversation as `input` or as `messages`, not both")
        try:
            messages = chat_to_responses.parse_messages(body.pop("messages"))
            return chat_to_responses.input_items(messages)
        except ConversionError as exc:
            raise BadRequest(exc.message, param=exc.param) from exc
    found = body.get("input")
    if isinstance(found, str):
        return [{"type": "message", "role": "user", "content": [_text(found)]}]
    if isinstance(found, list):
        return found
    if found is None:
        raise BadRequest("input: Field required", param="input")
    raise BadRequest("input must be a string or a list of items", param="input")


def _split_input(items: list[Any]) -> tuple[list[dict[str, Any]], list[str]]:
    """The items the backend takes, and the text of the system/developer messages (which
    become `instructions`: the backend refuses `system` items)."""
    kept: list[dict[str, Any]] = []
    texts: list[str] = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise BadRequest(f"input.{index} must be an object", param=f"input.{index}")
        item = _without_private(item)
        kind = item.get("type")
        if kind == "item_reference":
            continue  # points at a stored response; nothing is stored
        if kind in (None, "message") and item.get("role") in _INSTRUCTION_ROLES:
            texts.append(_message_text(item, index))
        elif kind is None and "role" in item:
            kept.append({"type": "message", **item})
        else:
            kept.append(item)
    return kept, texts


def _without_private(value: Any) -> Any:
    """`value` without keys that start with `_` (client-side bookkeeping), at any depth."""
    if isinstance(value, dict):
        return {k: _without_private(v) for k, v in value.items() if not k.startswith("_")}
    if isinstance(value, list):
        return [_without_private(v) for v in value]
    return value


def _message_text(item: dict[str, Any], index: int) -> str:
    content = item.get("content")
    if isinstance(content, str):
        return content
    texts = []
    for part in content if isinstance(content, list) else [None]:
        text = part.get("text") if isinstance(part, dict) else None
        if not isinstance(text, str):
            raise BadRequest(
                f"input.{index}: a {item.get('role')} message may hold only text (it becomes "
                "the instructions)",
                param=f"input.{index}.content",
            )
        texts.append(text)
    return SEPARATOR.join(texts)


def _client_instructions(body: dict[str, Any]) -> str:
    found = body.get("instructions")
    if found is None:
        return ""
    if not isinstance(found, str):
        raise BadRequest("instructions must be a string", param="instructions")
    return found


def build_instructions(prompt: str | None, client: str, texts: list[str]) -> str | None:
    """The Codex prompt, then the client's `instructions`, then each system/developer message,
    billing-header lines removed; the prompt is left out when the client already sent it."""
    parts = [without_billing(text) for text in (client, *texts)]
    if prompt and not _already_there(prompt, client, texts[0] if texts else ""):
        parts.insert(0, prompt)
    joined = SEPARATOR.join(part for part in parts if part)
    return joined or None


def _already_there(prompt: str, client: str, first_message: str) -> bool:
    first_line = prompt.lstrip().split("\n", 1)[0].strip()
    return bool(first_line) and (
        client.lstrip().startswith(first_line) or first_message.lstrip().startswith(first_line)
    )


def without_billing(text: str) -> str:
    """`text` without `x-anthropic-billing-header:` lines, which change on every request and
    would defeat the prompt cache."""
    if BILLING_PREFIX not in text:
        return text
    lines = [line for line in text.split("\n") if not line.startswith(BILLING_PREFIX)]
    return "\n".join(lines).strip("\n")


def conversation_key(
    model: str, instructions: str | None, tools: Any, items: list[dict[str, Any]]
) -> str:
    """The same id for every turn of one conversation, a new one for a new conversation: what
    stays fixed across turns (model, instructions, tools, the first item) named as a UUID."""
    fixed = [model, instructions or "", tools or [], items[0] if items else None]
    canonical = json.dumps(fixed, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return _named_uuid(canonical)


def _named_uuid(name: str) -> str:
    """`uuid.uuid5(_SESSIONS, name)`, for any string: the client's JSON may escape a lone
    surrogate, which the UTF-8 encoding inside uuid5 refuses (surrogatepass keeps it as is)."""
    digest = hashlib.sha1(_SESSIONS.bytes + name.encode("utf-8", "surrogatepass")).digest()
    return str(uuid.UUID(bytes=digest[:16], version=5))


def _text(text: str) -> dict[str, str]:
    return {"type": "input_text", "text": text}
