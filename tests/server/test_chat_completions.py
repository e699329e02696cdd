"""POST /api/v1/chat/completions over real HTTP: headers, model names, errors, thinking memory."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.conftest import ProxyFactory
from tests.fakes.anthropic_api import FakeAnthropic

CHAT = "/api/v1/chat/completions"
USER = [{"role": "user", "content": "hi"}]
PING = [{"type": "function", "function": {"name": "ping", "parameters": {"type": "object"}}}]


def chunks(raw: bytes) -> list[Any]:
    frames = [f.removeprefix("data: ") for f in raw.decode().split("\n\n") if f.strip()]
    return [f if f == "[DONE]" else json.loads(f) for f in frames]


def test_headers_and_model_names(proxy: str, anthropic_fake: FakeAnthropic) -> None:
    response = httpx.post(proxy + CHAT, json={"model": "gpt-4o-mini", "messages": USER}, timeout=10)
    assert response.status_code == 200
    assert response.headers["x-ccproxy-model"] == "claude-haiku-5-5"
    assert response.headers["x-request-id"] == "req_fake_ok"
    assert response.json()["model"] == "claude-haiku-5-5"
    sent = anthropic_fake.message_requests()[-1]
    assert sent.json()["model"] == "claude-haiku-5-5"
    assert sent.query == ""
    assert sent.header("anthropic-beta") == "oauth-2025-04-20,claude-code-20250219"
    assert sent.header("anthropic-version") == "2023-06-01"
    claude = httpx.post(
        proxy + CHAT, json={"model": "claude-opus-4-8", "messages": USER}, timeout=10
    )
    assert claude.headers["x-ccproxy-model"] == "claude-opus-4-8"


def test_configured_model_map(
    start_proxy: ProxyFactory, logged_in: tuple[str, str], anthropic_fake: FakeAnthropic
) -> None:
    proxy = start_proxy(
        claude={"model_map": {"gpt-4o": "claude-opus-5", "team-*": "claude-sonnet-5"}}
    )
    for asked, used in (
        ("gpt-4o", "claude-opus-5"),
        ("team-fast", "claude-sonnet-5"),
        ("gpt-4.1", "claude-sonnet-5-5"),
    ):
        response = httpx.post(proxy + CHAT, json={"model": asked, "messages": USER}, timeout=10)
        assert response.headers["x-ccproxy-model"] == used
        assert anthropic_fake.message_requests()[-1].json()["model"] == used


def test_messages_route_maps_openai_names_too(proxy: str, anthropic_fake: FakeAnthropic) -> None:
    body = {"model": "gpt-4o", "max_tokens": 5, "messages": USER}
    response = httpx.post(proxy + "/api/v1/messages", json=body, timeout=10)
    assert response.headers["x-ccproxy-model"] == "claude-sonnet-5-5"
    assert anthropic_fake.message_requests()[-1].json()["model"] == "claude-sonnet-5-5"
    plain = httpx.post(
        proxy + "/api/v1/messages", json={**body, "model": "claude-sonnet-5"}, timeout=10
    )
    assert "x-ccproxy-model" not in plain.headers


def test_client_errors_use_the_openai_envelope(proxy: str) -> None:
    cases = [
        (b"{oops", "not valid JSON", None),
        (json.dumps({"model": "m"}).encode(), "messages: Field required", None),
        (json.dumps({"model": "m", "messages": USER, "n": 3}).encode(), "n must be 1", "n"),
        (
            json.dumps(
                {
                    "model": "m",
                    "messages": [
                        {
                            "role": "user",
                            "content": [{"type": "image_url", "image_url": {"url": "ftp://x"}}],
                        }
                    ],
                }
            ).encode(),
            "http(s) URL or a data URL",
            "messages.0.content.0",
        ),
    ]
    for raw, phrase, param in cases:
        response = httpx.post(proxy + CHAT, content=raw, timeout=10)
        assert response.status_code == 400, response.text
        error = response.json()["error"]
        assert error["type"] == "invalid_request_error" and phrase in error["message"]
        assert error["param"] == param


def test_upstream_errors_keep_status_in_the_openai_envelope(proxy: str) -> None:
    limited = httpx.post(
        proxy + CHAT, json={"model": "fake-rate-limited", "messages": USER}, timeout=10
    )
    assert limited.status_code == 429 and limited.headers["retry-after"] == "30"
    assert limited.json()["error"] == {
        "message": "Rate limited",
        "type": "requests",
        "param": None,
        "code": "rate_limit_exceeded",
    }
    overloaded = httpx.post(
        proxy + CHAT, json={"model": "fake-overloaded", "messages": USER}, timeout=10
    )
    assert overloaded.status_code == 529 and overloaded.json()["error"]["code"] == "overloaded"


def test_missing_credentials_in_the_openai_envelope(start_proxy: ProxyFactory) -> None:
    response = httpx.post(
        start_proxy() + CHAT, json={"model": "gpt-4o", "messages": USER}, timeout=10
    )
    assert response.status_code == 401
    assert response.json()["error"]["type"] == "authentication_error"
    assert "ccproxy auth login" in response.json()["error"]["message"]


def test_failures_mid_stream_end_with_an_error_chunk(proxy: str) -> None:
    for model in ("fake-stream-error", "fake-cut-stream"):
        response = httpx.post(
            proxy + CHAT, json={"model": model, "messages": USER, "stream": True}, timeout=10
        )
        assert response.status_code == 200
        frames = chunks(response.content)
        assert frames[0]["choices"][0]["delta"]["role"] == "assistant"
        assert "error" in frames[-1] and "[DONE]" not in frames


def tool_loop(proxy: str, stream: bool) -> None:
    """Two turns with reasoning on: a tool call, then its result without the thinking."""
    first = {
        "model": "gpt-4o",
        "reasoning_effort": "high",
        "tools": PING,
        "stream": stream,
        "messages": [{"role": "user", "content": "CALL ping {}"}],
    }
    reply = httpx.post(proxy + CHAT, json=first, timeout=10)
    if stream:
        call_id = next(
            f
            for f in chunks(reply.content)
            if f != "[DONE]" and f["choices"] and f["choices"][0]["delta"].get("tool_calls")
        )["choices"][0]["delta"]["tool_calls"][0]["id"]
    else:
        call_id = reply.json()["choices"][0]["message"]["tool_calls"][0]["id"]
    call = {"id": call_id, "type": "function", "function": {"name": "ping", "arguments": "{}"}}
    second = {
        **first,
        "messages": [
            *first["messages"],
            {"role": "assistant", "content": None, "tool_calls": [call]},
            {"role": "tool", "tool_call_id": call_id, "content": "pong"},
        ],
    }
    after = httpx.post(proxy + CHAT, json=second, timeout=10)
    assert after.status_code == 200, after.text


def test_thinking_before_a_tool_call_is_given_back(
    proxy: str, anthropic_fake: FakeAnthropic
) -> None:
    for stream in (False, True):
        tool_loop(proxy, stream)
        sent = anthropic_fake.message_requests()[-1].json()
        assistant = sent["messages"][-2]
        assert assistant["content"][0]["type"] == "thinking" and assistant["content"][0][
            "signature"
        ].startswith("sig-")
        assert sent["thinking"]["type"] == "adaptive"
