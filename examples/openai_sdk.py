"""The official openai SDK on Claude through ccproxy: a chat, a stream with usage, a tool call."""

from __future__ import annotations

import json
import os

import openai

url = os.environ.get("CCPROXY_URL", "http://127.0.0.1:8000")
client = openai.OpenAI(base_url=f"{url}/api/v1", api_key=os.environ.get("CCPROXY_TOKEN", "dummy"))
# OpenAI names map to Claude models (gpt-4o -> claude-sonnet-5-5); Claude names work as they are.
model = os.environ.get("CCPROXY_MODEL", "gpt-4o")

reply = client.chat.completions.create(
    model=model, messages=[{"role": "user", "content": "Name three prime numbers."}]
)
print("chat:", reply.choices[0].message.content, f"({reply.model})")

stream = client.chat.completions.create(
    model=model,
    messages=[{"role": "user", "content": "Count to five."}],
    stream=True,
    stream_options={"include_usage": True},
)
print("stream: ", end="")
for chunk in stream:
    if chunk.choices and chunk.choices[0].delta.content:
        print(chunk.choices[0].delta.content, end="", flush=True)
    if chunk.usage:
        print(f"\nusage: {chunk.usage.prompt_tokens} in, {chunk.usage.completion_tokens} out")

weather = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather in a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
}
question = os.environ.get("CCPROXY_TOOL_PROMPT", "What is the weather in Paris?")
called = client.chat.completions.create(
    model=model, messages=[{"role": "user", "content": question}], tools=[weather]
)
for call in called.choices[0].message.tool_calls or []:
    print("tool call:", call.function.name, json.loads(call.function.arguments))
