"""Which envelope each route family speaks."""

from __future__ import annotations

import json

import pytest

from ccproxy.server.envelopes import client_format, error_response


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/api/v1/messages", "anthropic"),
        ("/api/v1/messages/count_tokens", "anthropic"),
        ("/sdk/abc/v1/messages", "anthropic"),
        ("/codex/v1/messages", "anthropic"),
        ("/codex/messages", "anthropic"),
        ("/codex/s1/v1/messages", "anthropic"),
        ("/codex/messages/count_tokens", "anthropic"),
        ("/api/v1/models", "anthropic"),
        ("/api/v1/chat/completions", "openai"),
        ("/sdk/v1/chat/completions", "openai"),
        ("/codex/responses", "openai"),
        ("/codex/s1/responses", "openai"),
        ("/codex/models", "openai"),
        ("/health", "anthropic"),
    ],
)
def test_client_format(path: str, expected: str) -> None:
    assert client_format(path) == expected


def test_error_bodies() -> None:
    anthropic = error_response("/api/v1/messages", 502, "down", error_type="api_error")
    assert json.loads(anthropic.body) == {
        "type": "error",
        "error": {"type": "api_error", "message": "down"},
    }
    openai = error_response("/api/v1/chat/completions", 502, "down", error_type="api_error")
    assert json.loads(openai.body) == {
        "error": {"message": "down", "type": "server_error", "param": None, "code": None}
    }
    assert openai.status_code == 502
