"""Properties of the Responses <-> Anthropic converters that golden files do not show."""

from __future__ import annotations

import json
from typing import Any

from ccproxy.formats import sse
from ccproxy.formats.convert import responses_anthropic_reply as reply
from ccproxy.formats.convert import responses_anthropic_request
from ccproxy.formats.convert.context import RequestContext
from ccproxy.formats.convert.responses_anthropic_stream import Stream
from tests.formats.traits import CLASSIC

CTX = reply.ReplyContext(id="resp_x", created=1, model="claude-test")
THINKING = {"type": "thinking", "thinking": "Plan.", "signature": "sig-1"}
REDACTED = {"type": "redacted_thinking", "data": "opaque"}
CALL = {"type": "tool_use", "id": "toolu_1", "name": "f", "input": {"a": 1}}


def _next_turn(output: list[dict[str, Any]]) -> dict[str, Any]:
    history = [
        {"role": "user", "content": "go"},
        *output,
        {"type": "function_call_output", "call_id": "toolu_1", "output": "done"},
    ]
    tool = {"type": "function", "name": "f", "parameters": None, "strict": False}
    body = {"model": "m", "input": history, "reasoning": {"effort": "low"}, "tools": [tool]}
    converted = responses_anthropic_request.request(body, RequestContext("claude-test", CLASSIC))
    return converted.body


def test_thinking_given_back_as_reasoning_items_reaches_claude_unchanged() -> None:
    for thinking in (THINKING, REDACTED):
        message = {"content": [thinking, CALL], "stop_reason": "tool_use", "usage": {}}
        output = reply.response(message, CTX)["output"]
        body = _next_turn(output)
        assert body["messages"][1]["content"] == [thinking, CALL]
        assert body["thinking"]["type"] == "enabled"  # the thinking is there, so it stays on


def test_a_streamed_answer_gives_the_same_output_as_a_whole_one() -> None:
    events = [
        ("message_start", {"message": {"model": "claude-test", "usage": {"input_tokens": 4}}}),
        ("content_block_start", {"index": 0, "content_block": {**THINKING, "thinking": "",
                                                               "signature": ""}}),
        ("content_block_delta", {"index": 0, "delta": {"type": "thinking_delta",
                                                       "thinking": "Plan."}}),
        ("content_block_delta", {"index": 0, "delta": {"type": "signature_delta",
                                                       "signature": "sig-1"}}),
        ("content_block_stop", {"index": 0}),
        ("content_block_start", {"index": 1, "content_block": {**CALL, "input": {}}}),
        ("content_block_delta", {"index": 1, "delta": {"type": "input_json_delta",
                                                       "partial_json": '{"a": 1}'}}),
        ("content_block_stop", {"index": 1}),
        ("message_delta", {"delta": {"stop_reason": "tool_use"}, "usage": {"output_tokens": 3}}),
        ("message_stop", {}),
    ]  # fmt: skip
    stream = Stream(CTX)
    raw = b"".join(frame for name, data in events for frame in stream.feed(name, data))
    decoded = [json.loads(e.data) for e in sse.Decoder().feed(raw)]
    assert [e["sequence_number"] for e in decoded] == list(range(len(decoded)))
    final = decoded[-1]["response"]
    whole = reply.response({"content": [THINKING, CALL], "stop_reason": "tool_use",
                            "usage": {"input_tokens": 4, "output_tokens": 3}}, CTX)  # fmt: skip
    assert final["output"] == whole["output"] and final["usage"] == whole["usage"]
    assert stream.thinking_by_tool_id == {"toolu_1": [THINKING]}
    assert stream.finish() == [] and stream.fail("late") == []


def test_a_stream_cut_before_its_end_fails_with_numbered_events() -> None:
    stream = Stream(CTX)
    frames = stream.feed("message_start", {"message": {}}) + stream.fail("cut")
    decoded = [json.loads(e.data) for e in sse.Decoder().feed(b"".join(frames))]
    assert [e["type"] for e in decoded][-2:] == ["error", "response.failed"]
    assert [e["sequence_number"] for e in decoded] == [0, 1, 2, 3]
    assert decoded[-1]["response"]["error"] == {"code": "server_error", "message": "cut"}
