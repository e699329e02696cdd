"""Several ChatGPT logins: a login at its usage limit hands the request to the next one, and the
conversation stays on the login that answered it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import openai

from tests.conftest import ProxyFactory
from tests.fakes.chatgpt_backend import FakeChatGPT
from tests.fakes.openai_oauth import FakeOpenAIOAuth


def bearers(fake: FakeChatGPT) -> list[str]:
    return [(r.header("authorization") or "")[len("Bearer ") :] for r in fake.requests]


def test_a_login_at_its_usage_limit_hands_over(
    start_codex_proxy: ProxyFactory,
    chatgpt_fake: FakeChatGPT,
    openai_oauth: FakeOpenAIOAuth,
    codex_auth: dict[str, Any],
    isolated: Path,
) -> None:
    second_path = isolated / "second-codex" / "auth.json"
    second = openai_oauth.write_auth(second_path)
    proxy = start_codex_proxy(codex={"extra_auth_paths": [str(second_path)]})
    first_token, second_token = codex_auth["access_token"], second["access_token"]
    chatgpt_fake.limited[first_token] = "600"
    client = openai.OpenAI(base_url=proxy + "/codex/v1", api_key="d", max_retries=0)
    with client:
        reply = client.responses.create(model="gpt-5.4", input="hi", prompt_cache_key="conv-1")
        assert reply.output_text
        assert bearers(chatgpt_fake) == [first_token, second_token]
        client.responses.create(model="gpt-5.4", input="again", prompt_cache_key="conv-1")
    assert bearers(chatgpt_fake)[2:] == [second_token]
    accounts = httpx.get(proxy + "/codex/status", timeout=10).json()["accounts"]
    assert [a["credentials"]["path"] for a in accounts] == [
        str(isolated / ".codex" / "auth.json"),
        str(second_path),
    ]
    assert accounts[0]["cool_down_seconds"] is not None
    assert accounts[0]["usage_limits"]["primary_used_percent"] == 100
    assert accounts[1]["cool_down_seconds"] is None
    assert accounts[1]["usage_limits"]["primary_used_percent"] == 12.5


def test_every_login_at_its_limit_gives_the_usage_limit_error(
    start_codex_proxy: ProxyFactory,
    chatgpt_fake: FakeChatGPT,
    openai_oauth: FakeOpenAIOAuth,
    codex_auth: dict[str, Any],
    isolated: Path,
) -> None:
    second_path = isolated / "second-codex" / "auth.json"
    second = openai_oauth.write_auth(second_path)
    proxy = start_codex_proxy(codex={"extra_auth_paths": str(second_path)})
    chatgpt_fake.limited.update({codex_auth["access_token"]: "900", second["access_token"]: "300"})
    reply = httpx.post(
        proxy + "/codex/responses", json={"model": "gpt-5.4", "input": "hi"}, timeout=20
    )
    assert reply.status_code == 429 and reply.headers["retry-after"] == "300"
    assert reply.json()["error"]["type"] == "usage_limit_reached"
    assert len(chatgpt_fake.requests) == 2


def test_a_conversation_stays_while_new_ones_take_the_most_headroom(
    start_codex_proxy: ProxyFactory,
    chatgpt_fake: FakeChatGPT,
    openai_oauth: FakeOpenAIOAuth,
    codex_auth: dict[str, Any],
    isolated: Path,
) -> None:
    second_path = isolated / "second-codex" / "auth.json"
    second = openai_oauth.write_auth(second_path)
    proxy = start_codex_proxy(codex={"extra_auth_paths": [str(second_path)]})
    first_token, second_token = codex_auth["access_token"], second["access_token"]
    chatgpt_fake.limited[first_token] = "1"
    client = openai.OpenAI(base_url=proxy + "/codex/v1", api_key="d", max_retries=0)
    with client:
        client.responses.create(model="gpt-5.4", input="hi", prompt_cache_key="conv-1")
        del chatgpt_fake.limited[first_token]
        deadline = time.monotonic() + 30
        while httpx.get(proxy + "/codex/status").json()["accounts"][0]["cool_down_seconds"]:
            assert time.monotonic() < deadline, "the first login never came back"
            time.sleep(0.1)
        client.responses.create(model="gpt-5.4", input="again", prompt_cache_key="conv-1")
        # The second login has used 40 % (fake headers); the rested first counts as untouched.
        client.responses.create(model="gpt-5.4", input="new", prompt_cache_key="conv-2")
    assert bearers(chatgpt_fake) == [first_token, second_token, second_token, first_token]
