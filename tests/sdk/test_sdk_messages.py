"""SDK mode with the real `claude` CLI on the fake Anthropic API: answers in both formats,
streamed and not, conversations kept, Claude Code's own tools, and the options a request may not
set."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fakes.anthropic_api import FakeAnthropic
from tests.fakes.anthropic_script import REPLY, THOUGHT
from tests.sdk.conftest import SdkProxy

Event = tuple[str, dict[str, Any]]


def ask(proxy: str, messages: list[dict[str, Any]], path: str = "/sdk/v1/messages",
        **extra: Any) -> httpx.Response:  # fmt: skip
    body = {"model": "claude-sonnet-5-5", "max_tokens": 1000, "messages": messages, **extra}
    return httpx.post(proxy + path, json=body, timeout=120)


def user(text: str) -> dict[str, Any]:
    return {"role": "user", "content": text}


def events(response: httpx.Response) -> list[Event]:
    found = []
    for frame in response.text.split("\n\n"):
        lines = dict(line.split(": ", 1) for line in frame.splitlines() if ": " in line)
        if "event" in lines:
            found.append((lines["event"], json.loads(lines["data"])))
    return found


def kinds(message: dict[str, Any]) -> list[str]:
    return [block["type"] for block in message["content"]]


def upstream_text(fake: FakeAnthropic) -> str:
    """Everything the CLI's last call sent as conversation, as one string."""
    return json.dumps(fake.message_requests()[-1].json()["messages"])


def test_a_message_with_claude_codes_thinking_and_sdk_blocks(
    sdk_proxy: SdkProxy, anthropic_fake: FakeAnthropic
) -> None:
    reply = ask(sdk_proxy(), [user("hi")])
    assert reply.status_code == 200, reply.text
    message = reply.json()
    assert kinds(message) == ["system_message", "thinking", "text", "result_message"]
    init, thinking, text, result = message["content"]
    assert init["subtype"] == "init" and init["source"] == "claude_agent_sdk"
    assert thinking["thinking"] == THOUGHT and thinking["signature"].startswith("sig-")
    assert text == {"type": "text", "text": REPLY}
    assert result["is_error"] is False and result["total_cost_usd"] > 0
    assert message["stop_reason"] == "end_turn"
    assert message["usage"]["input_tokens"] == 10 and message["usage"]["output_tokens"] >= 1
    assert anthropic_fake.message_requests()[-1].json()["model"] == "claude-sonnet-5-5"


def test_a_stream_has_dense_indices_and_no_doubled_content(sdk_proxy: SdkProxy) -> None:
    reply = ask(sdk_proxy(), [user("hi")], stream=True)
    assert reply.headers["content-type"].startswith("text/event-stream")
    sent = events(reply)
    assert sent[0][0] == "message_start" and [n for n, _ in sent[-2:]] == [
        "message_delta", "message_stop"]  # fmt: skip
    starts = [d["index"] for n, d in sent if n == "content_block_start"]
    stops = [d["index"] for n, d in sent if n == "content_block_stop"]
    assert starts == stops == list(range(len(starts)))
    open_blocks: set[int] = set()
    for name, data in sent:  # one block at a time, and every delta lands in the open one
        if name == "content_block_start":
            assert not open_blocks
            open_blocks.add(data["index"])
        elif name == "content_block_delta":
            assert open_blocks == {data["index"]}
        elif name == "content_block_stop":
            open_blocks.remove(data["index"])
    deltas = [d["delta"] for n, d in sent if n == "content_block_delta"]
    assert "".join(d.get("text", "") for d in deltas) == REPLY
    assert "".join(d.get("thinking", "") for d in deltas) == THOUGHT
    assert sent[-2][1]["usage"]["input_tokens"] == 10


def test_openai_chat_on_sdk_mode(sdk_proxy: SdkProxy) -> None:
    proxy = sdk_proxy(sdk_message_mode="ignore")
    plain = ask(proxy, [user("hi")], path="/sdk/v1/chat/completions").json()
    assert plain["choices"][0]["message"]["content"] == REPLY
    assert plain["choices"][0]["message"]["reasoning_content"] == THOUGHT
    assert plain["usage"]["prompt_tokens"] >= 10
    streamed = ask(proxy, [user("hi")], path="/sdk/v1/chat/completions", stream=True)
    frames = [f.removeprefix("data: ") for f in streamed.text.split("\n\n") if f.strip()]
    assert frames[-1] == "[DONE]"
    chunks = [json.loads(f) for f in frames[:-1]]
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    assert text == REPLY


def test_chat_clients_get_sdk_objects_as_tagged_text_in_forward_mode(sdk_proxy: SdkProxy) -> None:
    content = ask(sdk_proxy(), [user("hi")], path="/sdk/v1/chat/completions").json()
    text = content["choices"][0]["message"]["content"]
    assert text.startswith("<system_message>\n{") and REPLY in text


def test_history_of_a_stateless_client_reaches_the_upstream(
    sdk_proxy: SdkProxy, anthropic_fake: FakeAnthropic
) -> None:
    history = [user("My name is Ada."), {"role": "assistant", "content": "Nice to meet you."},
               user("What is my name?")]  # fmt: skip
    assert ask(sdk_proxy(), history).status_code == 200
    sent = upstream_text(anthropic_fake)
    assert "My name is Ada." in sent and "Nice to meet you." in sent
    assert "What is my name?" in sent


def test_a_replayed_conversation_continues_its_session(
    sdk_proxy: SdkProxy, anthropic_fake: FakeAnthropic
) -> None:
    proxy = sdk_proxy(sdk_message_mode="ignore")
    first = ask(proxy, [user("first question")])
    answer = first.json()["content"]
    second = ask(proxy, [user("first question"), {"role": "assistant", "content": answer},
                         user("second question")])  # fmt: skip
    assert second.status_code == 200
    assert second.headers["x-ccproxy-session-id"] == first.headers["x-ccproxy-session-id"]
    messages = anthropic_fake.message_requests()[-1].json()["messages"]
    assistant = [m for m in messages if m["role"] == "assistant"]
    assert assistant and REPLY in json.dumps(assistant)  # Claude Code's own transcript
    assert "<conversation>" not in json.dumps(messages)  # continued, not replayed as text
    other = ask(proxy, [user("another conversation")])
    assert other.headers["x-ccproxy-session-id"] != first.headers["x-ccproxy-session-id"]


def test_a_session_named_in_the_path_is_continued(
    sdk_proxy: SdkProxy, anthropic_fake: FakeAnthropic
) -> None:
    proxy = sdk_proxy()
    assert ask(proxy, [user("Remember 4217.")], path="/sdk/s-42/v1/messages").status_code == 200
    reply = ask(proxy, [user("Which number?")], path="/sdk/s-42/v1/messages")
    assert reply.status_code == 200 and reply.headers["x-ccproxy-session-id"] == "s-42"
    sent = upstream_text(anthropic_fake)
    assert "Remember 4217." in sent and "Which number?" in sent
    status = httpx.get(proxy + "/sdk/status").json()
    assert status["sessions"] == 1 and status["runs"] == 2


@pytest.mark.parametrize("mode", ["forward", "formatted", "ignore"])
def test_a_bash_tool_use_runs_in_the_configured_directory(
    sdk_proxy: SdkProxy, anthropic_fake: FakeAnthropic, workdir: Path, mode: str
) -> None:
    proxy = sdk_proxy(sdk_message_mode=mode)
    reply = ask(proxy, [user("RUN: pwd > where.txt && echo ran")])
    assert reply.status_code == 200, reply.text
    assert (workdir / "where.txt").read_text().strip() == str(workdir)
    results = [
        block
        for message in anthropic_fake.message_requests()[-1].json()["messages"]
        if isinstance(message["content"], list)
        for block in message["content"]
        if block.get("type") == "tool_result"
    ]
    assert results and "ran" in json.dumps(results[-1])
    message = reply.json()
    texts = "".join(b.get("text", "") for b in message["content"] if b["type"] == "text")
    if mode == "forward":
        use = next(b for b in message["content"] if b["type"] == "tool_use_sdk")
        result = next(b for b in message["content"] if b["type"] == "tool_result_sdk")
        assert use["name"] == "Bash" and "where.txt" in use["input"]["command"]
        assert result["tool_use_id"] == use["id"] and "ran" in json.dumps(result["content"])
    elif mode == "formatted":
        assert kinds(message).count("thinking") == 0  # thinking is text here
        assert '<tool_use_sdk>\n{\n  "id"' in texts and "<tool_result_sdk>" in texts
        assert '<thinking signature="sig-' in texts
    else:
        assert set(kinds(message)) == {"thinking", "text"}
        assert texts.startswith("Tool said:")


def test_compact_formatted_json_is_escaped(sdk_proxy: SdkProxy) -> None:
    proxy = sdk_proxy(sdk_message_mode="formatted", pretty_format=False)
    texts = [b["text"] for b in ask(proxy, [user("RUN: echo '<b>'")]).json()["content"]]
    tagged = next(t for t in texts if t.startswith("<tool_use_sdk>"))
    assert "&lt;b&gt;" in tagged and "\n" not in tagged and "&quot;command&quot;" in tagged


@pytest.mark.parametrize(
    "extra",
    [{"cwd": "/"}, {"permission_mode": "bypassPermissions"},
     {"mcp_servers": {"x": {"type": "stdio", "command": "sh"}}}, {"allowed_tools": ["Bash"]}],
)  # fmt: skip
def test_claude_code_options_in_a_request_are_refused(
    sdk_proxy: SdkProxy, anthropic_fake: FakeAnthropic, extra: dict[str, Any]
) -> None:
    reply = ask(sdk_proxy(), [user("hi")], **extra)
    assert reply.status_code == 400
    error = reply.json()["error"]
    assert error["type"] == "invalid_request_error" and next(iter(extra)) in error["message"]
    assert anthropic_fake.message_requests() == []


def test_client_tools_and_bad_turns_are_refused_in_each_format(sdk_proxy: SdkProxy) -> None:
    proxy = sdk_proxy()
    tool = {"name": "t", "input_schema": {"type": "object"}}
    assert ask(proxy, [user("hi")], tools=[tool]).json()["error"]["type"] == (
        "invalid_request_error")  # fmt: skip
    last_assistant = ask(proxy, [user("hi"), {"role": "assistant", "content": "x"}])
    assert last_assistant.status_code == 400
    chat_tool = {"type": "function", "function": {"name": "t", "parameters": {"type": "object"}}}
    chat = ask(proxy, [user("hi")], path="/sdk/v1/chat/completions", tools=[chat_tool])
    assert chat.status_code == 400 and chat.json()["error"]["param"] == "tools"


def test_models_and_status(sdk_proxy: SdkProxy, workdir: Path) -> None:
    proxy = sdk_proxy()
    for path in ("/sdk/v1/models", "/sdk/models"):
        assert "claude-sonnet-5-5" in {m["id"] for m in httpx.get(proxy + path).json()["data"]}
    status = httpx.get(proxy + "/sdk/status").json()
    assert status["cwd"] == str(workdir) and status["permission_mode"] == "bypassPermissions"
    assert status["pool"] == {"enabled": False} and status["sessions"] == 0
