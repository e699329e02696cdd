"""Drives one installed `openai` SDK's Responses API against ccproxy's Claude providers (/api or
/sdk) and prints what it got, as JSON.

Run with the interpreter that holds the SDK version under test:
`python openai_responses_client.py BASE_URL API_KEY`. SDK mode runs Claude Code with its own
tools, so on a `/sdk` base URL only the checks without client tools run.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import openai
from openai_client import PNG, TWO_CALLS, Person
from openai_codex_client import FUNCTION, responses_helper, responses_plain, responses_streamed

MODEL = "gpt-5.4"  # an OpenAI name: the proxy maps it to a Claude model


def streamed_types(client: openai.OpenAI, **params: Any) -> dict[str, Any]:
    events = list(client.responses.create(model=MODEL, stream=True, **params))
    last = events[-1]
    return {
        "types": [e.type for e in events],
        "sequence": [e.sequence_number for e in events],
        "final_status": last.response.status if hasattr(last, "response") else None,
    }


def tool_round_trip(client: openai.OpenAI, *, stream: bool) -> dict[str, Any]:
    history: list[Any] = [{"role": "user", "content": TWO_CALLS}]
    if stream:
        with client.responses.stream(model=MODEL, input=history, tools=[FUNCTION]) as events:  # type: ignore[list-item]
            argument_deltas = sum(
                1 for e in events if e.type == "response.function_call_arguments.delta"
            )
            reply = events.get_final_response()
    else:
        argument_deltas = 0
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
        "call_ids": [c.call_id.startswith("toolu_") for c in calls],
        "argument_deltas": argument_deltas,
        "after": after.output_text,
    }


def reasoning(client: openai.OpenAI) -> dict[str, Any]:
    reply = client.responses.create(
        model=MODEL, input="think", reasoning={"effort": "high", "summary": "auto"}
    )
    items = [item for item in reply.output if item.type == "reasoning"]
    summary = [part.text for item in items for part in item.summary]
    return {"summary": summary, "signed": bool(items and items[0].encrypted_content)}


def images(client: openai.OpenAI) -> str:
    content = [
        {"type": "input_text", "text": "What are these?"},
        {"type": "input_image", "image_url": PNG, "detail": "auto"},
        {"type": "input_image", "image_url": "https://example.com/cat.jpg", "detail": "auto"},
    ]
    reply = client.responses.create(model=MODEL, input=[{"role": "user", "content": content}])  # type: ignore[misc,list-item]
    return reply.output_text


def structured(client: openai.OpenAI) -> dict[str, Any]:
    parsed = client.responses.parse(model=MODEL, input="Ada?", text_format=Person)
    person = parsed.output_parsed
    return {"name": person.name, "age": person.age} if person else {}


def model_header(client: openai.OpenAI) -> dict[str, Any]:
    raw = client.responses.with_raw_response.create(model=MODEL, input="hi")
    kept = client.responses.with_raw_response.create(model="claude-haiku-5-5", input="hi")
    return {
        "mapped": raw.headers.get("x-ccproxy-model"),
        "kept": kept.headers.get("x-ccproxy-model"),
        "kept_model": kept.parse().model,
    }


def errors(client: openai.OpenAI) -> dict[str, Any]:
    found: dict[str, Any] = {}
    try:
        client.responses.create(model=MODEL, input="hi", previous_response_id="resp_1")
    except openai.BadRequestError as exc:
        found["previous_response_id"] = [exc.status_code, exc.param, exc.message]
    return found


def main(base_url: str, api_key: str) -> dict[str, Any]:
    client = openai.OpenAI(base_url=base_url, api_key=api_key, max_retries=0)
    got: dict[str, Any] = {
        "version": openai.__version__,
        "plain": responses_plain(client),
        "streamed": responses_streamed(client),
        "helper": responses_helper(client),
        "errors": errors(client),
    }
    if "/sdk" in base_url:
        return got
    return {
        **got,
        "tools": tool_round_trip(client, stream=False),
        "tools_streamed": tool_round_trip(client, stream=True),
        "thinking_stream": streamed_types(client, input="think", reasoning={"effort": "high"}),
        "reasoning": reasoning(client),
        "images": images(client),
        "structured": structured(client),
        "model_header": model_header(client),
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2])))
