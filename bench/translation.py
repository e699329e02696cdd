"""Micro-benchmark of the Chat <-> Anthropic translation (not a test; nothing here asserts).

    python bench/translation.py

Prints the cost of translating a 100-message Chat request (parse + convert) and of turning a
1,000-event Anthropic stream into Chat chunks (SSE decode + convert + encode). Targets: under 1 ms
per request and under 20 µs per stream event.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable

from ccproxy.formats import chat, sse
from ccproxy.formats.convert import chat_request
from ccproxy.formats.convert.chat_stream import Stream
from ccproxy.formats.convert.context import RequestContext, ResponseContext
from ccproxy.providers.catalog import MODERN


def hundred_messages() -> dict[str, object]:
    messages: list[dict[str, object]] = [
        {"role": "system", "content": "You are a careful assistant. " * 20}
    ]
    for turn in range(33):
        messages.append({"role": "user", "content": f"Question {turn}: " + "some words " * 40})
        call = {
            "id": f"call_{turn}",
            "type": "function",
            "function": {"name": "lookup", "arguments": '{"q": "x"}'},
        }
        messages.append({"role": "assistant", "content": "Let me look.", "tool_calls": [call]})
        messages.append({"role": "tool", "tool_call_id": f"call_{turn}", "content": "result " * 30})
    tools = [{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}]
    return {"model": "gpt-4o", "messages": messages[:100], "tools": tools, "temperature": 0.2}


def thousand_events() -> bytes:
    def event(data: dict[str, object]) -> str:
        return f"event: {data['type']}\ndata: {json.dumps(data)}\n\n"

    start = {
        "type": "message_start",
        "message": {
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "model": "claude-sonnet-5-5",
            "content": [],
            "usage": {"input_tokens": 10, "output_tokens": 1},
        },
    }
    parts = [
        event(start),
        event(
            {
                "type": "content_block_start",
                "index": 0,
                "content_block": {"type": "text", "text": ""},
            }
        ),
    ]
    parts += [
        event(
            {
                "type": "content_block_delta",
                "index": 0,
                "delta": {"type": "text_delta", "text": "word "},
            }
        )
    ] * 996
    parts.append(event({"type": "content_block_stop", "index": 0}))
    parts.append(
        event(
            {
                "type": "message_delta",
                "delta": {"stop_reason": "end_turn"},
                "usage": {"output_tokens": 996},
            }
        )
    )
    return "".join(parts).encode()


def translate_request(raw: bytes) -> None:
    chat_request.request(chat.parse_request_json(raw), RequestContext("claude-sonnet-5-5", MODERN))


def translate_stream(raw: bytes) -> None:
    stream = Stream(
        ResponseContext(id="chatcmpl-x", created=0, model="claude-sonnet-5-5", include_usage=True)
    )
    decoder = sse.Decoder()
    for chunk in (raw[i : i + 4096] for i in range(0, len(raw), 4096)):
        for item in decoder.feed(chunk):
            stream.feed(item.event, json.loads(item.data))
    stream.finish()


def measure(label: str, work: Callable[[], None], units: int, rounds: int = 200) -> None:
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        timings.append((time.perf_counter() - started) / units * 1e6)
    median, p90 = statistics.median(timings), sorted(timings)[int(rounds * 0.9)]
    print(f"{label}: median {median:.1f} µs, p90 {p90:.1f} µs")


if __name__ == "__main__":
    body, raw = json.dumps(hundred_messages()).encode(), thousand_events()
    measure(
        "100-message Chat request -> Anthropic (per request)", lambda: translate_request(body), 1
    )
    per_event = "1,000-event Anthropic stream -> Chat chunks (per event)"
    measure(per_event, lambda: translate_stream(raw), 1000, rounds=50)
