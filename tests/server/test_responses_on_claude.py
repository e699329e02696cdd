"""/api/v1/responses over HTTP: bad input in OpenAI's envelope, upstream errors before and after
the stream starts, the access log's entries."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from ccproxy.formats import sse
from tests.conftest import ProxyFactory
from tests.fakes.anthropic_api import FakeAnthropic
from tests.observability.test_providers_logged import rows


def _events(raw: bytes) -> list[dict[str, Any]]:
    events = sse.Decoder().feed(raw) + sse.Decoder().finish()
    return [json.loads(event.data) for event in events]


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"input": "hi"}, "model"),
        ({"model": "gpt-5.4"}, "input"),
        ({"model": "m", "input": "hi", "previous_response_id": "r"}, "previous_response_id"),
        ({"model": "gpt-5.4", "input": "hi", "background": True}, "background"),
        ({"model": "gpt-5.4", "input": [{"type": "item_reference", "id": "x"}]}, "input.0.type"),
        ({"model": "gpt-5.4", "input": "hi", "reasoning": {"effort": ["x"]}}, "reasoning.effort"),
        ({"model": "gpt-5.4", "input": [{"type": "reasoning", "encrypted_content": "s",
                                         "summary": [{"text": 3}]}, 5]}, "input.1"),
        ({"model": "gpt-5.4", "input": "hi", "max_output_tokens": "many"}, None),
        ({"model": "gpt-5.4", "input": "hi", "stream": "true"}, "stream"),
    ],
)  # fmt: skip
def test_bad_requests_get_a_400_in_openais_envelope(
    proxy: str, body: dict[str, Any], param: str | None
) -> None:
    answer = httpx.post(f"{proxy}/api/v1/responses", json=body, timeout=10)
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["type"] == "invalid_request_error" and error["param"] == param
    assert "max_completion_tokens" not in error["message"]


def test_an_upstream_error_keeps_its_status_in_openais_envelope(proxy: str) -> None:
    answer = httpx.post(
        f"{proxy}/api/v1/responses", json={"model": "fake-rate-limited", "input": "hi"}, timeout=10
    )
    assert answer.status_code == 429
    assert answer.json()["error"]["code"] == "rate_limit_exceeded"


@pytest.mark.parametrize("model", ["fake-stream-error", "fake-cut-stream"])
def test_a_stream_that_breaks_ends_with_error_and_response_failed(proxy: str, model: str) -> None:
    body = {"model": model, "input": "hi", "stream": True}
    answer = httpx.post(f"{proxy}/api/v1/responses", json=body, timeout=10)
    assert answer.status_code == 200
    events = _events(answer.content)
    assert [e["sequence_number"] for e in events] == list(range(len(events)))
    assert events[0]["type"] == "response.created"
    error, failed = events[-2:]
    assert error["type"] == "error" and failed["type"] == "response.failed"
    assert failed["response"]["status"] == "failed"
    assert failed["response"]["error"]["message"] == error["message"]


def test_the_access_log_counts_responses_clients_on_claude(
    start_proxy: ProxyFactory, logged_in: tuple[str, str]
) -> None:
    proxy = start_proxy(observability={"metrics_enabled": True, "logs_enabled": True})
    for stream in (False, True):
        body = {"model": "gpt-5.4", "input": "hi", "stream": stream}
        assert httpx.post(f"{proxy}/api/v1/responses", json=body, timeout=10).status_code == 200
    found = rows(proxy)
    assert [r["client_format"] for r in found] == ["openai_responses"] * 2
    for row in found:  # the fake's usage, read from the Anthropic answer: 10 + 3 read + 2 written
        assert row["provider"] == "claude_api" and row["model"] == "claude-sonnet-5-5"
        assert row["model_requested"] == "gpt-5.4" and row["cache_write_tokens"] == 2
        assert (row["input_tokens"], row["cache_read_tokens"], row["output_tokens"]) == (10, 3, 5)


def test_a_tool_output_with_an_image_reaches_claude_inside_its_result(
    proxy: str, anthropic_fake: FakeAnthropic
) -> None:
    image = {
        "type": "input_image",
        "image_url": "data:image/png;base64,iVBORw0KGgo=",
        "detail": "auto",
    }
    tool = {"type": "function", "name": "screenshot", "parameters": None, "strict": False}
    history = [
        {"role": "user", "content": "Take a screenshot."},
        {"type": "function_call", "call_id": "call_1", "name": "screenshot", "arguments": ""},
        {"type": "function_call_output", "call_id": "call_1",
         "output": [{"type": "input_text", "text": "taken"}, image]},
    ]  # fmt: skip
    body = {"model": "gpt-5.4", "input": history, "tools": [tool]}
    answer = httpx.post(f"{proxy}/api/v1/responses", json=body, timeout=10)
    assert answer.status_code == 200, answer.text
    assert answer.json()["output"][0]["content"][0]["text"].startswith("Tool said: taken")
    (result,) = anthropic_fake.message_requests()[-1].json()["messages"][-1]["content"]
    assert [part["type"] for part in result["content"]] == ["text", "image"]
