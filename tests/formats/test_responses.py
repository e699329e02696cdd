"""formats.responses: error envelopes, the final response rebuilt from a stream, and the ending
written when a passed-through stream breaks off."""

from __future__ import annotations

import json
from typing import Any

from ccproxy.formats import responses, sse


def test_error_envelopes_for_every_upstream_body_shape() -> None:
    detail = responses.error_envelope(400, b'{"detail": "Unsupported parameter: top_p"}')
    assert detail == {
        "error": {
            "message": "Unsupported parameter: top_p",
            "type": "invalid_request_error",
            "param": None,
            "code": None,
        }
    }
    listed = responses.error_envelope(422, b'{"detail": [{"loc": ["body"], "msg": "bad"}]}')
    assert json.loads(listed["error"]["message"]) == [{"loc": ["body"], "msg": "bad"}]
    limited = responses.error_envelope(
        429, b'{"error": {"type": "usage_limit_reached", "message": "Limit.", "resets_at": 9}}'
    )
    assert limited["error"] == {
        "type": "usage_limit_reached",
        "message": "Limit.",
        "resets_at": 9,
        "param": None,
        "code": "usage_limit_reached",
    }
    html = responses.error_envelope(502, b"<html>Bad gateway</html>")
    assert html["error"]["message"] == "<html>Bad gateway</html>"
    assert html["error"]["type"] == "server_error"
    assert "HTTP 503" in responses.error_envelope(503, b"")["error"]["message"]
    assert responses.error_envelope(400, b"\xff\xfe")["error"]["message"]  # never raises


def added(index: int, item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "response.output_item.added", "output_index": index, "item": item}


def test_items_whose_done_event_never_came_are_rebuilt_from_their_deltas() -> None:
    collector = responses.Collector()
    events: list[dict[str, Any]] = [
        {"type": "response.created", "response": {"id": "resp_1", "model": "gpt-5.4"}},
        added(0, {"id": "rs_1", "type": "reasoning", "summary": []}),
        {
            "type": "response.reasoning_summary_text.delta",
            "output_index": 0,
            "summary_index": 0,
            "delta": "Think",
        },
        {
            "type": "response.reasoning_summary_text.delta",
            "output_index": 0,
            "summary_index": 1,
            "delta": "More",
        },
        added(1, {"id": "msg_1", "type": "message", "role": "assistant", "content": []}),
        {
            "type": "response.output_text.delta",
            "output_index": 1,
            "content_index": 0,
            "delta": "Hel",
        },
        {
            "type": "response.output_text.delta",
            "output_index": 1,
            "content_index": 0,
            "delta": "lo",
        },
        added(
            2,
            {"id": "fc_1", "type": "function_call", "call_id": "c1", "name": "f", "arguments": ""},
        ),
        {"type": "response.function_call_arguments.delta", "output_index": 2, "delta": '{"a":'},
        {"type": "response.function_call_arguments.delta", "output_index": 2, "delta": "1}"},
    ]
    for event in events:
        collector.feed(event)
    final = collector.response()
    assert final is not None and final["status"] == "incomplete" and final["id"] == "resp_1"
    reasoning, message, call = final["output"]
    assert [s["text"] for s in reasoning["summary"]] == ["Think", "More"]
    assert message["content"] == [{"type": "output_text", "text": "Hello", "annotations": []}]
    assert call["arguments"] == '{"a":1}' and call["status"] == "incomplete"


def test_a_complete_final_response_is_trusted_and_a_failure_kept() -> None:
    collector = responses.Collector()
    item = {"id": "msg_1", "type": "message", "content": []}
    collector.feed({"type": "response.output_item.done", "output_index": 0, "item": item})
    final = {"id": "resp_1", "status": "completed", "output": [{"id": "other"}]}
    collector.feed({"type": "response.completed", "response": final})
    assert collector.response() == final
    assert responses.Collector().response() is None
    failed = responses.Collector()
    failed.feed({"type": "error", "code": "server_error", "message": "Boom."})
    failed.feed({"type": "response.failed", "response": {"error": {"code": "other"}}})
    assert failed.failure == {"code": "server_error", "message": "Boom."}


def frames(*events: dict[str, Any]) -> list[sse.Event]:
    return sse.Decoder().feed(b"".join(responses.encode(e) for e in events))


def test_a_broken_stream_is_ended_with_error_and_failed_numbered_on() -> None:
    progress = responses.Progress()
    created = {"type": "response.created", "sequence_number": 0,
               "response": {"id": "resp_1", "status": "in_progress", "output": []}}  # fmt: skip
    progress.see(frames(created, {"type": "response.output_text.delta", "sequence_number": 7}))
    assert not progress.ended
    ending = sse.Decoder().feed(progress.failure("cut off"))
    error, failed = (json.loads(e.data) for e in ending)
    assert (error["type"], error["sequence_number"], error["message"]) == ("error", 8, "cut off")
    assert failed["type"] == "response.failed" and failed["sequence_number"] == 9
    assert failed["response"]["id"] == "resp_1" and failed["response"]["status"] == "failed"
    assert progress.ended


def test_after_an_upstream_error_event_only_the_ending_is_added() -> None:
    progress = responses.Progress()
    progress.see(frames({"type": "error", "sequence_number": 2, "message": "Boom."}))
    ending = [json.loads(e.data) for e in sse.Decoder().feed(progress.failure("ended"))]
    assert [(e["type"], e["sequence_number"]) for e in ending] == [("response.failed", 3)]
