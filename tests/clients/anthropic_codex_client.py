"""Drives one installed `anthropic` SDK against the proxy's `/codex` prefix (the fake ChatGPT
backend behind it) and prints what it got, as JSON.

Run with the interpreter that holds the SDK version under test:
`python anthropic_codex_client.py BASE_URL API_KEY`.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import anthropic

MODEL = "claude-sonnet-4-5"
WEATHER = {
    "name": "get_weather",
    "description": "Weather for a city",
    "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}},
}
ASK = 'CALL get_weather {"city": "Paris"}'


def main(base_url: str, api_key: str) -> dict[str, Any]:
    client = anthropic.Anthropic(base_url=base_url, api_key=api_key, max_retries=0)
    return {
        "version": anthropic.__version__,
        "plain": _plain(client),
        "streamed": _streamed(client),
        "tools": _tools(client, stream=False),
        "tools_streamed": _tools(client, stream=True),
        "thinking": _thinking(client),
        "counted": client.messages.count_tokens(
            model=MODEL, messages=[{"role": "user", "content": "hello there"}]
        ).input_tokens,
        "errors": _errors(client),
    }


def _user(text: str) -> list[Any]:
    return [{"role": "user", "content": text}]


def _plain(client: anthropic.Anthropic) -> dict[str, Any]:
    raw = client.messages.with_raw_response.create(model=MODEL, max_tokens=64, messages=_user("hi"))
    message = raw.parse()
    return {
        "text": message.content[0].text,  # type: ignore[union-attr]
        "stop": message.stop_reason,
        "model_header": raw.headers.get("x-ccproxy-model"),
        "usage": [
            message.usage.input_tokens,
            message.usage.output_tokens,
            message.usage.cache_read_input_tokens,
        ],
    }


def _streamed(client: anthropic.Anthropic) -> dict[str, Any]:
    with client.messages.stream(model=MODEL, max_tokens=64, messages=_user("hi")) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    raw = client.messages.create(model=MODEL, max_tokens=9, messages=_user("hi"), stream=True)
    return {
        "text": text,
        "stop": final.stop_reason,
        "output_tokens": final.usage.output_tokens,
        "events": [event.type for event in raw],
    }


def _tools(client: anthropic.Anthropic, *, stream: bool) -> dict[str, Any]:
    """A tool round trip: the backend calls get_weather, the tool's result goes back."""
    history: list[Any] = _user(ASK)
    first = _create(client, history, stream=stream)
    call = next(block for block in first.content if block.type == "tool_use")
    history += [
        {"role": "assistant", "content": [block.model_dump() for block in first.content]},
        {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": call.id, "content": "21C"}]},
    ]  # fmt: skip
    second = _create(client, history, stream=stream)
    return {
        "stop": first.stop_reason,
        "call": {"name": call.name, "input": call.input},
        "after": second.content[0].text,  # type: ignore[union-attr]
        "after_stop": second.stop_reason,
    }


def _create(client: anthropic.Anthropic, history: list[Any], *, stream: bool) -> Any:
    options: dict[str, Any] = {"model": MODEL, "max_tokens": 256, "messages": history}
    if not stream:
        return client.messages.create(tools=[WEATHER], **options)
    with client.messages.stream(tools=[WEATHER], **options) as streamed:
        return streamed.get_final_message()


def _thinking(client: anthropic.Anthropic) -> dict[str, Any]:
    thinking: Any = {"type": "enabled", "budget_tokens": 2048}
    options: dict[str, Any] = {"model": MODEL, "max_tokens": 4096, "messages": _user("hi")}
    message = client.messages.create(thinking=thinking, **options)
    with client.messages.stream(thinking=thinking, **options) as stream:
        final = stream.get_final_message()
    return {
        "plain": [block.type for block in message.content],
        "text": message.content[0].thinking,  # type: ignore[union-attr]
        "streamed": [block.type for block in final.content],
        "streamed_text": final.content[0].thinking,  # type: ignore[union-attr]
    }


def _errors(client: anthropic.Anthropic) -> dict[str, Any]:
    found: dict[str, Any] = {}
    cases = {
        "unknown_model": {"model": "gpt-4o", "messages": _user("hi")},
        "usage_limit": {"model": "fake-usage-limit", "messages": _user("hi")},
        "server_tool": {"model": MODEL, "messages": _user("hi"),
                        "tools": [{"type": "web_search_20250305", "name": "web_search"}]},
        "failed_stream": {"model": "fake-failed", "messages": _user("hi"), "stream": True},
    }  # fmt: skip
    for name, options in cases.items():
        try:
            answer = client.messages.create(max_tokens=9, **options)
            if options.get("stream"):
                list(answer)  # type: ignore[call-overload]
            found[name] = None
        except anthropic.APIStatusError as exc:
            body = exc.body if isinstance(exc.body, dict) else {}
            found[name] = [exc.status_code, (body.get("error") or body).get("type"), exc.message]
    return found


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2])))
