"""Property: any valid Chat Completions request converts to an Anthropic request Claude accepts."""

from __future__ import annotations

import itertools
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ccproxy.formats import chat
from ccproxy.formats.convert import chat_request
from ccproxy.formats.convert.context import ModelTraits, RequestContext
from ccproxy.providers.claude_api import identity_system
from tests.fakes import anthropic_rules
from tests.formats.traits import CLASSIC, MODERN

TRAITS = {
    "claude-haiku-4-5-20251001": CLASSIC,
    "claude-test": ModelTraits(max_output_tokens=8192),
    "claude-opus-5-5": MODERN,
}

words = st.text(alphabet="abc xyz\n", min_size=0, max_size=12)
texts = st.one_of(
    words,
    st.lists(words, max_size=3).map(lambda parts: [{"type": "text", "text": p} for p in parts]),
)
IMAGE = {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}}


@st.composite
def user_message(draw: st.DrawFn) -> dict[str, Any]:
    content = draw(texts)
    if isinstance(content, list) and draw(st.booleans()):
        content.append(IMAGE)
    return {"role": "user", "content": content}


@st.composite
def exchange(draw: st.DrawFn, number: int) -> list[dict[str, Any]]:
    """An assistant turn, with tool calls answered by tool messages, maybe a user message after."""
    calls = [
        {
            "id": f"call_{number}_{i}" if draw(st.booleans()) else f"fn.{number}:{i}",
            "type": "function",
            "function": {
                "name": draw(st.sampled_from(["ping", "get_weather"])),
                "arguments": draw(st.sampled_from(["", "{}", '{"city": "Paris"}'])),
            },
        }
        for i in range(draw(st.integers(0, 3)))
    ]
    assistant: dict[str, Any] = {"role": "assistant", "content": draw(st.one_of(st.none(), words))}
    if calls:
        assistant["tool_calls"] = calls
    messages = [assistant] + [
        {"role": "tool", "tool_call_id": c["id"], "content": draw(words)} for c in calls
    ]
    if not calls or draw(st.booleans()):
        messages.append(draw(user_message()))
    return messages


@st.composite
def chat_requests(draw: st.DrawFn) -> tuple[dict[str, Any], str]:
    messages: list[dict[str, Any]] = []
    if draw(st.booleans()):
        messages.append(
            {"role": draw(st.sampled_from(["system", "developer"])), "content": draw(words)}
        )
    messages.append({"role": "user", "content": draw(words.filter(str.strip))})
    for number in range(draw(st.integers(0, 4))):
        messages += draw(exchange(number))
        if draw(st.booleans()):
            messages.append({"role": "developer", "content": draw(words)})
    if draw(st.booleans()):
        messages.append({"role": "assistant", "content": draw(words)})  # a prefill
    tools = [
        {"type": "function", "function": {"name": n, "parameters": {"type": "object"}}}
        for n in ("ping", "get_weather")
    ]
    request: dict[str, Any] = {"model": "gpt-4o", "messages": messages, "tools": tools}
    optional = {
        "reasoning_effort": st.sampled_from(
            ["none", "minimal", "low", "medium", "high", "xhigh", "max"]
        ),
        "max_tokens": st.integers(1, 200000),
        "temperature": st.floats(0, 2),
        "top_p": st.floats(0, 1),
        "tool_choice": st.sampled_from(
            ["auto", "none", "required", {"type": "function", "function": {"name": "ping"}}]
        ),
        "parallel_tool_calls": st.booleans(),
        "stop": st.lists(st.sampled_from(["END", " ", "\n"]), max_size=4),
        "response_format": st.sampled_from(
            [
                {"type": "text"},
                {"type": "json_object"},
                {"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "object"}}},
            ]
        ),
    }
    for name, strategy in optional.items():
        if draw(st.booleans()):
            request[name] = draw(strategy)
    return request, draw(st.sampled_from(sorted(TRAITS)))


@settings(max_examples=300, deadline=None)
@given(chat_requests())
def test_converted_requests_are_valid_anthropic_requests(case: tuple[dict[str, Any], str]) -> None:
    payload, model = case
    traits = TRAITS[model]
    body = chat_request.request(chat.parse_request(payload), RequestContext(model, traits)).body
    _alternates(body["messages"])
    _tool_results_answer_tool_uses(body["messages"])
    _budgets_and_sampling(body, traits)
    # And the fake upstream, which applies the real API's rules, accepts it.
    sent = {**body, "system": identity_system(body.get("system"))}
    assert anthropic_rules.refusal(json.loads(json.dumps(sent)), needs_max_tokens=True) is None


def _alternates(messages: list[dict[str, Any]]) -> None:
    roles = [m["role"] for m in messages]
    assert roles[0] == "user"
    assert all(a != b for a, b in itertools.pairwise(roles)), roles
    for message in messages:
        content = message["content"]
        assert content, message
        for block in content if isinstance(content, list) else []:
            assert block["type"] != "text" or block["text"], message


def _tool_results_answer_tool_uses(messages: list[dict[str, Any]]) -> None:
    def blocks(message: dict[str, Any], kind: str) -> list[dict[str, Any]]:
        content = message["content"]
        return [b for b in content if b["type"] == kind] if isinstance(content, list) else []

    for before, after in itertools.pairwise(messages):
        uses = {b["id"] for b in blocks(before, "tool_use")}
        results = [b["tool_use_id"] for b in blocks(after, "tool_result")]
        assert set(results) == uses
        if results:
            kinds = [b["type"] for b in after["content"]]
            assert kinds[: len(results)] == ["tool_result"] * len(results)


def _budgets_and_sampling(body: dict[str, Any], traits: ModelTraits) -> None:
    thinking = body.get("thinking")
    assert body["max_tokens"] >= 1
    if thinking and thinking["type"] == "enabled":
        assert 1024 <= thinking["budget_tokens"] < body["max_tokens"]
    if thinking:
        assert "temperature" not in body and "top_p" not in body
        assert body.get("tool_choice", {}).get("type") not in ("any", "tool")
    assert not ("temperature" in body and "top_p" in body)
    assert 0 <= body.get("temperature", 0) <= 1
    if not traits.sampling:
        assert "temperature" not in body and "top_p" not in body
