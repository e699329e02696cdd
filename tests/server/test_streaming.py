"""Streams through /api/v1/messages: forwarded event by event, never buffered, never left broken."""

from __future__ import annotations

import json
import time

import httpx

from tests.fakes.anthropic_api import FakeAnthropic


def stream_body(model: str) -> dict[str, object]:
    return {
        "model": model,
        "max_tokens": 5,
        "stream": True,
        "messages": [{"role": "user", "content": "hi"}],
    }


def events_of(raw: bytes) -> list[tuple[str, dict[str, object]]]:
    events = []
    for frame in raw.decode().split("\n\n"):
        if not frame.strip():
            continue
        fields = dict(line.split(": ", 1) for line in frame.splitlines())
        events.append((fields["event"], json.loads(fields["data"])))
    return events


def test_stream_arrives_whole_and_in_order(proxy: str) -> None:
    response = httpx.post(
        f"{proxy}/api/v1/messages", json=stream_body("claude-sonnet-5"), timeout=10
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["cache-control"] == "no-cache"
    names = [name for name, _ in events_of(response.content)]
    assert names == [
        "message_start",
        "content_block_start",
        "ping",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]


def test_events_reach_the_client_before_the_upstream_finishes(
    proxy: str, anthropic_fake: FakeAnthropic
) -> None:
    # The fake holds the rest of the stream until the gate opens; a buffering proxy would deliver
    # nothing before that, and the read below would time out.
    with httpx.stream(
        "POST", f"{proxy}/api/v1/messages", json=stream_body("fake-gated-stream"), timeout=10
    ) as response:
        chunks = response.iter_raw()
        first = next(chunks)
        assert first.startswith(b"event: message_start\n")
        assert not anthropic_fake.gate.is_set()
        anthropic_fake.gate.set()
        rest = b"".join(chunks)
    assert [name for name, _ in events_of(first + rest)][-1] == "message_stop"


def test_cut_stream_ends_with_an_error_event_and_no_partial_event(proxy: str) -> None:
    response = httpx.post(
        f"{proxy}/api/v1/messages", json=stream_body("fake-cut-stream"), timeout=10
    )
    assert response.status_code == 200
    assert b'{"type":"content_blo' not in response.content  # the half event the fake sent
    events = events_of(response.content)  # every frame parses
    assert [name for name, _ in events][:4] == [
        "message_start",
        "content_block_start",
        "ping",
        "content_block_delta",
    ]
    name, data = events[-1]
    assert name == "error"
    assert data["type"] == "error"
    assert data["error"]["type"] == "api_error"  # type: ignore[index]
    assert "127.0.0.1" in data["error"]["message"]  # type: ignore[index]


def test_upstream_error_event_passes_through(proxy: str) -> None:
    response = httpx.post(
        f"{proxy}/api/v1/messages", json=stream_body("fake-stream-error"), timeout=10
    )
    events = events_of(response.content)
    assert events[-1] == (
        "error",
        {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
    )


def test_client_leaving_closes_the_upstream_stream(
    proxy: str, anthropic_fake: FakeAnthropic
) -> None:
    with httpx.stream(
        "POST", f"{proxy}/api/v1/messages", json=stream_body("fake-gated-stream"), timeout=10
    ) as response:
        assert next(response.iter_raw()).startswith(b"event: message_start")
    # The client is gone; the proxy must drop its upstream stream rather than wait it out.
    deadline = time.monotonic() + 10
    while anthropic_fake.abandoned_streams == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert anthropic_fake.abandoned_streams == 1
