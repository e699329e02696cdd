"""The official openai SDK's Responses API on Claude through ccproxy: an answer, a stream, and a
tool call sent back with its result. The same script runs on SDK mode (`CCPROXY_PREFIX=/sdk`)
without the tool call, since Claude Code uses its own tools there."""

from __future__ import annotations

import json
import os

import openai

url = os.environ.get("CCPROXY_URL", "http://127.0.0.1:8000")
prefix = os.environ.get("CCPROXY_PREFIX", "/api")
client = openai.OpenAI(
    base_url=f"{url}{prefix}/v1", api_key=os.environ.get("CCPROXY_TOKEN", "dummy")
)
# OpenAI names map to Claude models (gpt-5.4 -> claude-sonnet-5-5); Claude names work as they are.
model = os.environ.get("CCPROXY_MODEL", "gpt-5.4")

raw = client.responses.with_raw_response.create(
    model=model, instructions="Be brief.", input="Name three prime numbers."
)
reply = raw.parse()
print("answer:", reply.output_text, f"({raw.headers.get('x-ccproxy-model', reply.model)})")

print("stream: ", end="")
with client.responses.stream(model=model, input="Count to five.") as stream:
    for event in stream:
        if event.type == "response.output_text.delta":
            print(event.delta, end="", flush=True)
    final = stream.get_final_response()
usage = final.usage
print(f"\nusage: {usage.input_tokens} in, {usage.output_tokens} out" if usage else "")

if prefix == "/api":
    weather = {
        "type": "function",
        "name": "get_weather",
        "description": "Current weather in a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
        "strict": False,
    }
    question = os.environ.get("CCPROXY_TOOL_PROMPT", "What is the weather in Paris?")
    history: list = [{"role": "user", "content": question}]
    called = client.responses.create(model=model, input=history, tools=[weather])
    for item in called.output:
        if item.type == "function_call":
            print("tool call:", item.name, json.loads(item.arguments))
            history += [
                item.model_dump(exclude_none=True),
                {"type": "function_call_output", "call_id": item.call_id, "output": "18C"},
            ]
    if len(history) > 1:
        print(
            "after the tool:",
            client.responses.create(model=model, input=history, tools=[weather]).output_text,
        )
