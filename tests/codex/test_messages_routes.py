"""Anthropic Messages on /codex over HTTP: what reaches the ChatGPT backend, what the client
gets back, and count_tokens estimated on the prefixes whose upstream cannot count."""

from __future__ import annotations

import json
from typing import Any

import anthropic
import httpx
import pytest

from tests.conftest import CODEX_PROMPT, ProxyFactory
from tests.fakes.chatgpt_backend import FakeChatGPT
from tests.fakes.chatgpt_script import REPLY


def post(url: str, body: dict[str, Any], **headers: str) -> httpx.Response:
    return httpx.post(url, json=body, headers=headers, timeout=20)


def body(model: str = "claude-opus-4-6", **extra: Any) -> dict[str, Any]:
    return {"model": model, "max_tokens": 100, "messages": [{"role": "user", "content": "hi"}],
            **extra}  # fmt: skip


def events(response: httpx.Response) -> list[tuple[str, dict[str, Any]]]:
    found, name = [], ""
    for line in response.text.splitlines():
        if line.startswith("event: "):
            name = line[7:]
        elif line.startswith("data: "):
            found.append((name, json.loads(line[6:])))
    return found


@pytest.mark.parametrize("path", ["/codex/v1/messages", "/codex/messages"])
def test_what_the_backend_receives(codex_proxy: str, chatgpt_fake: FakeChatGPT, path: str) -> None:
    sent_body = body(
        system=[{"type": "text", "text": "x-anthropic-billing-header: cc=1\nBe brief."}],
        temperature=0.2,
        stop_sequences=["END"],
        metadata={"user_id": "u"},
    )
    reply = post(codex_proxy + path + "?beta=true", sent_body, **{"x-api-key": "sk-client"})
    assert reply.status_code == 200, reply.text
    assert reply.json()["content"] == [{"type": "text", "text": REPLY}]
    assert reply.json()["model"] == "gpt-5.4" and reply.json()["id"].startswith("msg_")
    assert reply.headers["x-ccproxy-model"] == "gpt-5.4"
    sent = chatgpt_fake.bodies()[-1]
    assert sent["model"] == "gpt-5.4" and sent["stream"] is True and sent["store"] is False
    assert sent["instructions"] == f"{CODEX_PROMPT}\n\nBe brief."
    assert not {"temperature", "max_output_tokens", "metadata", "stop_sequences"} & sent.keys()
    assert sent["input"] == [
        {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}]}
    ]


def test_a_name_the_backend_serves_is_never_rewritten(
    codex_proxy: str, chatgpt_fake: FakeChatGPT
) -> None:
    reply = post(codex_proxy + "/codex/v1/messages", body("gpt-5.4-mini"))
    assert reply.status_code == 200
    assert chatgpt_fake.bodies()[-1]["model"] == "gpt-5.4-mini"
    assert "x-ccproxy-model" not in reply.headers


def test_the_session_of_the_path_is_used(codex_proxy: str, chatgpt_fake: FakeChatGPT) -> None:
    assert post(codex_proxy + "/codex/my-session-2/v1/messages", body()).status_code == 200
    assert chatgpt_fake.requests[-1].header("session_id") == "my-session-2"
    assert chatgpt_fake.bodies()[-1]["prompt_cache_key"] == "my-session-2"


def test_a_session_id_that_cannot_be_a_header_value_is_refused(
    codex_proxy: str, chatgpt_fake: FakeChatGPT
) -> None:
    reply = post(codex_proxy + "/codex/a%20b/v1/messages", body())
    assert reply.status_code == 400
    assert reply.json()["type"] == "error" and "session id" in reply.json()["error"]["message"]
    assert chatgpt_fake.requests == []


def test_streamed_answer_events_in_order(codex_proxy: str) -> None:
    reply = post(codex_proxy + "/codex/v1/messages", body(stream=True))
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/event-stream")
    found = events(reply)
    assert [name for name, _ in found] == [
        "message_start", "content_block_start", "content_block_delta", "content_block_delta",
        "content_block_stop", "message_delta", "message_stop",
    ]  # fmt: skip
    assert all(data["type"] == name for name, data in found)
    assert "".join(d["delta"]["text"] for n, d in found if n == "content_block_delta") == REPLY


@pytest.mark.parametrize(
    ("sent", "param"),
    [
        ({"max_tokens": 9, "messages": []}, "model"),
        ({"model": "claude-x", "messages": "hi"}, "messages"),
        ({"model": "claude-x", "messages": [{"role": "user", "content": 5}]},
         "messages.0.content"),
        ({"model": "claude-x", "messages": [{"role": "user", "content": [
            {"type": "image", "source": {"type": "file", "file_id": "f"}}]}]},
         "messages.0.content.0.source"),
        ({"model": "claude-x", "messages": [{"role": "user", "content": "x"}],
          "tool_choice": {"type": "sometimes"}}, "tool_choice"),
    ],
)  # fmt: skip
def test_client_mistakes_are_400_in_the_anthropic_envelope(
    codex_proxy: str, chatgpt_fake: FakeChatGPT, sent: dict[str, Any], param: str
) -> None:
    reply = post(codex_proxy + "/codex/v1/messages", sent)
    assert reply.status_code == 400, reply.text
    assert reply.json()["type"] == "error"
    assert reply.json()["error"]["type"] == "invalid_request_error"
    assert param.split(".")[0] in reply.json()["error"]["message"]
    assert chatgpt_fake.requests == []


def test_a_body_that_is_not_json_is_400_in_the_anthropic_envelope(codex_proxy: str) -> None:
    reply = httpx.post(codex_proxy + "/codex/v1/messages", content=b"{nope", timeout=20)
    assert reply.status_code == 400
    assert reply.json()["error"]["type"] == "invalid_request_error"


def test_a_stream_cut_mid_way_ends_with_an_error_event(codex_proxy: str) -> None:
    reply = post(codex_proxy + "/codex/v1/messages", body("fake-cut-stream", stream=True))
    assert reply.status_code == 200
    found = events(reply)
    assert found[0][0] == "message_start"
    assert found[-1][0] == "error" and found[-1][1]["error"]["type"] == "api_error"
    assert "message_stop" not in [name for name, _ in found]


def test_a_cut_or_failed_stream_is_an_error_for_a_non_streaming_client(codex_proxy: str) -> None:
    cut = post(codex_proxy + "/codex/v1/messages", body("fake-cut-stream"))
    assert cut.status_code == 502 and cut.json()["type"] == "error"
    failed = post(codex_proxy + "/codex/v1/messages", body("fake-failed"))
    assert failed.status_code == 502
    assert failed.json()["error"] == {"type": "api_error", "message": "The model failed to answer."}


def test_a_stream_without_a_final_event_is_rebuilt(codex_proxy: str) -> None:
    reply = post(codex_proxy + "/codex/v1/messages", body("fake-no-completed"))
    assert reply.status_code == 200
    assert reply.json()["content"] == [{"type": "text", "text": REPLY}]
    streamed = events(
        post(codex_proxy + "/codex/v1/messages", body("fake-no-completed", stream=True))
    )
    assert streamed[-1][0] == "error"


def test_usage_limit_keeps_status_retry_after_and_limits(codex_proxy: str) -> None:
    reply = post(codex_proxy + "/codex/v1/messages", body("fake-usage-limit"))
    assert reply.status_code == 429
    assert reply.json()["error"]["type"] == "rate_limit_error"
    assert reply.headers["retry-after"] == "3600"
    assert any(name.startswith("x-codex-") for name in reply.headers)


@pytest.mark.parametrize(
    "path",
    [
        "/codex/v1/messages/count_tokens",
        "/codex/messages/count_tokens",
        "/codex/s-1/v1/messages/count_tokens",
        "/sdk/v1/messages/count_tokens",
        "/sdk/s-1/v1/messages/count_tokens",
    ],
)
def test_count_tokens_is_estimated_locally(
    codex_proxy: str, chatgpt_fake: FakeChatGPT, path: str
) -> None:
    # 26 characters -> 7 tokens, plus 4 for the message.
    sent = {
        "model": "claude-x",
        "messages": [{"role": "user", "content": "Hello, world! How are you?"}],
    }
    reply = post(codex_proxy + path, sent)
    assert reply.status_code == 200, reply.text
    assert reply.json() == {"input_tokens": 11}
    missing = post(codex_proxy + path, {"messages": []})
    assert missing.status_code == 400 and missing.json()["error"]["type"] == "invalid_request_error"
    assert chatgpt_fake.requests == []


def test_disabled_codex_answers_404_in_the_anthropic_envelope(
    start_codex_proxy: ProxyFactory, chatgpt_fake: FakeChatGPT
) -> None:
    proxy = start_codex_proxy(codex={"enabled": False})
    for path in ("/codex/v1/messages", "/codex/v1/messages/count_tokens"):
        reply = post(proxy + path, body())
        assert reply.status_code == 404
        assert reply.json()["type"] == "error"
        assert "ccproxy config codex --enable" in reply.json()["error"]["message"]
    assert chatgpt_fake.requests == []


@pytest.mark.parametrize("prefix", ["/codex", "/sdk"])
def test_the_anthropic_sdk_reads_the_estimate(codex_proxy: str, prefix: str) -> None:
    client = anthropic.Anthropic(base_url=codex_proxy + prefix, api_key="dummy", max_retries=0)
    question: list[Any] = [{"role": "user", "content": "Hello, world! How are you?"}]
    counted = client.messages.count_tokens(model="claude-sonnet-4-5", messages=question)
    assert counted.input_tokens == 11
