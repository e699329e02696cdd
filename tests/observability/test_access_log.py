"""One access entry per request, from real clients through a live proxy: tokens from the
upstream's own usage, cost from the price table, the DuckDB log and its query API, and metrics."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import anthropic
import httpx
import pytest

from tests.conftest import ProxyFactory

# The fake's usage: 10 input, 3 cache read, 2 cache write, 5 output (claude-sonnet-5-5 prices:
# 2 / 10 / 0.1 / 2.5 USD per million tokens).
SONNET_COST = (10 * 2 + 5 * 10 + 3 * 0.1 + 2 * 2.5) / 1_000_000


@pytest.fixture
def observed(start_proxy: ProxyFactory, logged_in: tuple[str, str], isolated: Path) -> str:
    return start_proxy(observability={"metrics_enabled": True, "logs_enabled": True})


def rows(proxy: str, **params: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = httpx.get(proxy + "/logs/query", params=params).json()["data"]
    return found


def answer_stream_and_mistake(proxy: str) -> None:
    """Through the anthropic SDK: one plain answer, one stream, one client mistake (a 400)."""
    ask: Any = {"model": "claude-sonnet-5-5", "max_tokens": 50,
                "messages": [{"role": "user", "content": "hi"}]}  # fmt: skip
    client = anthropic.Anthropic(base_url=proxy + "/api", api_key="dummy", max_retries=0)
    with client:
        client.messages.create(**ask)
        with client.messages.stream(**ask) as stream:
            stream.until_done()
        with pytest.raises(anthropic.BadRequestError):
            client.messages.create(**{**ask, "messages": "nope"})


def test_each_request_is_one_row_with_its_tokens_and_cost(observed: str, isolated: Path) -> None:
    answer_stream_and_mistake(observed)
    found = rows(observed)
    assert len(found) == 3
    failed, streamed, plain = found  # newest first
    for row in (plain, streamed):
        assert (row["input_tokens"], row["output_tokens"], row["cache_read_tokens"],
                row["cache_write_tokens"]) == (10, 5, 3, 2)  # fmt: skip
        assert row["cost_usd"] == pytest.approx(SONNET_COST)
        assert row["provider"] == "claude_api" and row["model"] == "claude-sonnet-5-5"
        assert row["status_code"] == 200 and row["path"] == "/api/v1/messages"
        assert row["duration_ms"] > 0 and row["ttfb_ms"] is not None
    assert streamed["stream"] is True and plain["stream"] is False
    assert failed["status_code"] == 400 and failed["error_type"] == "invalid_request_error"
    assert failed["input_tokens"] == 0 and failed["cost_usd"] is None
    status = httpx.get(observed + "/logs/status").json()
    assert status["rows"] == 3 and status["size_bytes"] > 0
    assert (isolated / ".local/share/ccproxy/access_log.duckdb").stat().st_mode & 0o777 == 0o600
    assert (isolated / ".local/share/ccproxy").stat().st_mode & 0o777 == 0o700


def test_metrics_after_known_requests(observed: str) -> None:
    answer_stream_and_mistake(observed)
    text = httpx.get(observed + "/metrics").text
    series = 'model="claude-sonnet-5-5",provider="claude_api",route="/api/v1/messages"'
    assert f'ccproxy_requests_total{{{series},status="200"}} 2.0' in text
    assert f'ccproxy_requests_total{{{series},status="400"}} 1.0' in text
    assert ('ccproxy_errors_total{error_type="invalid_request_error",provider="claude_api"} 1.0'
            in text)  # fmt: skip
    assert 'ccproxy_tokens_total{type="input"} 20.0' in text
    assert 'ccproxy_tokens_total{type="output"} 10.0' in text
    assert 'ccproxy_tokens_total{type="cache_read"} 6.0' in text
    cost = next(line for line in text.splitlines() if line.startswith("ccproxy_cost_usd_total "))
    assert float(cost.split()[1]) == pytest.approx(2 * SONNET_COST)
    assert "ccproxy_in_flight_requests 0.0" in text
    duration = (
        'ccproxy_request_duration_seconds_count{provider="claude_api",route="/api/v1/messages"}'
    )
    assert f"{duration} 3.0" in text
    first_token = (
        'ccproxy_time_to_first_token_seconds_count{provider="claude_api",route="/api/v1/messages"}'
    )
    assert f"{first_token} 3.0" in text


def test_200_concurrent_requests_leave_200_rows(observed: str) -> None:
    body = {"model": "claude-sonnet-5-5", "max_tokens": 5,
            "messages": [{"role": "user", "content": "hi"}]}  # fmt: skip

    def send(n: int) -> int:
        stream = n % 2 == 0
        return httpx.post(observed + "/api/v1/messages", json={**body, "stream": stream},
                          timeout=60).status_code  # fmt: skip

    with ThreadPoolExecutor(32) as pool:
        assert set(pool.map(send, range(200))) == {200}
    found = rows(observed, limit=1000)
    assert len(found) == 200 and len({r["request_id"] for r in found}) == 200
    assert all(r["input_tokens"] == 10 and r["output_tokens"] == 5 for r in found)
    assert sum(r["cost_usd"] for r in found) == pytest.approx(200 * SONNET_COST)


def test_query_filters_and_cursor_pages(observed: str) -> None:
    for model in ("claude-sonnet-5-5", "claude-haiku-5-5", "claude-sonnet-5-5"):
        httpx.post(
            observed + "/api/v1/messages",
            json={"model": model, "max_tokens": 5, "messages": [{"role": "user", "content": "x"}]},
        )
    assert len(rows(observed, model="claude-haiku-5-5")) == 1
    first = httpx.get(observed + "/logs/query", params={"limit": 2}).json()
    assert len(first["data"]) == 2 and first["has_more"] is True
    second = httpx.get(observed + "/logs/query",
                       params={"limit": 2, "cursor": first["next_cursor"]}).json()  # fmt: skip
    assert len(second["data"]) == 1 and second["has_more"] is False
    ids = [r["request_id"] for r in first["data"] + second["data"]]
    assert len(set(ids)) == 3
    assert rows(observed, status="2xx", provider="claude_api", start="2000-01-01T00:00:00Z")
    assert rows(observed, end="2000-01-01T00:00:00Z") == []
    for bad in ({"limit": "0"}, {"status": "abc"}, {"cursor": "!!"}, {"start": "yesterday"}):
        answer = httpx.get(observed + "/logs/query", params=bad)
        assert answer.status_code == 400, bad


def test_the_stream_shows_new_entries(observed: str) -> None:
    with httpx.stream("GET", observed + "/logs/stream", timeout=30) as events:
        lines = events.iter_lines()
        assert next(lines) == "event: ping"
        httpx.post(observed + "/api/v1/messages", json={
            "model": "claude-sonnet-5-5", "max_tokens": 5,
            "messages": [{"role": "user", "content": "x"}]})  # fmt: skip
        for line in lines:
            if line.startswith("data: ") and "request_id" in line:
                entry = json.loads(line[6:])
                break
    assert entry["path"] == "/api/v1/messages" and entry["output_tokens"] == 5


def test_off_by_default(proxy: str) -> None:
    for path in ("/metrics", "/logs/status", "/logs/query"):
        assert httpx.get(proxy + path).status_code == 404


def test_headers_and_text_survive_the_log(observed: str) -> None:
    """Whatever a client puts in a model name or user agent comes back from the log as sent,
    and the recording middleware keeps ServerTiming's header beside its own."""
    nasty = 'claude-sonnet-5-5,"quoted"\nnext line'
    answer = httpx.post(
        observed + "/api/v1/messages",
        headers={"user-agent": 'agent "x", y/1.0'},
        json={"model": nasty, "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]},
    )
    assert answer.headers["server-timing"].startswith("proxy;dur=")
    request_id = answer.headers["x-ccproxy-request-id"]
    (row,) = rows(observed)
    assert row["request_id"] == request_id
    assert row["model_requested"] == nasty
    assert row["user_agent"] == 'agent "x", y/1.0'
