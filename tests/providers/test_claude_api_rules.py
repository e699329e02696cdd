"""The Claude API rules as pure functions: identity block, beta merge, upstream headers."""

from __future__ import annotations

import json

import pytest

from ccproxy.providers.claude_api import (
    IDENTITY_TEXT,
    identity_system,
    merge_betas,
    prepare_body,
    upstream_headers,
)

IDENTITY = {"type": "text", "text": IDENTITY_TEXT}
BILLING = {
    "type": "text",
    "text": "x-anthropic-billing-header: cc_version=2.1.330.d01; cc_entrypoint=cli;",
}
SDK = {
    "type": "text",
    "text": "You are a Claude agent, built on Anthropic's Claude Agent SDK.",
    "cache_control": {"type": "ephemeral"},
}


@pytest.mark.parametrize(
    ("system", "expected"),
    [
        (None, [IDENTITY]),
        ("", [IDENTITY]),
        ("Be brief.", [IDENTITY, {"type": "text", "text": "Be brief."}]),
        ([], [IDENTITY]),
        ([BILLING], [BILLING, IDENTITY]),
        ([{"type": "text", "text": "Mine"}], [IDENTITY, {"type": "text", "text": "Mine"}]),
        (
            [BILLING, BILLING, {"type": "text", "text": "Mine"}],
            [BILLING, BILLING, IDENTITY, {"type": "text", "text": "Mine"}],
        ),
        ([{"type": "image"}], [IDENTITY, {"type": "image"}]),
    ],
)
def test_identity_inserted(system: object, expected: list[object]) -> None:
    assert identity_system(system) == expected


@pytest.mark.parametrize(
    "system",
    [
        [IDENTITY],
        [BILLING, {**IDENTITY, "cache_control": {"type": "ephemeral", "ttl": "1h"}}],
        [BILLING, SDK, {"type": "text", "text": "more"}],
        [{"type": "text", "text": "  \n" + IDENTITY_TEXT + " Extra."}],
        {"not": "a list"},
        42,
    ],
)
def test_identity_left_alone(system: object) -> None:
    assert identity_system(system) is None


def test_identity_later_in_the_list_does_not_count() -> None:
    system = [{"type": "text", "text": "Mine"}, IDENTITY]
    assert identity_system(system) == [IDENTITY, *system]


def test_prepare_body_keeps_bytes_when_nothing_changes() -> None:
    raw = b'{"system": [{"type": "text", "text": "%s"}],  "x": 1.50}' % IDENTITY_TEXT.encode()
    assert prepare_body(raw, json.loads(raw)) is raw
    assert prepare_body(raw, json.loads(raw), model=None) is raw


def prepared(raw: bytes, model: str | None = None) -> bytes:
    return prepare_body(raw, json.loads(raw), model)


def test_prepare_body_changes_only_system_and_keeps_order() -> None:
    raw = json.dumps(
        {"z": 1, "system": "s", "a": [None, 1.5, "é"], "model": "m"}, ensure_ascii=False
    ).encode()
    out = json.loads(prepared(raw))
    assert list(out) == ["z", "system", "a", "model"]
    assert out["a"] == [None, 1.5, "é"]
    assert "é".encode() in prepared(raw)


def test_prepare_body_renames_the_model_when_told() -> None:
    raw = (
        b'{"model": "gpt-4o", "system": [{"type": "text", "text": "%s"}]}' % IDENTITY_TEXT.encode()
    )
    assert json.loads(prepared(raw, "claude-sonnet-5-5"))["model"] == "claude-sonnet-5-5"
    assert prepared(raw, "gpt-4o") == raw


def test_prepare_body_survives_lone_surrogates() -> None:
    out = prepared(b'{"messages": [{"role": "user", "content": "\\ud800"}]}')
    assert json.loads(out)["messages"][0]["content"] == "\ud800"


def test_merge_betas() -> None:
    assert merge_betas([]) == "oauth-2025-04-20,claude-code-20250219"
    assert (
        merge_betas([" a , b,,a", "claude-code-20250219, c"])
        == "a,b,claude-code-20250219,c,oauth-2025-04-20"
    )
    claude_code = (
        "claude-code-20250219,oauth-2025-04-20,interleaved-thinking-2025-05-14,effort-2025-11-24"
    )
    assert merge_betas([claude_code]) == claude_code


def test_upstream_headers_drop_and_replace() -> None:
    client = [
        (b"host", b"127.0.0.1:8000"),
        (b"connection", b"keep-alive, x-secret-hop"),
        (b"x-secret-hop", b"1"),
        (b"keep-alive", b"timeout=5"),
        (b"authorization", b"Bearer client"),
        (b"x-api-key", b"client"),
        (b"content-length", b"12"),
        (b"accept-encoding", b"gzip"),
        (b"content-type", b"text/plain"),
        (b"x-forwarded-for", b"1.2.3.4"),
        (b"origin", b"http://evil"),
        (b"anthropic-dangerous-direct-browser-access", b"true"),
        (b"x-claude-code-session-id", b"abc"),
        (b"accept", b"text/event-stream"),
    ]
    headers = dict(upstream_headers(client, "tok"))
    assert headers == {
        "anthropic-dangerous-direct-browser-access": "true",
        "x-claude-code-session-id": "abc",
        "accept": "text/event-stream",
        "authorization": "Bearer tok",
        "anthropic-version": "2023-06-01",
        "anthropic-beta": "oauth-2025-04-20,claude-code-20250219",
        "content-type": "application/json",
    }
    assert dict(upstream_headers([], "t"))["accept"] == "application/json"
