"""The official openai SDK, current (3.x) and old (1.x), on /codex: Responses and Chat."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from tests.clients.runner import CLIENTS, run_client
from tests.conftest import ProxyFactory
from tests.fakes.chatgpt_backend import FakeChatGPT
from tests.fakes.chatgpt_script import REPLY, SUMMARY

OLD_SDK_PYTHON = CLIENTS / "openai1" / "bin" / "python"


@pytest.mark.parametrize(
    ("python", "major", "prefix"),
    [(sys.executable, "3.", "/codex/v1"), (OLD_SDK_PYTHON, "1.", "/codex")],
    ids=["openai-3.x", "openai-1.x"],
)
def test_sdk_end_to_end(
    start_codex_proxy: ProxyFactory,
    codex_auth: dict[str, Any],
    chatgpt_fake: FakeChatGPT,
    python: Path | str,
    major: str,
    prefix: str,
) -> None:
    proxy = start_codex_proxy(security={"auth_token": "sk-client"})
    got = run_client(python, "openai_codex_client.py", proxy + prefix, "sk-client")
    assert got["version"].startswith(major)

    responses = got["responses"]
    assert responses["plain"]["text"] == REPLY and responses["plain"]["status"] == "completed"
    assert responses["plain"]["total_tokens"] == 42
    streamed = responses["streamed"]
    assert streamed["text"] == REPLY and streamed["final_status"] == "completed"
    assert streamed["types"][0] == "response.created"
    assert streamed["sequence"] == sorted(streamed["sequence"])
    assert responses["helper"] == {"deltas": REPLY, "final": REPLY, "status": "completed"}
    two = [
        {"name": "get_weather", "arguments": {"city": "Paris"}},
        {"name": "get_weather", "arguments": {"city": "Rome"}},
    ]
    assert responses["tools"] == {"calls": two, "after": "Tool said: 21C"}

    chat = got["chat"]
    assert chat["plain"]["content"] == REPLY and chat["plain"]["finish"] == "stop"
    assert chat["plain"]["model"] == "gpt-5.4" and chat["plain"]["total"] == 42
    assert chat["streamed"]["text"] == REPLY and chat["streamed"]["finish"] == ["stop"]
    assert chat["streamed"]["usage_total"] == 42 and chat["streamed"]["usage_only_last"]
    assert chat["tools"]["finish"] == "tool_calls" and chat["tools"]["calls"] == two
    assert chat["tools"]["streamed"] == [{**call, "has_id": True} for call in two]
    assert chat["tools"]["after"] == "Tool said: 21C"
    assert chat["structured"] == {"name": "text", "age": 1}
    assert chat["reasoning"] == f"<reasoning>{SUMMARY[0]}\n\n{SUMMARY[1]}</reasoning>{REPLY}"

    unknown = got["errors"]["unknown_model"]
    assert unknown[0] == 400 and "'gpt-4o' model is not supported" in unknown[1]
    assert got["errors"]["usage_limit"] == [429, "3600", "100"]
    assert "gpt-5.4" in got["models"]

    bodies = chatgpt_fake.bodies()
    assert all(b["stream"] is True and b["store"] is False for b in bodies)
    sent_auth = {h.get("authorization") for h in (dict(r.headers) for r in chatgpt_fake.requests)}
    assert "Bearer sk-client" not in sent_auth
