"""The official openai SDK, current (3.x) and old (1.x), on /api/v1/chat/completions."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.clients.runner import CLIENTS, run_client
from tests.conftest import ProxyFactory
from tests.fakes.anthropic_api import FakeAnthropic
from tests.fakes.anthropic_script import REPLY, THOUGHT

OLD_SDK_PYTHON = CLIENTS / "openai1" / "bin" / "python"


@pytest.mark.parametrize(
    ("python", "major"),
    [(sys.executable, "3."), (OLD_SDK_PYTHON, "1.")],
    ids=["openai-3.x", "openai-1.x"],
)
def test_sdk_end_to_end(
    start_proxy: ProxyFactory,
    logged_in: tuple[str, str],
    anthropic_fake: FakeAnthropic,
    python: Path | str,
    major: str,
) -> None:
    proxy = start_proxy(security={"auth_token": "sk-client"})
    got = run_client(python, "openai_client.py", proxy + "/api/v1", "sk-client")
    assert got["version"].startswith(major)
    plain = got["plain"]
    assert (
        plain["content"] == REPLY
        and plain["finish"] == "stop"
        and plain["model"] == "claude-sonnet-5-5"
    )
    assert plain["id"].startswith("chatcmpl-")
    assert (plain["prompt_tokens"], plain["cached"], plain["total"]) == (
        15,
        3,
        20,
    )  # 10 + 3 read + 2 written
    streamed = got["streamed"]
    assert (
        streamed["text"] == REPLY and streamed["finish"] == ["stop"] and len(streamed["ids"]) == 1
    )
    assert streamed["usage_total"] == 20 and streamed["usage_only_last"]
    tools = got["tools"]
    two = [
        {"name": "get_weather", "arguments": {"city": "Paris"}},
        {"name": "get_weather", "arguments": {"city": "Rome"}},
    ]
    assert tools["finish"] == "tool_calls" and tools["calls"] == two
    assert tools["streamed"] == [{**call, "has_id": True} for call in two]
    assert tools["after"] == "Tool said: 18C | 21C"
    assert got["images"] == "I see 2 image(s): image/png, url"
    assert got["structured"] == {"name": "text", "age": 1}
    assert got["reasoning"] == THOUGHT
    assert got["errors"]["rate_limited"] == [429, "30"]
    assert (
        got["errors"]["bad_request"][0] == 400 and "n must be 1" in got["errors"]["bad_request"][1]
    )
    assert "claude-sonnet-5-5" in got["models"]
    sent = [r.json() for r in anthropic_fake.message_requests()]
    assert all(r["model"] in ("claude-sonnet-5-5", "fake-rate-limited") for r in sent)
    structured = next(r for r in sent if "format" in r.get("output_config", {}))
    assert structured["output_config"]["format"]["schema"]["required"] == ["name", "age"]
