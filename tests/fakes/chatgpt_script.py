"""How the fake ChatGPT backend answers, and the Responses events it streams the answer as.

What the last input item asks for decides the reply:
- a `function_call_output`: "Tool said: <its output>";
- lines `CALL <tool> <json>` naming tools of the request: those function calls;
- `text.format` json_schema: a JSON object shaped like the schema;
- otherwise REPLY.
With `reasoning.summary` asked for, a reasoning item with a two-part summary comes first.
Events follow the recorded order of PROTOCOLS.md §3.6 (deltas split in two).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

from tests.fakes.anthropic_script import sample

REPLY = "Hello from the fake ChatGPT backend."
SUMMARY = ("Looking at the request.", "Deciding how to answer.")
USAGE = {
    "input_tokens": 30,
    "input_tokens_details": {"cached_tokens": 10},
    "output_tokens": 12,
    "output_tokens_details": {"reasoning_tokens": 4},
    "total_tokens": 42,
}


def reply(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The final output items for a request."""
    items: list[dict[str, Any]] = []
    if (body.get("reasoning") or {}).get("summary"):
        items.append(_reasoning(body))
    last = body["input"][-1] if body["input"] else {}
    tools = {t.get("name") for t in body.get("tools") or [] if t.get("type") == "function"}
    if last.get("type") == "function_call_output":
        items.append(message(f"Tool said: {_output_text(last.get('output'))}"))
    elif calls := _calls(_text(last), tools):
        items += calls
    elif schema := ((body.get("text") or {}).get("format") or {}).get("schema"):
        items.append(message(json.dumps(sample(schema))))
    else:
        items.append(message(REPLY))
    return items


def message(text: str) -> dict[str, Any]:
    return {
        "id": "msg_fake" + hashlib.sha1(text.encode()).hexdigest()[:8],
        "type": "message",
        "status": "completed",
        "role": "assistant",
        "content": [{"type": "output_text", "text": text, "annotations": []}],
    }


def _reasoning(body: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": "rs_fake01",
        "type": "reasoning",
        "summary": [{"type": "summary_text", "text": text} for text in SUMMARY],
    }
    if "reasoning.encrypted_content" in (body.get("include") or []):
        item["encrypted_content"] = "gAAAA-fake-encrypted"
    return item


def _text(item: dict[str, Any]) -> str:
    content = item.get("content")
    if isinstance(content, str):
        return content
    return "\n".join(p.get("text", "") for p in content or [] if isinstance(p, dict))


def _output_text(output: Any) -> str:
    if isinstance(output, list):
        return " ".join(p.get("text", "") for p in output if isinstance(p, dict))
    return str(output)


def _calls(text: str, tools: set[Any]) -> list[dict[str, Any]]:
    calls = []
    for line in text.splitlines():
        _, _, rest = line.partition("CALL ")
        name, _, arguments = rest.strip().partition(" ")
        if line.startswith("CALL ") and name in tools:
            n = len(calls) + 1
            calls.append(
                {
                    "id": f"fc_fake{n}",
                    "type": "function_call",
                    "status": "completed",
                    "call_id": f"call_fake{n}",
                    "name": name,
                    "arguments": arguments.strip() or "{}",
                }
            )
    return calls


def response(model: str, status: str, output: Any, usage: Any) -> dict[str, Any]:
    return {
        "id": "resp_fake01",
        "object": "response",
        "created_at": 1795000000,
        "status": status,
        "error": None,
        "incomplete_details": None,
        "instructions": None,
        "model": model,
        "output": output,
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
        "usage": usage,
    }


def item_events(index: int, item: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The events of one output item, from `output_item.added` to `output_item.done`."""
    kind = item["type"]
    if kind == "message":
        yield from _message_events(index, item)
    elif kind == "reasoning":
        yield from _reasoning_events(index, item)
    elif kind == "function_call":
        yield from _call_events(index, item)


def _halves(text: str) -> list[str]:
    middle = len(text) // 2
    return [part for part in (text[:middle], text[middle:]) if part]


def _message_events(index: int, item: dict[str, Any]) -> Iterator[dict[str, Any]]:
    where = {"item_id": item["id"], "output_index": index}
    yield {"type": "response.output_item.added", "output_index": index,
           "item": {**item, "status": "in_progress", "content": []}}  # fmt: skip
    for part_index, part in enumerate(item["content"]):
        at = {**where, "content_index": part_index}
        yield {"type": "response.content_part.added", **at, "part": {**part, "text": ""}}
        for delta in _halves(part["text"]):
            yield {"type": "response.output_text.delta", **at, "delta": delta, "logprobs": []}
        yield {"type": "response.output_text.done", **at, "text": part["text"], "logprobs": []}
        yield {"type": "response.content_part.done", **at, "part": part}
    yield {"type": "response.output_item.done", "output_index": index, "item": item}


def _reasoning_events(index: int, item: dict[str, Any]) -> Iterator[dict[str, Any]]:
    where = {"item_id": item["id"], "output_index": index}
    yield {"type": "response.output_item.added", "output_index": index,
           "item": {"id": item["id"], "type": "reasoning", "summary": []}}  # fmt: skip
    for n, part in enumerate(item["summary"]):
        at = {**where, "summary_index": n}
        yield {"type": "response.reasoning_summary_part.added", **at,
               "part": {"type": "summary_text", "text": ""}}  # fmt: skip
        for delta in _halves(part["text"]):
            yield {"type": "response.reasoning_summary_text.delta", **at, "delta": delta}
        yield {"type": "response.reasoning_summary_text.done", **at, "text": part["text"]}
        yield {"type": "response.reasoning_summary_part.done", **at, "part": part}
    yield {"type": "response.output_item.done", "output_index": index, "item": item}


def _call_events(index: int, item: dict[str, Any]) -> Iterator[dict[str, Any]]:
    where = {"item_id": item["id"], "output_index": index}
    yield {"type": "response.output_item.added", "output_index": index,
           "item": {**item, "status": "in_progress", "arguments": ""}}  # fmt: skip
    for delta in _halves(item["arguments"]):
        yield {"type": "response.function_call_arguments.delta", **where, "delta": delta}
    yield {"type": "response.function_call_arguments.done", **where,
           "arguments": item["arguments"], "name": item["name"]}  # fmt: skip
    yield {"type": "response.output_item.done", "output_index": index, "item": item}
