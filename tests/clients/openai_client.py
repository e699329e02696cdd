"""Drives one installed `openai` SDK against a base URL and prints what it got, as JSON.

Run with the interpreter that holds the SDK version under test (a current 3.x and an old 1.x live
in different environments): `python openai_client.py BASE_URL API_KEY`.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import openai
from pydantic import BaseModel

PNG = "data:image/png;base64,iVBORw0KGgo="
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}
TWO_CALLS = 'CALL get_weather {"city": "Paris"}\nCALL get_weather {"city": "Rome"}'


class Person(BaseModel):
    name: str
    age: int


def plain(client: openai.OpenAI, model: str = "gpt-4o") -> dict[str, Any]:
    reply = client.chat.completions.create(
        model=model,
        messages=[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "hi"}],
    )
    usage = reply.usage
    assert usage is not None and usage.prompt_tokens_details is not None
    return {
        "id": reply.id,
        "model": reply.model,
        "content": reply.choices[0].message.content,
        "finish": reply.choices[0].finish_reason,
        "prompt_tokens": usage.prompt_tokens,
        "cached": usage.prompt_tokens_details.cached_tokens,
        "total": usage.total_tokens,
    }


def streamed(client: openai.OpenAI, model: str = "gpt-4o") -> dict[str, Any]:
    chunks = list(
        client.chat.completions.create(
            model=model,
            messages=[{"role": "user", "content": "hi"}],
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    finish = [
        c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason
    ]
    return {
        "text": text,
        "ids": sorted({c.id for c in chunks}),
        "finish": finish,
        "usage_total": chunks[-1].usage.total_tokens if chunks[-1].usage else None,
        "usage_only_last": [c.usage is not None for c in chunks].count(True) == 1,
    }


def tools(client: openai.OpenAI, model: str = "gpt-4o") -> dict[str, Any]:
    messages: list[Any] = [{"role": "user", "content": TWO_CALLS}]
    reply = client.chat.completions.create(model=model, messages=messages, tools=[WEATHER])  # type: ignore[list-item]
    calls = reply.choices[0].message.tool_calls or []
    chunks = list(
        client.chat.completions.create(model=model, messages=messages, tools=[WEATHER], stream=True)
    )  # type: ignore[list-item]
    streamed_calls: dict[int, dict[str, str]] = {}
    for chunk in chunks:
        for delta in (chunk.choices[0].delta.tool_calls or []) if chunk.choices else []:
            call = streamed_calls.setdefault(delta.index, {"id": "", "name": "", "arguments": ""})
            call["id"] += delta.id or ""
            call["name"] += delta.function.name or "" if delta.function else ""
            call["arguments"] += delta.function.arguments or "" if delta.function else ""
    messages.append(reply.choices[0].message.model_dump(exclude_none=True))
    messages += [
        {"role": "tool", "tool_call_id": c.id, "content": ["18C", "21C"][i]}
        for i, c in enumerate(calls)
    ]
    after = client.chat.completions.create(model=model, messages=messages, tools=[WEATHER])  # type: ignore[list-item]
    return {
        "finish": reply.choices[0].finish_reason,
        "calls": [
            {"name": c.function.name, "arguments": json.loads(c.function.arguments)} for c in calls
        ],  # type: ignore[union-attr]
        "streamed": [
            {"name": c["name"], "arguments": json.loads(c["arguments"]), "has_id": bool(c["id"])}
            for _, c in sorted(streamed_calls.items())
        ],
        "after": after.choices[0].message.content,
    }


def images(client: openai.OpenAI) -> str | None:
    content = [
        {"type": "text", "text": "What are these?"},
        {"type": "image_url", "image_url": {"url": PNG}},
        {"type": "image_url", "image_url": {"url": "https://example.com/cat.jpg"}},
    ]
    reply = client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": content}]
    )  # type: ignore[misc]
    return reply.choices[0].message.content


def structured(client: openai.OpenAI, model: str = "gpt-4o") -> dict[str, Any]:
    parsed = client.chat.completions.parse(
        model=model, messages=[{"role": "user", "content": "Ada?"}], response_format=Person
    )
    person = parsed.choices[0].message.parsed
    return {"name": person.name, "age": person.age} if person else {}


def reasoning(client: openai.OpenAI) -> Any:
    reply = client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "think"}], reasoning_effort="high"
    )
    return (reply.choices[0].message.model_extra or {}).get("reasoning_content")


def errors(client: openai.OpenAI) -> dict[str, Any]:
    found: dict[str, Any] = {}
    try:
        client.chat.completions.create(
            model="fake-rate-limited", messages=[{"role": "user", "content": "hi"}]
        )
    except openai.RateLimitError as exc:
        found["rate_limited"] = [exc.status_code, exc.response.headers.get("retry-after")]
    try:
        client.chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": "hi"}], n=2
        )
    except openai.BadRequestError as exc:
        found["bad_request"] = [exc.status_code, exc.message]
    return found


def main(base_url: str, api_key: str) -> dict[str, Any]:
    client = openai.OpenAI(base_url=base_url, api_key=api_key, max_retries=0)
    return {
        "version": openai.__version__,
        "plain": plain(client),
        "streamed": streamed(client),
        "tools": tools(client),
        "images": images(client),
        "structured": structured(client),
        "reasoning": reasoning(client),
        "errors": errors(client),
        "models": [m.id for m in client.models.list().data],
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2])))
