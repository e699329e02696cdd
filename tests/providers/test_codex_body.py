"""The body rules of the ChatGPT backend (UPSTREAMS.md §3.3 to §3.5), on plain dicts."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from ccproxy.config_codex import CODEX_UNSUPPORTED
from ccproxy.errors import BadRequest
from ccproxy.providers.codex_body import Prepared, prepare

PROMPT = "You are a coding agent running in the Codex CLI.\nMore rules."
BILLING = "x-anthropic-billing-header: cc_version=2.1.330.abc; cch=123;"


def run(payload: dict[str, Any], **options: Any) -> Prepared:
    settings: dict[str, Any] = {
        "model": payload.get("model", "gpt-5.4"),
        "prompt": PROMPT,
        "unsupported": CODEX_UNSUPPORTED,
    }
    return prepare(copy.deepcopy(payload), **{**settings, **options})


def user(text: str) -> dict[str, Any]:
    return {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}


def test_string_input_becomes_one_user_message_and_the_backend_rules_hold() -> None:
    body = run(
        {
            "model": "gpt-5.4",
            "input": "hi",
            "stream": False,
            "store": True,
            "temperature": 0.2,
            "top_p": 1,
            "max_output_tokens": 99,
            "metadata": {"a": "b"},
        }
    ).body
    assert body["input"] == [user("hi")]
    assert body["stream"] is True and body["store"] is False
    assert not {"temperature", "top_p", "max_output_tokens", "metadata"} & body.keys()
    assert body["instructions"] == PROMPT


def test_system_and_developer_items_move_into_instructions_in_order() -> None:
    body = run(
        {
            "instructions": "Client rules.",
            "input": [
                {"role": "system", "content": f"{BILLING}\nBe brief."},
                user("hi"),
                {
                    "type": "message",
                    "role": "developer",
                    "content": [{"type": "input_text", "text": "Use tabs."}],
                },
            ],
        }
    ).body
    assert body["instructions"] == f"{PROMPT}\n\nClient rules.\n\nBe brief.\n\nUse tabs."
    assert body["input"] == [user("hi")]


def test_the_prompt_is_not_injected_twice() -> None:
    own = {"role": "developer", "content": [{"type": "input_text", "text": PROMPT + " (v2)"}]}
    body = run({"input": [own, user("hi")]}).body
    assert body["instructions"] == PROMPT + " (v2)"
    body = run({"instructions": PROMPT, "input": [user("hi")]}).body
    assert body["instructions"] == PROMPT


def test_without_a_prompt_the_client_instructions_go_alone_or_not_at_all() -> None:
    assert (
        run({"instructions": "Mine.", "input": "hi"}, prompt=None).body["instructions"] == "Mine."
    )
    assert "instructions" not in run({"input": "hi"}, prompt=None).body


def test_items_are_normalised_but_otherwise_untouched() -> None:
    call = {
        "type": "function_call",
        "id": "fc_1",
        "call_id": "call_1",
        "name": "f",
        "arguments": "{}",
        "status": "completed",
        "_local": 1,
    }
    body = run(
        {
            "input": [
                {"role": "user", "content": "typeless"},
                {"type": "item_reference", "id": "msg_old"},
                call,
                {
                    "type": "function_call_output",
                    "id": "fco_1",
                    "call_id": "call_1",
                    "output": [{"type": "input_text", "text": "ok", "_meta": {"x": 1}}],
                },
            ],
            "_client": True,
        }
    ).body
    assert body["input"] == [
        {"type": "message", "role": "user", "content": "typeless"},
        {k: v for k, v in call.items() if k != "_local"},
        {
            "type": "function_call_output",
            "id": "fco_1",
            "call_id": "call_1",
            "output": [{"type": "input_text", "text": "ok"}],
        },
    ]
    assert "_client" not in body


def test_what_the_client_did_not_send_is_not_added() -> None:
    tools = [{"type": "namespace", "name": "multi_agent_v1", "tools": []}, {"type": "web_search"}]
    body = run({"input": "hi", "tools": tools}).body
    assert body["tools"] == tools
    assert not {"reasoning", "include", "tool_choice", "parallel_tool_calls", "text"} & body.keys()
    assert "tools" not in run({"input": "hi"}).body


def test_the_model_is_the_one_given() -> None:
    assert run({"input": "hi"}, model="gpt-5.2").body["model"] == "gpt-5.2"


def test_a_chat_style_messages_array_is_accepted() -> None:
    body = run(
        {
            "messages": [
                {"role": "system", "content": "Be brief."},
                {"role": "user", "content": "hi"},
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {
                            "id": "call_1",
                            "type": "function",
                            "function": {"name": "f", "arguments": "{}"},
                        }
                    ],
                },
                {"role": "tool", "tool_call_id": "call_1", "content": "42"},
            ]
        }
    ).body
    assert "messages" not in body
    assert body["instructions"] == f"{PROMPT}\n\nBe brief."
    assert [item["type"] for item in body["input"]] == [
        "message",
        "function_call",
        "function_call_output",
    ]
    assert body["input"][2] == {"type": "function_call_output", "call_id": "call_1", "output": "42"}


@pytest.mark.parametrize(
    ("payload", "param"),
    [
        ({"input": "hi", "previous_response_id": "resp_1"}, "previous_response_id"),
        ({"input": "hi", "messages": [{"role": "user", "content": "x"}]}, None),
        ({"messages": [{"role": "wizard", "content": "x"}]}, "messages"),
        ({}, "input"),
        ({"input": 5}, "input"),
        ({"input": ["hi"]}, "input.0"),
        ({"input": [{"role": "system", "content": [{"type": "input_image"}]}]}, "input.0.content"),
        ({"input": "hi", "instructions": ["x"]}, "instructions"),
    ],
)
def test_requests_the_backend_cannot_serve_are_refused(
    payload: dict[str, Any], param: str | None
) -> None:
    with pytest.raises(BadRequest) as refused:
        run(payload)
    assert refused.value.status == 400
    assert refused.value.param == param


def test_the_client_cache_key_wins_then_the_path_session() -> None:
    given = run({"input": "hi", "prompt_cache_key": "thread-1"}, session_id="s-1")
    assert given.cache_key == given.body["prompt_cache_key"] == "thread-1"
    assert run({"input": "hi"}, session_id="s-1").body["prompt_cache_key"] == "s-1"


def test_a_derived_key_follows_the_conversation() -> None:
    first = {"instructions": "Rules.", "input": [user("hi")], "tools": [{"type": "web_search"}]}
    later = {**first, "input": [user("hi"), {"role": "assistant", "content": "yo"}, user("more")]}
    other = {**first, "input": [user("something else")]}
    key = run(first).cache_key
    assert run(later).cache_key == key  # the next turn of the same conversation
    assert run(other).cache_key != key  # a new conversation
    assert run(first, model="gpt-5.2").cache_key != key
    billing_changed = {**first, "input": [{"role": "system", "content": BILLING}, *first["input"]]}
    assert run(billing_changed).cache_key == key  # billing lines do not count


def test_instructions_are_byte_identical_across_turns() -> None:
    turn = {"input": [{"role": "developer", "content": "Dev."}, user("one")]}
    next_turn = {"input": [*turn["input"], {"role": "assistant", "content": "ok"}, user("two")]}
    assert run(turn).body["instructions"] == run(next_turn).body["instructions"]
