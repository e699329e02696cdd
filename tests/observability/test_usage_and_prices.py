"""Usage in one shape from each upstream format, and the pinned price table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ccproxy.formats.usage import Usage, from_body, from_event
from ccproxy.observability.entry import AccessEntry, UsageTap
from ccproxy.observability.prices import Prices


def test_anthropic_stream_usage_keeps_the_final_counts() -> None:
    entry = AccessEntry("r", 0.0, "POST", "/api/v1/messages")
    tap = UsageTap(entry)
    start = {"type": "message_start", "message": {"model": "claude-opus-5-5", "usage": {
        "input_tokens": 100, "output_tokens": 1, "cache_read_input_tokens": 40,
        "cache_creation_input_tokens": 7}}}  # fmt: skip
    delta = {"type": "message_delta", "delta": {}, "usage": {"output_tokens": 250}}
    raw = (f"event: message_start\ndata: {json.dumps(start)}\n\n"
           f"event: message_delta\ndata: {json.dumps(delta)}\n\n").encode()  # fmt: skip
    for cut in range(0, len(raw), 7):  # however the bytes are chunked
        tap(raw[cut : cut + 7])
    counted = (entry.input_tokens, entry.output_tokens, entry.cache_read_tokens,
               entry.cache_write_tokens, entry.model_used)  # fmt: skip
    assert counted == (100, 250, 40, 7, "claude-opus-5-5")


def test_responses_usage_counts_cached_tokens_apart() -> None:
    usage = {"input_tokens": 30, "input_tokens_details": {"cached_tokens": 10}, "output_tokens": 12}
    done = {"response": {"object": "response", "model": "gpt-5.4", "usage": usage}}
    assert from_event("response.completed", done) == Usage(20, 12, 10, 0, "gpt-5.4")
    assert from_body(done["response"]) == Usage(20, 12, 10, 0, "gpt-5.4")
    assert from_event("response.output_text.delta", {"delta": "x"}) is None
    assert from_body({"usage": "nonsense"}) == Usage()


def test_prices_by_exact_dated_and_family_names(tmp_path: Path) -> None:
    prices = Prices.load()
    assert prices.cost("claude-sonnet-5-5", 1_000_000, 0, 0, 0) == 2.0
    assert prices.find("claude-haiku-4-5-20251001") == prices.find("claude-haiku-4-5")
    assert prices.find("claude-opus-4-1-20250805") == prices.find("claude-opus-4-1")
    assert prices.find("gpt-5.4-mini") != prices.find("gpt-5.4")
    assert prices.cost("some-local-model", 10, 10, 0, 0) is None
    assert prices.cost("gpt-5.3-codex", 1000, 1000, 1000, 0) == pytest.approx(
        (1.75 + 14 + 0.175) / 1000)  # fmt: skip
    mine = tmp_path / "prices.json"
    mine.write_text(json.dumps({"models": {"my-model": {
        "input": 1, "output": 2, "cache_write": 0, "cache_read": 0}}}))  # fmt: skip
    assert Prices.load(mine).cost("my-model", 1_000_000, 1_000_000, 0, 0) == 3.0


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"type": "message", "model": "claude-opus-5-5", "content": [
            {"type": "text", "text": '"usage": {"input_tokens": 999} "model": "fake"'}],
          "usage": {"input_tokens": 12, "cache_creation_input_tokens": 3,
                    "cache_read_input_tokens": 4, "output_tokens": 30,
                    "cache_creation": {"ephemeral_5m_input_tokens": 3}}},
         Usage(12, 30, 4, 3, "claude-opus-5-5")),
        ({"object": "response", "model": "gpt-5.4", "output": [], "usage": {
            "input_tokens": 100, "input_tokens_details": {"cached_tokens": 40},
            "output_tokens": 7, "output_tokens_details": {"reasoning_tokens": 2}}},
         Usage(60, 7, 40, 0, "gpt-5.4")),
        ({"type": "message", "model": "claude-opus-5-5", "usage": None},
         Usage(model="claude-opus-5-5")),
    ],
)  # fmt: skip
def test_a_whole_body_is_counted_from_its_usage_alone(body: Any, expected: Usage) -> None:
    """Only what follows `"usage"` (the last one) and `"model"` (the first one) is read; text in
    the answer that looks like usage is not counted."""
    entry = AccessEntry("r", 0.0, "POST", "/api/v1/messages")
    entry.keep_body(json.dumps(body, separators=(",", ":")).encode())
    entry.parse_usage()
    assert entry.body is None
    counted = Usage(entry.input_tokens, entry.output_tokens, entry.cache_read_tokens,
                    entry.cache_write_tokens, entry.model_used)  # fmt: skip
    assert counted == expected
