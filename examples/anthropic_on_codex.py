"""The official anthropic SDK on your ChatGPT subscription (`/codex`): a message (with the model
that answered), a stream, a tool call and its result, a token count (estimated by ccproxy)."""

from __future__ import annotations

import os
from typing import Any

import anthropic

url = os.environ.get("CCPROXY_URL", "http://127.0.0.1:8000")
key = os.environ.get("CCPROXY_TOKEN", "dummy")
# A Claude name is mapped to the default Codex model; a Codex name (gpt-5.4, …) is used as is.
model = os.environ.get("CCPROXY_MODEL", "claude-sonnet-4-5")
client = anthropic.Anthropic(base_url=f"{url}/codex", api_key=key)
question: list[Any] = [{"role": "user", "content": "Name three prime numbers."}]

raw = client.messages.with_raw_response.create(model=model, max_tokens=200, messages=question)
print("message:", raw.parse().content[0].text)  # type: ignore[union-attr]
print("answered by:", raw.headers.get("x-ccproxy-model") or model)

with client.messages.stream(model=model, max_tokens=200, messages=question) as stream:
    print("stream: ", end="")
    for text in stream.text_stream:
        print(text, end="", flush=True)
    print()

weather: Any = {
    "name": "get_weather",
    "description": "The weather in a city",
    "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}},
}
ask = os.environ.get("CCPROXY_TOOL_PROMPT", "What is the weather in Paris? Use the tool.")
history: list[Any] = [{"role": "user", "content": ask}]
first = client.messages.create(model=model, max_tokens=300, tools=[weather], messages=history)
call = next((block for block in first.content if block.type == "tool_use"), None)
if call is not None:
    print("tool call:", call.name, call.input)
    history += [
        {"role": "assistant", "content": [block.model_dump() for block in first.content]},
        {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": call.id, "content": "21C and sunny"}]},
    ]  # fmt: skip
    after = client.messages.create(model=model, max_tokens=300, tools=[weather], messages=history)
    print("after the tool:", after.content[0].text)  # type: ignore[union-attr]

count = client.messages.count_tokens(model=model, messages=question)
print("tokens (estimated):", count.input_tokens)
