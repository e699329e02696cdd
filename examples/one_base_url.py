"""One base URL for every provider: the root routes pick Claude or Codex by model name.
Codex models need the Codex routes on (`ccproxy config codex --enable`)."""

from __future__ import annotations

import os

import anthropic
import openai

url = os.environ.get("CCPROXY_URL", "http://127.0.0.1:8000")
key = os.environ.get("CCPROXY_TOKEN", "dummy")
claude_model = os.environ.get("CCPROXY_CLAUDE_MODEL", "claude-sonnet-4-5")
codex_model = os.environ.get("CCPROXY_CODEX_MODEL", "gpt-5.4")

# The anthropic SDK adds /v1/messages to the base URL, the openai SDK /chat/completions.
claude = anthropic.Anthropic(base_url=url, api_key=key)
reply = claude.messages.create(
    model=claude_model, max_tokens=200, messages=[{"role": "user", "content": "Say hello."}]
)
print("anthropic sdk, claude:", "".join(b.text for b in reply.content if b.type == "text"))

chat = openai.OpenAI(base_url=f"{url}/v1", api_key=key)
for model in (claude_model, codex_model):
    answer = chat.chat.completions.create(
        model=model, messages=[{"role": "user", "content": "Say hello."}]
    )
    print(f"openai sdk, {model}:", answer.choices[0].message.content)

print("models:", ", ".join(model.id for model in chat.models.list()))
