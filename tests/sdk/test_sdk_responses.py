"""OpenAI Responses clients on SDK mode: the official openai SDK (3.x and 1.x) on /sdk/v1, each
request answered by a real `claude` CLI run against the fake Anthropic API."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx
import pytest

from tests.clients.runner import CLIENTS, run_client
from tests.fakes.anthropic_script import REPLY
from tests.sdk.conftest import SdkProxy

OLD_SDK_PYTHON = CLIENTS / "openai1" / "bin" / "python"


@pytest.mark.parametrize(
    ("python", "major"),
    [(sys.executable, "3."), (OLD_SDK_PYTHON, "1.")],
    ids=["openai-3.x", "openai-1.x"],
)
def test_responses_on_sdk_mode(sdk_proxy: SdkProxy, python: Path | str, major: str) -> None:
    got = run_client(
        python, "openai_responses_client.py", sdk_proxy(sdk_message_mode="ignore") + "/sdk/v1", "x"
    )
    assert got["version"].startswith(major)
    assert got["plain"]["text"] == REPLY and got["plain"]["status"] == "completed"
    assert got["plain"]["id"].startswith("resp_")
    streamed = got["streamed"]
    assert streamed["text"] == REPLY and streamed["final_status"] == "completed"
    assert streamed["sequence"] == list(range(len(streamed["sequence"])))
    assert streamed["types"][:2] == ["response.created", "response.in_progress"]
    assert got["helper"] == {"deltas": REPLY, "final": REPLY, "status": "completed"}
    status, param, _ = got["errors"]["previous_response_id"]
    assert (status, param) == (400, "previous_response_id")


def test_a_session_in_the_path_and_the_mapped_model(sdk_proxy: SdkProxy) -> None:
    proxy = sdk_proxy()
    body = {"model": "gpt-5.4", "input": "hi"}
    first = httpx.post(f"{proxy}/sdk/resp-session/v1/responses", json=body, timeout=60)
    assert first.status_code == 200, first.text
    assert first.headers["x-ccproxy-session-id"] == "resp-session"
    assert first.headers["x-ccproxy-model"] == "claude-sonnet-5-5"
    # Forward mode (the default) shows Claude Code's own messages as tagged text, as for Chat.
    texts = [i["content"][0]["text"] for i in first.json()["output"] if i["type"] == "message"]
    assert texts[0].startswith("<system_message>\n{") and REPLY in "".join(texts)


def test_client_tools_are_refused_in_the_openai_envelope(sdk_proxy: SdkProxy) -> None:
    tool = {"type": "function", "name": "t", "parameters": {"type": "object"}, "strict": False}
    body = {"model": "gpt-5.4", "input": "hi", "tools": [tool]}
    answer = httpx.post(f"{sdk_proxy()}/sdk/v1/responses", json=body, timeout=60)
    assert answer.status_code == 400
    assert answer.json()["error"]["param"] == "tools"
