"""Request bodies over SERVER__MAX_BODY_BYTES: a 413 in the route's envelope, whether the body
declares its length or comes in chunks, and nothing of it reaches the upstream."""

from __future__ import annotations

from collections.abc import Iterator

import anthropic
import httpx
import openai
import pytest

from tests.conftest import ProxyFactory
from tests.fakes.anthropic_api import FakeAnthropic

LIMIT = 4096
BIG = "x" * (2 * LIMIT)


@pytest.fixture
def limited(start_proxy: ProxyFactory, logged_in: tuple[str, str]) -> str:
    return start_proxy(server={"max_body_bytes": LIMIT})


def test_the_official_clients_get_413_in_their_own_shape(
    limited: str, anthropic_fake: FakeAnthropic
) -> None:
    before = len(anthropic_fake.requests)
    ask = {"model": "claude-sonnet-5-5", "max_tokens": 5,
           "messages": [{"role": "user", "content": BIG}]}  # fmt: skip
    client = anthropic.Anthropic(base_url=limited + "/api", api_key="d", max_retries=0)
    with client, pytest.raises(anthropic.APIStatusError) as refused:
        client.messages.create(**ask)  # type: ignore[call-overload]
    assert refused.value.status_code == 413
    assert refused.value.body["error"]["type"] == "request_too_large"  # type: ignore[index]
    assert "SERVER__MAX_BODY_BYTES" in refused.value.message
    chat = openai.OpenAI(base_url=limited + "/api/v1", api_key="d", max_retries=0)
    with chat, pytest.raises(openai.APIStatusError) as too_big:
        chat.chat.completions.create(model="claude-sonnet-5-5",
                                     messages=[{"role": "user", "content": BIG}])  # fmt: skip
    assert too_big.value.status_code == 413
    assert too_big.value.type == "invalid_request_error"
    assert len(anthropic_fake.requests) == before  # nothing went upstream


def test_a_chunked_body_is_cut_off_at_the_limit(limited: str) -> None:
    def chunks() -> Iterator[bytes]:  # no Content-Length: the proxy has to count
        yield b'{"model": "claude-sonnet-5-5", "max_tokens": 5, "messages": [{"role": "user", '
        for _ in range(8):
            yield b'"content": "' + b"y" * 1000 + b'", '
        yield b'"end": 1}]}'

    answer = httpx.post(limited + "/api/v1/chat/completions", content=chunks(), timeout=10)
    assert answer.request.headers["transfer-encoding"] == "chunked"
    assert answer.status_code == 413, answer.text
    assert answer.json()["error"]["type"] == "invalid_request_error"
    assert "SERVER__MAX_BODY_BYTES" in answer.json()["error"]["message"]


def test_a_body_under_the_limit_passes(limited: str) -> None:
    ask = {"model": "claude-sonnet-5-5", "max_tokens": 5,
           "messages": [{"role": "user", "content": "x" * 1000}]}  # fmt: skip
    assert httpx.post(limited + "/api/v1/messages", json=ask, timeout=10).status_code == 200
