"""Responses events -> Anthropic events: the cases the recorded streams do not show."""

from __future__ import annotations

import json
from typing import Any

from ccproxy.formats import sse
from ccproxy.formats.convert.anthropic_to_responses import Stream


def _events(frames: list[bytes]) -> list[dict[str, Any]]:
    decoder = sse.Decoder()
    found = decoder.feed(b"".join(frames)) + decoder.finish()
    return [json.loads(event.data) for event in found]


def test_a_reasoning_item_without_summary_text_opens_no_block() -> None:
    stream = Stream("msg_1", "gpt-5.4")
    frames = stream.feed("", {"type": "response.created", "response": {"model": "gpt-5.4"}})
    item = {"type": "reasoning", "id": "rs_1", "summary": []}
    added = {"type": "response.output_item.added", "output_index": 0, "item": item}
    frames += stream.feed("", added)
    frames += stream.feed(
        "", {"type": "response.output_item.done", "output_index": 0, "item": item}
    )
    empty = {"type": "response.reasoning_summary_text.delta", "output_index": 0, "delta": ""}
    frames += stream.feed("", empty)
    text = {"type": "response.output_text.delta", "output_index": 1, "delta": "Hi"}
    frames += stream.feed("", text)
    done = {"type": "response.completed", "response": {"status": "completed"}}
    frames += stream.feed("", done)
    kinds = [
        (e["type"], e.get("index"), (e.get("content_block") or {}).get("type"))
        for e in _events(frames)
    ]
    assert kinds == [
        ("message_start", None, None),
        ("content_block_start", 0, "text"),
        ("content_block_delta", 0, None),
        ("content_block_stop", 0, None),
        ("message_delta", None, None),
        ("message_stop", None, None),
    ]


def test_nothing_follows_the_end() -> None:
    stream = Stream("msg_1", "gpt-5.4")
    stream.feed("", {"type": "response.completed", "response": {"status": "completed"}})
    assert stream.finish() == []
    assert stream.fail("late") == []
    assert stream.feed("", {"type": "response.output_text.delta", "delta": "x"}) == []


def test_a_cut_stream_ends_with_an_error_event_only() -> None:
    stream = Stream("msg_1", "gpt-5.4")
    stream.feed("", {"type": "response.created", "response": {}})
    events = _events(stream.fail("the stream from upstream was cut off"))
    assert events == [
        {
            "type": "error",
            "error": {"type": "api_error", "message": "the stream from upstream was cut off"},
        }
    ]
