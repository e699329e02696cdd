"""How the fake Anthropic API answers: what the last user turn asks for decides the reply.

- a turn of `tool_result`s: "Tool said: <their text>";
- `output_config.format` (structured output): a JSON object shaped like the schema;
- a forced `tool_choice`: a call of that tool with an input shaped like its schema;
- lines `CALL <tool> <json>` (tools present): those tool calls, in parallel;
- `RUN: <command>` with a `Bash` tool: a Bash call;
- images or documents: "I see 2 image(s): image/png, url" / "I read 1 document(s)";
- a line `AIDER_WRITE <file> <text>`: aider's "whole" edit format, replacing <file> with <text>;
- `REFUSE`: stop_reason `refusal`; `LONG`: stop_reason `max_tokens`; `HALT` with stop sequences:
  stop_reason `stop_sequence`;
- otherwise REPLY. With thinking on, a signed thinking block comes first.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from tests.fakes.anthropic_rules import thinking_on

REPLY = "Hello from the fake Claude API."
THOUGHT = "Thinking it over."
USAGE = {"input_tokens": 10, "cache_creation_input_tokens": 2, "cache_read_input_tokens": 3}


def last_user_blocks(body: dict[str, Any]) -> list[dict[str, Any]]:
    # Claude Code puts `role: "system"` entries after the user turn; the user turn is what counts.
    users = [m for m in body["messages"] if isinstance(m, dict) and m.get("role") == "user"]
    content = users[-1].get("content") if users else []
    return [{"type": "text", "text": content}] if isinstance(content, str) else content or []


def reply(body: dict[str, Any]) -> tuple[list[dict[str, Any]], str, str | None]:
    """(content blocks, stop_reason, stop_sequence) for a request."""
    blocks = last_user_blocks(body)
    content, stop, sequence = _answer(body, blocks)
    if thinking_on(body):
        omitted = (body.get("thinking") or {}).get("display") == "omitted"
        signature = "sig-" + hashlib.sha1(json.dumps(blocks).encode()).hexdigest()[:12]
        content = [
            {"type": "thinking", "thinking": "" if omitted else THOUGHT, "signature": signature},
            *content,
        ]
    return content, stop, sequence


def _answer(
    body: dict[str, Any], blocks: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], str, str | None]:
    text = " ".join(b.get("text", "") for b in blocks if b.get("type") == "text")
    tools = {t.get("name"): t for t in body.get("tools") or [] if isinstance(t, dict)}
    if results := [b for b in blocks if b.get("type") == "tool_result"]:
        said = " | ".join(_result_text(r.get("content")) for r in results)
        return [_text(f"Tool said: {said}")], "end_turn", None
    if schema := ((body.get("output_config") or {}).get("format") or {}).get("schema"):
        return [_text(json.dumps(sample(schema)))], "end_turn", None
    choice = body.get("tool_choice") or {}
    if choice.get("type") == "tool" and choice.get("name") in tools:
        name = choice["name"]
        return [_call(name, sample(tools[name].get("input_schema") or {}), 1)], "tool_use", None
    if calls := _calls(text, tools):
        return calls, "tool_use", None
    if "RUN: " in text and "Bash" in tools:
        command = text.split("RUN: ", 1)[1].strip().splitlines()[0]
        return (
            [_call("Bash", {"command": command, "description": "Run the requested command"}, 1)],
            "tool_use",
            None,
        )
    return _plain(body, blocks, text)


def _plain(
    body: dict[str, Any], blocks: list[dict[str, Any]], text: str
) -> tuple[list[dict[str, Any]], str, str | None]:
    images = [b for b in blocks if b.get("type") == "image"]
    if images:
        kinds = [b["source"].get("media_type") or b["source"].get("type") for b in images]
        return [_text(f"I see {len(images)} image(s): {', '.join(kinds)}")], "end_turn", None
    if documents := [b for b in blocks if b.get("type") == "document"]:
        return [_text(f"I read {len(documents)} document(s)")], "end_turn", None
    if "AIDER_WRITE " in text:
        line = text.split("AIDER_WRITE ", 1)[1].splitlines()[0]
        name, _, content = line.partition(" ")
        return [_text(f"{name}\n```\n{content}\n```\n")], "end_turn", None
    if "REFUSE" in text:
        return [_text("I can't help with that.")], "refusal", None
    if "LONG" in text:
        return [_text("This answer is cut")], "max_tokens", None
    if "HALT" in text and body.get("stop_sequences"):
        return [_text("Counting: 1, 2,")], "stop_sequence", body["stop_sequences"][0]
    return [_text(REPLY)], "end_turn", None


def _text(text: str) -> dict[str, Any]:
    return {"type": "text", "text": text}


def _call(name: str, arguments: dict[str, Any], number: int) -> dict[str, Any]:
    return {"type": "tool_use", "id": f"toolu_fake{number:02d}", "name": name, "input": arguments}


def _calls(text: str, tools: dict[str, Any]) -> list[dict[str, Any]]:
    calls = []
    for line in text.splitlines():
        words = line.strip().split(" ", 2)
        if len(words) == 3 and words[0] == "CALL" and words[1] in tools:
            calls.append(_call(words[1], json.loads(words[2]), len(calls) + 1))
    return calls


def sample(schema: dict[str, Any]) -> Any:
    """A value shaped like a JSON schema: every property filled in."""
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return {name: sample(sub) for name, sub in (schema.get("properties") or {}).items()}
    if kind == "array":
        return [sample(schema.get("items") or {})]
    if "enum" in schema:
        return schema["enum"][0]
    return {"string": "text", "integer": 1, "number": 1.5, "boolean": True}.get(str(kind), "text")


def _result_text(content: Any) -> str:
    if isinstance(content, str):
        return content.strip()
    if isinstance(content, list):
        return " ".join(str(c.get("text", "")).strip() for c in content if isinstance(c, dict))
    return ""


def block_events(index: int, block: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The streaming events of one content block, as the real API sends them."""
    kind = block["type"]
    if kind == "tool_use":
        start = {**block, "input": {}}
        arguments = json.dumps(block["input"])
        deltas = [
            {"type": "input_json_delta", "partial_json": part}
            for part in ("", arguments[:10], arguments[10:])
        ]
    elif kind == "thinking":
        start = {"type": "thinking", "thinking": "", "signature": ""}
        deltas = (
            [{"type": "thinking_delta", "thinking": block["thinking"]}] if block["thinking"] else []
        )
        deltas.append({"type": "signature_delta", "signature": block["signature"]})
    else:
        start = {"type": "text", "text": ""}
        deltas = [{"type": "text_delta", "text": block["text"]}]
    events = [
        (
            "content_block_start",
            {"type": "content_block_start", "index": index, "content_block": start},
        )
    ]
    if index == 0:
        events.append(("ping", {"type": "ping"}))
    events += [
        ("content_block_delta", {"type": "content_block_delta", "index": index, "delta": d})
        for d in deltas
    ]
    events.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
    return events
