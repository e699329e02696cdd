"""/codex over HTTP: what reaches the ChatGPT backend, and what the client gets back."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.conftest import CODEX_PROMPT, ProxyFactory
from tests.fakes.chatgpt_backend import FakeChatGPT
from tests.fakes.chatgpt_script import REPLY
from tests.fakes.openai_oauth import ACCOUNT_ID


def post(url: str, body: dict[str, Any], **headers: str) -> httpx.Response:
    return httpx.post(url, json=body, headers=headers, timeout=20)


def events(response: httpx.Response) -> list[dict[str, Any]]:
    return [
        json.loads(line[6:])
        for line in response.text.splitlines()
        if line.startswith("data: ") and line != "data: [DONE]"
    ]


def conversation(first: str, *later: str) -> list[dict[str, Any]]:
    turns: list[dict[str, Any]] = [{"role": "user", "content": first}]
    for text in later:
        turns += [{"role": "assistant", "content": "ok"}, {"role": "user", "content": text}]
    return turns


def test_what_the_backend_receives(codex_proxy: str, chatgpt_fake: FakeChatGPT) -> None:
    body = {
        "model": "gpt-5.4",
        "instructions": "Answer in French.",
        "input": [
            {"role": "system", "content": "x-anthropic-billing-header: cc_version=1\nBe brief."},
            {"role": "user", "content": "hi"},
        ],
        "temperature": 0.3,
        "max_output_tokens": 50,
        "store": True,
    }
    reply = post(codex_proxy + "/codex/v1/responses", body, authorization="Bearer sk-client")
    assert reply.status_code == 200, reply.text
    assert reply.json()["output"][0]["content"][0]["text"] == REPLY
    sent = chatgpt_fake.bodies()[-1]
    assert sent["stream"] is True and sent["store"] is False
    assert not {"temperature", "max_output_tokens"} & sent.keys()
    assert sent["instructions"] == f"{CODEX_PROMPT}\n\nAnswer in French.\n\nBe brief."
    assert sent["input"] == [{"type": "message", "role": "user", "content": "hi"}]
    assert "tools" not in sent
    request = chatgpt_fake.requests[-1]
    assert request.header("authorization") != "Bearer sk-client"
    assert request.header("chatgpt-account-id") == ACCOUNT_ID
    assert request.header("session_id") == request.header("conversation_id")
    assert sent["prompt_cache_key"] == request.header("session_id")


def test_one_conversation_keeps_one_session_and_a_new_one_gets_another(
    codex_proxy: str, chatgpt_fake: FakeChatGPT
) -> None:
    url = codex_proxy + "/codex/responses"
    for turns in (conversation("a"), conversation("a", "b"), conversation("other")):
        assert post(url, {"model": "gpt-5.4", "input": turns}).status_code == 200
    sessions = [r.header("session_id") for r in chatgpt_fake.requests]
    keys = [b["prompt_cache_key"] for b in chatgpt_fake.bodies()]
    assert sessions[0] == sessions[1] != sessions[2]
    assert keys == sessions


def test_the_session_of_the_path_or_the_header_is_used(
    codex_proxy: str, chatgpt_fake: FakeChatGPT
) -> None:
    body = {"model": "gpt-5.4", "input": "hi"}
    assert post(codex_proxy + "/codex/my-session-1/responses", body).status_code == 200
    assert post(codex_proxy + "/codex/responses", body, session_id="from-header").status_code == 200
    sessions = [r.header("session_id") for r in chatgpt_fake.requests]
    assert sessions == ["my-session-1", "from-header"]
    assert chatgpt_fake.bodies()[0]["prompt_cache_key"] == "my-session-1"


def test_a_chat_style_messages_body_is_accepted(
    codex_proxy: str, chatgpt_fake: FakeChatGPT
) -> None:
    body = {
        "model": "gpt-5.4",
        "messages": [{"role": "system", "content": "Short."}, {"role": "user", "content": "hi"}],
        "stream": True,
    }
    reply = post(codex_proxy + "/codex/responses", body)
    assert reply.status_code == 200 and "text/event-stream" in reply.headers["content-type"]
    assert events(reply)[-1]["type"] == "response.completed"
    sent = chatgpt_fake.bodies()[-1]
    assert "messages" not in sent and sent["instructions"].endswith("\n\nShort.")


def test_claude_names_are_mapped_and_the_mapping_is_reported(
    codex_proxy: str, chatgpt_fake: FakeChatGPT
) -> None:
    mapped = post(codex_proxy + "/codex/responses", {"model": "claude-sonnet-4-5", "input": "hi"})
    assert mapped.status_code == 200 and mapped.headers["x-ccproxy-model"] == "gpt-5.4"
    chat = {"model": "gpt-5.4-mini", "messages": [{"role": "user", "content": "hi"}]}
    kept = post(codex_proxy + "/codex/v1/chat/completions", chat)
    assert kept.status_code == 200 and "x-ccproxy-model" not in kept.headers
    assert [b["model"] for b in chatgpt_fake.bodies()] == ["gpt-5.4", "gpt-5.4-mini"]


def test_client_credentials_and_cookies_stay_here(
    codex_proxy: str, chatgpt_fake: FakeChatGPT
) -> None:
    reply = post(
        codex_proxy + "/codex/responses",
        {"model": "gpt-5.4", "input": "hi"},
        authorization="Bearer sk-client-secret",
        cookie="session=client-cookie",
        **{"openai-organization": "org-1", "x-client-request-id": "req-42"},
    )
    assert reply.status_code == 200
    request = chatgpt_fake.requests[-1]
    names = {name for name, _ in request.headers}
    assert not {"cookie", "openai-organization", "x-api-key"} & names
    assert request.header("authorization") != "Bearer sk-client-secret"
    assert request.header("x-client-request-id") == "req-42"
    assert "set-cookie" not in reply.headers


def test_upstream_usage_limit_keeps_status_retry_after_and_limits(
    codex_proxy: str, chatgpt_fake: FakeChatGPT
) -> None:
    reply = post(codex_proxy + "/codex/responses", {"model": "fake-usage-limit", "input": "hi"})
    assert reply.status_code == 429 and reply.headers["retry-after"] == "3600"
    assert reply.headers["x-codex-primary-used-percent"] == "100"
    error = reply.json()["error"]
    assert error["type"] == "usage_limit_reached" and "usage limit" in error["message"]
    assert error["resets_in_seconds"] == 3600
    limits = httpx.get(codex_proxy + "/codex/status").json()["usage_limits"]
    assert limits["primary_used_percent"] == 100 and limits["rate_limit_reached_type"] == "primary"


def test_upstream_detail_errors_keep_their_status(codex_proxy: str) -> None:
    reply = post(codex_proxy + "/codex/responses", {"model": "gpt-4o", "input": "hi"})
    assert reply.status_code == 400
    error = reply.json()["error"]
    assert error["message"].startswith("The 'gpt-4o' model is not supported")
    assert error["type"] == "invalid_request_error"
    chat = post(
        codex_proxy + "/codex/chat/completions",
        {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]},
    )
    assert chat.status_code == 400 and "not supported" in chat.json()["error"]["message"]


def test_client_mistakes_are_400_in_the_openai_envelope(
    codex_proxy: str, chatgpt_fake: FakeChatGPT
) -> None:
    url = codex_proxy + "/codex/responses"
    stateful = post(url, {"model": "gpt-5.4", "input": "hi", "previous_response_id": "resp_1"})
    assert stateful.status_code == 400 and "previous_response_id" in stateful.text
    broken = httpx.post(url, content=b"{not json", timeout=10)
    assert broken.status_code == 400 and broken.json()["error"]["type"] == "invalid_request_error"
    no_model = post(url, {"input": "hi"})
    assert no_model.status_code == 400 and no_model.json()["error"]["param"] == "model"
    chat = post(
        codex_proxy + "/codex/chat/completions",
        {"model": "gpt-5.4", "messages": [{"role": "user", "content": "hi"}], "logprobs": True},
    )
    assert chat.status_code == 400 and chat.json()["error"]["param"] == "logprobs"
    assert chatgpt_fake.requests == []


def test_a_stream_cut_mid_way_ends_with_response_failed(codex_proxy: str) -> None:
    body = {"model": "fake-cut-stream", "input": "hi", "stream": True}
    reply = post(codex_proxy + "/codex/responses", body)
    sent = events(reply)
    assert [e["type"] for e in sent[-2:]] == ["error", "response.failed"]
    assert sent[-1]["response"]["status"] == "failed"
    numbers = [e["sequence_number"] for e in sent]
    assert numbers == list(range(len(numbers)))
    assert not any(e["type"] == "response.completed" for e in sent)


def test_a_stream_cut_mid_way_ends_chat_with_an_error_chunk(codex_proxy: str) -> None:
    body = {"model": "fake-cut-stream", "messages": [{"role": "user", "content": "hi"}]}
    reply = post(codex_proxy + "/codex/chat/completions", {**body, "stream": True})
    assert "error" in events(reply)[-1] and "data: [DONE]" not in reply.text
    plain = post(codex_proxy + "/codex/chat/completions", body)
    assert plain.status_code == 502 and plain.json()["error"]["type"] == "server_error"


def test_a_cut_or_failed_stream_is_an_error_for_a_non_streaming_client(codex_proxy: str) -> None:
    cut = post(codex_proxy + "/codex/responses", {"model": "fake-cut-stream", "input": "hi"})
    assert cut.status_code == 502 and "cut off" in cut.json()["error"]["message"]
    failed = post(codex_proxy + "/codex/responses", {"model": "fake-failed", "input": "hi"})
    assert failed.status_code == 502
    assert failed.json()["error"]["message"] == "The model failed to answer."


def test_a_stream_without_a_final_event(codex_proxy: str) -> None:
    body = {"model": "fake-no-completed", "input": "hi"}
    plain = post(codex_proxy + "/codex/responses", body)
    assert plain.status_code == 200
    assert plain.json()["status"] == "incomplete"
    assert plain.json()["output"][0]["content"][0]["text"] == REPLY
    streamed = events(post(codex_proxy + "/codex/responses", {**body, "stream": True}))
    assert streamed[-1]["type"] == "response.failed"


def test_sparse_final_responses_are_rebuilt_from_the_items(codex_proxy: str) -> None:
    for model in ("fake-sparse-completed", "fake-dict-output", "fake-data-only"):
        reply = post(codex_proxy + "/codex/responses", {"model": model, "input": "hi"})
        assert reply.status_code == 200, (model, reply.text)
        final = reply.json()
        assert final["status"] == "completed" and final["usage"]["total_tokens"] == 42
        assert [item["type"] for item in final["output"]] == ["message"], model
        assert final["output"][0]["content"][0]["text"] == REPLY
        chat = post(
            codex_proxy + "/codex/chat/completions",
            {"model": model, "messages": [{"role": "user", "content": "hi"}]},
        )
        assert chat.json()["choices"][0]["message"]["content"] == REPLY, model


def test_data_only_frames_are_passed_through(codex_proxy: str) -> None:
    body = {"model": "fake-data-only", "input": "hi", "stream": True}
    sent = events(post(codex_proxy + "/codex/responses", body))
    assert sent[-1]["type"] == "response.completed"
    text = "".join(e["delta"] for e in sent if e["type"] == "response.output_text.delta")
    assert text == REPLY


def test_models_are_listed(codex_proxy: str) -> None:
    for path in ("/codex/v1/models", "/codex/models"):
        listed = httpx.get(codex_proxy + path).json()
        assert listed["object"] == "list"
        assert {"gpt-5.4", "gpt-5.3-codex"} <= {m["id"] for m in listed["data"]}
    assert httpx.get(codex_proxy + "/codex/v1/models/gpt-5.4").json()["id"] == "gpt-5.4"
    missing = httpx.get(codex_proxy + "/codex/v1/models/gpt-1")
    assert missing.status_code == 404 and "error" in missing.json()


def test_disabled_codex_answers_404_naming_the_command(
    start_codex_proxy: ProxyFactory, chatgpt_fake: FakeChatGPT
) -> None:
    proxy = start_codex_proxy(codex={"enabled": False})
    for method, path in [("POST", "/codex/responses"), ("GET", "/codex/v1/models")]:
        reply = httpx.request(method, proxy + path, json={"model": "gpt-5.4", "input": "hi"})
        assert reply.status_code == 404
        assert "ccproxy config codex --enable" in reply.json()["error"]["message"]
    assert httpx.get(proxy + "/health").json()["providers"]["codex"] == "disabled"
    assert chatgpt_fake.requests == []


def test_without_a_codex_login_the_client_is_told_how_to_log_in(
    start_codex_proxy: ProxyFactory, chatgpt_fake: FakeChatGPT
) -> None:
    proxy = start_codex_proxy()
    reply = post(proxy + "/codex/responses", {"model": "gpt-5.4", "input": "hi"})
    assert reply.status_code == 401
    assert "ccproxy auth login-openai" in reply.json()["error"]["message"]
    assert chatgpt_fake.requests == []


def test_without_a_prompt_the_client_instructions_go_alone(
    start_codex_proxy: ProxyFactory, codex_auth: dict[str, Any], chatgpt_fake: FakeChatGPT
) -> None:
    proxy = start_codex_proxy(codex={"instructions_file": None})
    body = {"model": "gpt-5.4", "instructions": "Mine.", "input": "hi"}
    assert post(proxy + "/codex/responses", body).status_code == 200
    assert chatgpt_fake.bodies()[-1]["instructions"] == "Mine."
    described = httpx.get(proxy + "/codex/status").json()["instructions"]
    assert described["source"] == "none" and "CODEX__CLI_PATH" in described["error"]


def test_session_ids_that_cannot_be_header_values_are_refused(
    codex_proxy: str, chatgpt_fake: FakeChatGPT
) -> None:
    body = {"model": "gpt-5.4", "input": "hi"}
    for path in ("/codex/a%0D%0Ax-injected:%201/responses", "/codex/a%20b/responses"):
        reply = post(codex_proxy + path, body)
        assert reply.status_code == 400, path
        assert reply.json()["error"]["param"] == "session_id"
    long = post(codex_proxy + "/codex/responses", body, session_id="s" * 300)
    assert long.status_code == 400
    assert chatgpt_fake.requests == []
