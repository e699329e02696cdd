"""The official anthropic SDK, current (2.x) and old (0.x), on /codex: Anthropic Messages
answered by the (fake) ChatGPT backend, streamed and not, with a tool round trip."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from tests.clients.runner import CLIENTS, run_client
from tests.conftest import ProxyFactory
from tests.fakes.chatgpt_backend import FakeChatGPT
from tests.fakes.chatgpt_script import REPLY, SUMMARY

OLD_SDK_PYTHON = CLIENTS / "anthropic0" / "bin" / "python"


@pytest.mark.parametrize(
    ("python", "major"),
    [(sys.executable, "2."), (OLD_SDK_PYTHON, "0.")],
    ids=["anthropic-2.x", "anthropic-0.x"],
)
def test_sdk_end_to_end(
    start_codex_proxy: ProxyFactory,
    codex_auth: dict[str, Any],
    chatgpt_fake: FakeChatGPT,
    python: Path | str,
    major: str,
) -> None:
    proxy = start_codex_proxy(security={"auth_token": "sk-client"})
    got = run_client(python, "anthropic_codex_client.py", proxy + "/codex", "sk-client")
    assert got["version"].startswith(major)

    # Claude's name is mapped to the default Codex model, and the answer says so.
    assert got["plain"] == {
        "text": REPLY, "stop": "end_turn", "model_header": "gpt-5.4", "usage": [20, 12, 10],
    }  # fmt: skip
    streamed = got["streamed"]
    assert streamed["text"] == REPLY and streamed["stop"] == "end_turn"
    assert streamed["output_tokens"] == 12
    assert streamed["events"][0] == "message_start" and streamed["events"][-1] == "message_stop"
    assert "content_block_delta" in streamed["events"]

    for key in ("tools", "tools_streamed"):
        assert got[key] == {
            "stop": "tool_use",
            "call": {"name": "get_weather", "input": {"city": "Paris"}},
            "after": "Tool said: 21C",
            "after_stop": "end_turn",
        }, key

    summary = f"{SUMMARY[0]}\n\n{SUMMARY[1]}"
    assert got["thinking"] == {
        "plain": ["thinking", "text"], "text": summary,
        "streamed": ["thinking", "text"], "streamed_text": summary,
    }  # fmt: skip
    assert got["counted"] > 0

    errors = got["errors"]
    assert errors["unknown_model"][:2] == [400, "invalid_request_error"]
    assert "'gpt-4o' model is not supported" in errors["unknown_model"][2]
    assert errors["usage_limit"][:2] == [429, "rate_limit_error"]
    assert errors["server_tool"][:2] == [400, "invalid_request_error"]
    assert "web_search_20250305" in errors["server_tool"][2]
    # After HTTP 200 the failure is the stream's own `error` event, which the SDK raises.
    assert errors["failed_stream"][:2] == [200, "api_error"]
    assert "The model failed to answer." in errors["failed_stream"][2]

    bodies = chatgpt_fake.bodies()
    assert all(b["stream"] is True and b["store"] is False for b in bodies)
    assert all(b["model"] != "claude-sonnet-4-5" for b in bodies)
    round_trip = [b for b in bodies if b["input"][-1].get("type") == "function_call_output"]
    assert round_trip and round_trip[0]["input"][-1]["output"] == "21C"
    assert round_trip[0]["input"][-2]["type"] == "function_call"
