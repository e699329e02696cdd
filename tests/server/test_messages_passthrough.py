"""POST /api/v1/messages: what reaches the upstream, and what comes back, over real HTTP."""

from __future__ import annotations

import json

import httpx

from tests.fakes.anthropic_api import FakeAnthropic

IDENTITY = "You are Claude Code, Anthropic's official CLI for Claude."
BILLING = "x-anthropic-billing-header:"


def post(proxy: str, body: object, **headers: str) -> httpx.Response:
    return httpx.post(
        f"{proxy}/api/v1/messages", content=json.dumps(body), headers=headers, timeout=10
    )


def test_unknown_fields_and_blocks_pass_verbatim(proxy: str, anthropic_fake: FakeAnthropic) -> None:
    body = {
        "model": "claude-passthrough-test",
        "max_tokens": 128000,
        "system": [
            {"type": "text", "text": f"{BILLING} cc_version=2.1.330.d01; cc_entrypoint=sdk-cli;"},
            {"type": "text", "text": IDENTITY, "cache_control": {"type": "ephemeral", "ttl": "1h"}},
        ],
        "messages": [
            {"role": "user", "content": [{"type": "text", "text": "héllo ✓"}]},
            {
                "role": "system",
                "content": [{"type": "text", "text": "# Environment"}],
                "output_config": {"effort": "medium"},
            },
            {
                "role": "assistant",
                "content": [
                    {"type": "thinking", "thinking": "t", "signature": "EqQBsig=="},
                    {"type": "future_block", "payload": [1, None, 2.5]},
                ],
            },
            {"role": "user", "content": "go on"},
        ],
        "thinking": {"type": "adaptive", "display": "omitted"},
        "output_config": {"effort": "medium"},
        "context_management": {"edits": [{"type": "clear_thinking_20251015", "keep": "all"}]},
        "tools": [{"name": "Later", "input_schema": {"type": "object"}, "defer_loading": True}],
        "metadata": {"user_id": '{"device_id":"d"}'},
        "never_heard_of": {"nested": [True, False]},
    }
    raw = json.dumps(body, ensure_ascii=False).encode()
    response = httpx.post(f"{proxy}/api/v1/messages?beta=true", content=raw, timeout=10)
    assert response.status_code == 200, response.text
    received = anthropic_fake.message_requests()[-1]
    assert received.body == raw  # identity present: the client's bytes go through untouched
    assert received.query == "beta=true"


def test_identity_block_inserted_once_after_billing(
    proxy: str, anthropic_fake: FakeAnthropic
) -> None:
    billing = {"type": "text", "text": "x-anthropic-billing-header: cc_version=1; cch=abc;"}
    mine = {"type": "text", "text": "Be brief.", "cache_control": {"type": "ephemeral"}}
    body = {
        "model": "m",
        "max_tokens": 5,
        "system": [billing, mine],
        "messages": [{"role": "user", "content": "hi"}],
    }
    assert post(proxy, body).status_code == 200
    sent = anthropic_fake.message_requests()[-1].json()
    assert sent["system"] == [billing, {"type": "text", "text": IDENTITY}, mine]
    assert {k: v for k, v in sent.items() if k != "system"} == {
        k: v for k, v in body.items() if k != "system"
    }


def test_string_and_absent_system(proxy: str, anthropic_fake: FakeAnthropic) -> None:
    base = {"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]}
    assert post(proxy, {**base, "system": "Be kind."}).status_code == 200
    assert anthropic_fake.message_requests()[-1].json()["system"] == [
        {"type": "text", "text": IDENTITY},
        {"type": "text", "text": "Be kind."},
    ]
    assert post(proxy, base).status_code == 200
    assert anthropic_fake.message_requests()[-1].json()["system"] == [
        {"type": "text", "text": IDENTITY}
    ]


def test_headers_sent_upstream(
    proxy: str, anthropic_fake: FakeAnthropic, logged_in: tuple[str, str]
) -> None:
    body = {"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]}
    response = post(
        proxy,
        body,
        **{
            "x-api-key": "client-dummy",
            "anthropic-beta": "context-1m-2025-08-07, fine-grained-tool-streaming-2025-05-14,"
            "context-1m-2025-08-07",
            "anthropic-version": "2026-10-21",
            "user-agent": "claude-cli/2.1.330 (external, sdk-cli)",
            "x-app": "cli",
            "x-forwarded-for": "10.0.0.1",
            "cookie": "secret=1",
            "x-stainless-retry-count": "0",
        },
    )
    assert response.status_code == 200
    sent = anthropic_fake.message_requests()[-1]
    assert sent.header("authorization") == f"Bearer {logged_in[0]}"
    assert sent.header("x-api-key") is None
    assert sent.header("anthropic-version") == "2026-10-21"
    assert sent.header("anthropic-beta") == (
        "context-1m-2025-08-07,fine-grained-tool-streaming-2025-05-14,oauth-2025-04-20,claude-code-20250219"
    )
    assert sent.header("user-agent") == "claude-cli/2.1.330 (external, sdk-cli)"
    assert sent.header("x-app") == "cli"
    assert sent.header("x-stainless-retry-count") == "0"
    assert sent.header("x-forwarded-for") is None
    assert sent.header("cookie") is None


def test_default_version_and_betas(proxy: str, anthropic_fake: FakeAnthropic) -> None:
    body = {"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]}
    assert post(proxy, body, authorization="Bearer client-dummy").status_code == 200
    sent = anthropic_fake.message_requests()[-1]
    assert sent.header("anthropic-version") == "2023-06-01"
    assert sent.header("anthropic-beta") == "oauth-2025-04-20,claude-code-20250219"
    assert (
        sent.header(
            "authorization",
        )
        != "Bearer client-dummy"
    )


def test_non_stream_response_and_headers_come_back(proxy: str) -> None:
    body = {"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]}
    response = post(proxy, body)
    assert response.status_code == 200
    assert response.json()["content"] == [
        {"type": "text", "text": "Hello from the fake Claude API."}
    ]
    assert response.headers["request-id"] == "req_fake_ok"
    assert response.headers["anthropic-ratelimit-unified-status"] == "allowed"
    assert "set-cookie" not in response.headers


def test_upstream_errors_keep_status_body_and_headers(proxy: str) -> None:
    base = {"max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]}
    limited = post(proxy, {**base, "model": "fake-rate-limited"})
    assert limited.status_code == 429
    assert limited.json()["error"] == {"type": "rate_limit_error", "message": "Rate limited"}
    assert limited.headers["retry-after"] == "30"
    assert limited.headers["anthropic-ratelimit-unified-status"] == "rejected"
    assert limited.headers["anthropic-ratelimit-unified-5h-utilization"] == "1.0"
    assert limited.headers["request-id"] == "req_fake"
    overloaded = post(proxy, {**base, "model": "fake-overloaded"})
    assert overloaded.status_code == 529
    assert overloaded.json()["error"]["type"] == "overloaded_error"
    assert overloaded.headers["x-should-retry"] == "true"
    invalid = post(proxy, {"model": "m", "messages": []})  # the upstream's own 400
    assert invalid.status_code == 400
    assert invalid.json()["error"]["message"] == "max_tokens: Field required"


def test_count_tokens_passes_through(proxy: str, anthropic_fake: FakeAnthropic) -> None:
    body = {"model": "m", "messages": [{"role": "user", "content": "count me"}]}
    response = httpx.post(f"{proxy}/api/v1/messages/count_tokens?beta=true", json=body, timeout=10)
    assert response.status_code == 200
    assert response.json()["input_tokens"] > 0
    sent = anthropic_fake.requests[-1]
    assert sent.path == "/v1/messages/count_tokens"
    assert sent.query == "beta=true"
    assert sent.json()["system"] == [{"type": "text", "text": IDENTITY}]
