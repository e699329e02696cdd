"""The root routes (`/v1/...`): one base URL for every provider, chosen by model name through
SERVER__MODEL_ROUTES, with the official SDKs as clients."""

from __future__ import annotations

from typing import Any

import anthropic
import httpx
import openai
import pytest

from tests.conftest import ProxyFactory
from tests.fakes.anthropic_api import FakeAnthropic
from tests.fakes.anthropic_script import REPLY as CLAUDE_REPLY
from tests.fakes.chatgpt_backend import FakeChatGPT
from tests.fakes.chatgpt_script import REPLY as CODEX_REPLY

HI = [{"role": "user", "content": "hi"}]


@pytest.fixture
def both(
    start_codex_proxy: ProxyFactory, codex_auth: dict[str, Any], logged_in: tuple[str, str]
) -> str:
    """A proxy with the Claude API and Codex both logged in."""
    return start_codex_proxy()


def test_anthropic_sdk_at_the_root_reaches_claude(both: str, anthropic_fake: FakeAnthropic) -> None:
    client = anthropic.Anthropic(base_url=both, api_key="dummy", max_retries=0)
    reply = client.messages.create(model="claude-sonnet-5-5", max_tokens=20, messages=HI)
    assert reply.content[0].text == CLAUDE_REPLY
    with client.messages.stream(model="claude-sonnet-5-5", max_tokens=20, messages=HI) as stream:
        assert "".join(stream.text_stream) == CLAUDE_REPLY
    counted = client.messages.count_tokens(model="claude-sonnet-5-5", messages=HI)
    assert counted.input_tokens > 0
    assert len(anthropic_fake.message_requests()) == 2


def test_openai_sdk_at_the_root_picks_the_provider_by_model(
    both: str, anthropic_fake: FakeAnthropic, chatgpt_fake: FakeChatGPT
) -> None:
    client = openai.OpenAI(base_url=both + "/v1", api_key="dummy", max_retries=0)
    claude = client.chat.completions.create(model="claude-sonnet-5-5", messages=HI)
    assert claude.choices[0].message.content == CLAUDE_REPLY
    assert len(anthropic_fake.message_requests()) == 1 and chatgpt_fake.bodies() == []
    codex = client.chat.completions.create(model="gpt-5.4", messages=HI)
    assert CODEX_REPLY in (codex.choices[0].message.content or "")
    streamed = client.responses.create(model="gpt-5.4", input="hi", stream=True)
    done = [event for event in streamed if event.type == "response.completed"]
    assert len(done) == 1 and done[0].response.output_text == CODEX_REPLY
    assert [body["model"] for body in chatgpt_fake.bodies()] == ["gpt-5.4", "gpt-5.4"]
    assert len(anthropic_fake.message_requests()) == 1


def test_the_root_model_list_has_every_provider(both: str) -> None:
    listed = {model.id for model in openai.OpenAI(base_url=both + "/v1", api_key="d").models.list()}
    assert "gpt-5.4" in listed and any(name.startswith("claude-") for name in listed)
    via_anthropic = anthropic.Anthropic(base_url=both, api_key="d").models.list()
    assert {model.id for model in via_anthropic} == listed


def test_a_routing_table_of_your_own(
    start_codex_proxy: ProxyFactory,
    codex_auth: dict[str, Any],
    logged_in: tuple[str, str],
    chatgpt_fake: FakeChatGPT,
) -> None:
    proxy = start_codex_proxy(
        server={"model_routes": {"team-*": "codex"}, "default_provider": ""},
        codex={"model_map": {"team-*": "gpt-5.4"}},
    )
    routed = httpx.post(
        proxy + "/v1/chat/completions", json={"model": "team-fast", "messages": HI}, timeout=30
    )
    assert routed.status_code == 200, routed.text
    assert chatgpt_fake.bodies()[-1]["model"] == "gpt-5.4"  # Codex's own model map
    assert routed.headers["x-ccproxy-model"] == "gpt-5.4"
    unknown = httpx.post(
        proxy + "/v1/chat/completions", json={"model": "claude-sonnet-5-5", "messages": HI}
    )
    assert unknown.status_code == 400
    error = unknown.json()["error"]
    assert error["param"] == "model" and "SERVER__MODEL_ROUTES" in error["message"]


@pytest.mark.parametrize(
    ("path", "body", "envelope"),
    [
        ("/v1/messages", {"max_tokens": 5, "messages": HI}, "anthropic"),
        ("/v1/chat/completions", {"messages": HI}, "openai"),
        ("/v1/responses", {"model": 5, "input": "hi"}, "openai"),
        ("/v1/messages", b"{not json", "anthropic"),
    ],
)
def test_a_request_without_a_usable_model_is_a_400_in_its_envelope(
    both: str, path: str, body: dict[str, Any] | bytes, envelope: str
) -> None:
    if isinstance(body, bytes):
        answer = httpx.post(both + path, content=body, timeout=10)
    else:
        answer = httpx.post(both + path, json=body, timeout=10)
    assert answer.status_code == 400
    if envelope == "anthropic":
        assert answer.json()["type"] == "error"
    assert answer.json()["error"]["type"] == "invalid_request_error"


def test_anthropic_sdk_at_the_root_reaches_codex_by_model(
    both: str, anthropic_fake: FakeAnthropic, chatgpt_fake: FakeChatGPT
) -> None:
    client = anthropic.Anthropic(base_url=both, api_key="dummy", max_retries=0)
    reply = client.messages.create(model="gpt-5.4", max_tokens=20, messages=HI)
    assert reply.content[-1].text == CODEX_REPLY
    assert [body["model"] for body in chatgpt_fake.bodies()] == ["gpt-5.4"]
    assert client.messages.count_tokens(model="gpt-5.4", messages=HI).input_tokens > 0
    assert anthropic_fake.message_requests() == []


def test_openai_responses_at_the_root_reaches_claude_by_model(
    both: str, anthropic_fake: FakeAnthropic, chatgpt_fake: FakeChatGPT
) -> None:
    client = openai.OpenAI(base_url=both + "/v1", api_key="dummy", max_retries=0)
    reply = client.responses.create(model="claude-sonnet-5-5", input="hi")
    assert reply.output_text == CLAUDE_REPLY
    assert len(anthropic_fake.message_requests()) == 1 and chatgpt_fake.bodies() == []
