"""The opt-in retry of an overloaded upstream: off by default (the 529 and its `retry-after`
reach the client unchanged), else the request is sent again before anything reached the client."""

from __future__ import annotations

from typing import Any

import anthropic
import httpx
import openai
import pytest

from tests.conftest import ProxyFactory
from tests.fakes.anthropic_api import FakeAnthropic
from tests.fakes.chatgpt_backend import FakeChatGPT

ASK = {"model": "claude-sonnet-5-5", "max_tokens": 5,
       "messages": [{"role": "user", "content": "hi"}]}  # fmt: skip


def test_off_by_default_the_529_and_its_retry_after_pass(
    proxy: str, anthropic_fake: FakeAnthropic
) -> None:
    anthropic_fake.overloads = 1
    answer = httpx.post(proxy + "/api/v1/messages", json=ASK, timeout=10)
    assert answer.status_code == 529 and answer.headers["retry-after"] == "0"
    assert answer.json()["error"]["type"] == "overloaded_error"
    assert len(anthropic_fake.message_requests()) == 1


@pytest.mark.parametrize("stream", [False, True])
def test_retries_until_the_upstream_answers(
    start_proxy: ProxyFactory, logged_in: tuple[str, str], anthropic_fake: FakeAnthropic,
    stream: bool,
) -> None:  # fmt: skip
    proxy = start_proxy(claude={"overload_retries": 2})
    anthropic_fake.overloads = 2
    client = anthropic.Anthropic(base_url=proxy + "/api", api_key="d", max_retries=0)
    with client:
        if stream:
            with client.messages.stream(**ASK) as events:  # type: ignore[arg-type]
                text = events.get_final_text()
        else:
            text = client.messages.create(**ASK).content[0].text  # type: ignore[call-overload, union-attr]
    assert text
    assert len(anthropic_fake.message_requests()) == 3


def test_gives_up_after_its_retries(
    start_proxy: ProxyFactory, logged_in: tuple[str, str], anthropic_fake: FakeAnthropic
) -> None:
    proxy = start_proxy(claude={"overload_retries": 1})
    anthropic_fake.overloads = 5
    answer = httpx.post(proxy + "/api/v1/messages", json=ASK, timeout=10)
    assert answer.status_code == 529
    assert len(anthropic_fake.message_requests()) == 2


def test_codex_retries_a_503(
    start_codex_proxy: ProxyFactory, codex_auth: dict[str, Any], chatgpt_fake: FakeChatGPT
) -> None:
    proxy = start_codex_proxy(codex={"overload_retries": 1})
    chatgpt_fake.overloads = 1
    with openai.OpenAI(base_url=proxy + "/codex/v1", api_key="d", max_retries=0) as client:
        answer = client.responses.create(model="gpt-5.4", input="hi")
    assert answer.output_text
    assert len(chatgpt_fake.bodies()) == 2
