"""The official anthropic SDK through ccproxy: one message, one stream, one token count."""

from __future__ import annotations

import os

import anthropic

url = os.environ.get("CCPROXY_URL", "http://127.0.0.1:8000")
model = os.environ.get("CCPROXY_MODEL", "claude-sonnet-5-5")
key = os.environ.get("CCPROXY_TOKEN", "dummy")
client = anthropic.Anthropic(base_url=f"{url}/api", api_key=key)
question = [{"role": "user", "content": "Name three prime numbers."}]

message = client.messages.create(model=model, max_tokens=200, messages=question)
print("message:", message.content[0].text)  # type: ignore[union-attr]

with client.messages.stream(model=model, max_tokens=200, messages=question) as stream:
    print("stream: ", end="")
    for text in stream.text_stream:
        print(text, end="", flush=True)
    print()

# OAuth tokens may be refused on count_tokens upstream; the proxy passes that answer on as it is.
try:
    count = client.messages.count_tokens(model=model, messages=question)
    print("tokens:", count.input_tokens)
except anthropic.APIStatusError as exc:
    print("count_tokens refused upstream:", exc.status_code, exc.message)
