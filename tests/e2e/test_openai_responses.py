"""The official openai SDK, current (3.x) and old (1.x), on /api/v1/responses: Responses clients
on the Claude API, against the fake Anthropic API."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.clients.runner import CLIENTS, run_client
from tests.conftest import ProxyFactory
from tests.fakes.anthropic_api import FakeAnthropic
from tests.fakes.anthropic_script import REPLY, THOUGHT

OLD_SDK_PYTHON = CLIENTS / "openai1" / "bin" / "python"
TWO = [
    {"name": "get_weather", "arguments": {"city": "Paris"}},
    {"name": "get_weather", "arguments": {"city": "Rome"}},
]


@pytest.mark.parametrize(
    ("python", "major"),
    [(sys.executable, "3."), (OLD_SDK_PYTHON, "1.")],
    ids=["openai-3.x", "openai-1.x"],
)
def test_responses_on_the_claude_api(
    start_proxy: ProxyFactory,
    logged_in: tuple[str, str],
    anthropic_fake: FakeAnthropic,
    python: Path | str,
    major: str,
) -> None:
    proxy = start_proxy(security={"auth_token": "sk-client"})
    got = run_client(python, "openai_responses_client.py", proxy + "/api/v1", "sk-client")
    assert got["version"].startswith(major)
    plain = got["plain"]
    assert plain["text"] == REPLY and plain["status"] == "completed"
    assert plain["id"].startswith("resp_") and plain["total_tokens"] == 20  # 10 + 3 + 2 in, 5 out
    streamed = got["streamed"]
    assert streamed["text"] == REPLY and streamed["final_status"] == "completed"
    assert streamed["sequence"] == list(range(len(streamed["sequence"])))
    assert streamed["types"] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
        *["response.output_text.delta"] * (len(streamed["types"]) - 8),
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    assert got["helper"] == {"deltas": REPLY, "final": REPLY, "status": "completed"}

    for key in ("tools", "tools_streamed"):
        tools = got[key]
        assert tools["calls"] == TWO and tools["call_ids"] == [True, True]
        assert tools["after"] == "Tool said: 18C | 21C"
    assert got["tools_streamed"]["argument_deltas"] >= 2

    thinking = got["thinking_stream"]
    assert "response.reasoning_summary_text.delta" in thinking["types"]
    assert thinking["final_status"] == "completed"
    assert got["reasoning"] == {"summary": [THOUGHT], "signed": True}
    assert got["images"] == "I see 2 image(s): image/png, url"
    assert got["structured"] == {"name": "text", "age": 1}
    assert got["model_header"] == {
        "mapped": "claude-sonnet-5-5",
        "kept": None,
        "kept_model": "claude-haiku-5-5",
    }
    status, param, message = got["errors"]["previous_response_id"]
    assert (status, param) == (400, "previous_response_id") and "stores nothing" in message

    bodies = [r.json() for r in anthropic_fake.message_requests()]
    assert all(b["model"] in ("claude-sonnet-5-5", "claude-haiku-5-5") for b in bodies)
    assert any(b.get("thinking") for b in bodies)
