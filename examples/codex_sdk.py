"""The official openai SDK on your ChatGPT subscription through ccproxy's /codex: a Responses
call, a Responses stream, and a Chat Completions call with a tool."""

from __future__ import annotations

import json
import os

import openai

url = os.environ.get("CCPROXY_URL", "http://127.0.0.1:8000")
client = openai.OpenAI(base_url=f"{url}/codex/v1", api_key=os.environ.get("CCPROXY_TOKEN", "dummy"))
model = os.environ.get("CCPROXY_MODEL", "gpt-5.4")

reply = client.responses.create(
    model=model, instructions="Answer briefly.", input="Name three prime numbers."
)
print("responses:", reply.output_text)

print("stream: ", end="")
with client.responses.stream(model=model, input="Count to five.") as stream:
    for event in stream:
        if event.type == "response.output_text.delta":
            print(event.delta, end="", flush=True)
    usage = stream.get_final_response().usage
print(f"\nusage: {usage.input_tokens} in, {usage.output_tokens} out" if usage else "")

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
