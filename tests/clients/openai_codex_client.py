"""Drives one installed `openai` SDK against ccproxy's /codex and prints what it got, as JSON.

Run with the interpreter that holds the SDK version under test:
`python openai_codex_client.py BASE_URL API_KEY`. The Chat Completions checks are the ones of
openai_client.py, on a Codex model.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import openai
from openai_client import TWO_CALLS, WEATHER, plain, streamed, structured, tools

MODEL = "gpt-5.4"
FUNCTION = {"type": "function", **WEATHER["function"]}  # the Responses API's flat tool shape


def responses_plain(client: openai.OpenAI) -> dict[str, Any]:
    reply = client.responses.create(model=MODEL, instructions="Be brief.", input="hi")
    usage = reply.usage
    return {
        "id": reply.id,
        "status": reply.status,
        "text": reply.output_text,
        "total_tokens": usage.total_tokens if usage else None,
    }


def responses_streamed(client: openai.OpenAI) -> dict[str, Any]:
    events = list(client.responses.create(model=MODEL, input="hi", stream=True))
    deltas = [e for e in events if e.type == "response.output_text.delta"]
    text = "".join(e.delta for e in deltas)
    last = events[-1]
    return {
        "types": [e.type for e in events],
        "text": text,
        "final_status": last.response.status if last.type == "response.completed" else None,
        "sequence": [e.sequence_number for e in events],
    }


def responses_helper(client: openai.OpenAI) -> dict[str, Any]:
    with client.responses.stream(model=MODEL, input="hi") as stream:
        deltas = [e.delta for e in stream if e.type == "response.output_text.delta"]
        final = stream.get_final_response()
    return {"deltas": "".join(deltas), "final": final.output_text, "status": final.status}


def responses_tools(client: openai.OpenAI) -> dict[str, Any]:
    history: list[Any] = [{"role": "user", "content": TWO_CALLS}]
    reply = client.responses.create(model=MODEL, input=history, tools=[FUNCTION])  # type: ignore[list-item]
    calls = [item for item in reply.output if item.type == "function_call"]
    history += [item.model_dump(exclude_none=True) for item in calls]
    history += [
        {"type": "function_call_output", "call_id": call.call_id, "output": ["18C", "21C"][i]}
        for i, call in enumerate(calls)
    ]
    after = client.responses.create(model=MODEL, input=history, tools=[FUNCTION])  # type: ignore[list-item]
    return {
        "calls": [{"name": c.name, "arguments": json.loads(c.arguments)} for c in calls],
        "after": after.output_text,
    }


def chat_reasoning(client: openai.OpenAI) -> Any:
    reply = client.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": "think"}], reasoning_effort="high"
    )
    return reply.choices[0].message.content


def errors(client: openai.OpenAI) -> dict[str, Any]:
    found: dict[str, Any] = {}
    try:
        client.responses.create(model="gpt-4o", input="hi")
    except openai.BadRequestError as exc:
        found["unknown_model"] = [exc.status_code, exc.message]
    try:
        client.chat.completions.create(
            model="fake-usage-limit", messages=[{"role": "user", "content": "hi"}]
        )
    except openai.RateLimitError as exc:
        headers = exc.response.headers
        found["usage_limit"] = [
            exc.status_code,
            headers.get("retry-after"),
            headers.get("x-codex-primary-used-percent"),
        ]
    return found


def main(base_url: str, api_key: str) -> dict[str, Any]:
    client = openai.OpenAI(base_url=base_url, api_key=api_key, max_retries=0)
    return {
        "version": openai.__version__,
        "responses": {
            "plain": responses_plain(client),
            "streamed": responses_streamed(client),
            "helper": responses_helper(client),
            "tools": responses_tools(client),
        },
        "chat": {
            "plain": plain(client, MODEL),
            "streamed": streamed(client, MODEL),
            "tools": tools(client, MODEL),
            "structured": structured(client, MODEL),
            "reasoning": chat_reasoning(client),
        },
        "errors": errors(client),
        "models": [m.id for m in client.models.list().data],
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2])))
