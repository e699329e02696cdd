"""Drives one installed `anthropic` SDK against a base URL and prints what it got, as JSON.

Run with the interpreter that holds the SDK version under test (the current and an old major
version live in different environments): `python anthropic_client.py BASE_URL API_KEY`.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import anthropic

TOOL = {
    "name": "Bash",
    "description": "Run a shell command",
    "input_schema": {"type": "object", "properties": {"command": {"type": "string"}}},
}


def main(base_url: str, api_key: str) -> dict[str, Any]:
    client = anthropic.Anthropic(base_url=base_url, api_key=api_key, max_retries=0)
    user = [{"role": "user", "content": "hi"}]
    created = client.messages.create(model="claude-sonnet-5", max_tokens=64, messages=user)
    with client.messages.stream(model="claude-sonnet-5", max_tokens=64, messages=user) as stream:
        streamed_text = "".join(stream.text_stream)
        final = stream.get_final_message()
    raw_events = [
        e.type for e in client.messages.create(model="m", max_tokens=9, messages=user, stream=True)
    ]
    tool_turn = client.messages.create(
        model="claude-sonnet-5",
        max_tokens=64,
        tools=[TOOL],  # type: ignore[list-item]
        messages=[{"role": "user", "content": "RUN: echo 42"}],
    )
    tool_use = tool_turn.content[0]
    beta = client.beta.messages.create(
        model="m", max_tokens=9, messages=user, betas=["context-1m-2025-08-07"]
    )  # type: ignore[list-item]
    counted = client.messages.count_tokens(model="m", messages=user)
    models = client.models.list()
    try:
        client.messages.create(model="fake-rate-limited", max_tokens=9, messages=user)
        rate_limited: Any = None
    except anthropic.RateLimitError as exc:
        rate_limited = {
            "status": exc.status_code,
            "retry_after": exc.response.headers.get("retry-after"),
        }
    return {
        "version": anthropic.__version__,
        "created": created.content[0].text,  # type: ignore[union-attr]
        "request_id": created._request_id,
        "streamed": streamed_text,
        "final_stop": final.stop_reason,
        "raw_events": raw_events,
        "tool_use": {"name": tool_use.name, "input": tool_use.input, "stop": tool_turn.stop_reason},  # type: ignore[union-attr]
        "beta_text": beta.content[0].text,  # type: ignore[union-attr]
        "counted": counted.input_tokens,
        "models": [m.id for m in models.data],
        "rate_limited": rate_limited,
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2])))
