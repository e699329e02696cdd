"""Property: any valid Responses request converts to an Anthropic request Claude accepts.

The requests are the Chat property test's own, restated in the Responses API's shapes (items,
flat tools and tool choice, `text.format`), so both converters face the same conversations.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings

from ccproxy.formats.convert import responses_anthropic_request
from ccproxy.formats.convert.context import RequestContext
from ccproxy.providers.claude_api import identity_system
from tests.fakes import anthropic_rules
from tests.formats.test_chat_request_properties import (
    TRAITS,
    _alternates,
    _budgets_and_sampling,
    _tool_results_answer_tool_uses,
    chat_requests,
)


def _parts(content: str | list[dict[str, Any]], text_type: str) -> Any:
    if isinstance(content, str):
        return content
    return [
        {"type": text_type, "text": p["text"]}
        if p["type"] == "text"
        else {"type": "input_image", "image_url": p["image_url"]["url"], "detail": "auto"}
        for p in content
    ]


def _items(message: dict[str, Any]) -> list[dict[str, Any]]:
    role = message["role"]
    if role == "tool":
        return [{"type": "function_call_output", "call_id": message["tool_call_id"],
                 "output": message["content"]}]  # fmt: skip
    if role != "assistant":
        return [{"role": role, "content": _parts(message["content"], "input_text")}]
    items: list[dict[str, Any]] = []
    if message.get("content"):
        text = [{"type": "output_text", "text": message["content"]}]
        items.append({"type": "message", "role": "assistant", "content": text})
    for call in message.get("tool_calls") or []:
        items.append({"type": "function_call", "call_id": call["id"], **call["function"]})
    return items


def responses_form(chat: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "model": chat["model"],
        "input": [item for message in chat["messages"] for item in _items(message)],
        "tools": [{"type": "function", **tool["function"]} for tool in chat["tools"]],
    }
    for name in ("temperature", "top_p", "parallel_tool_calls"):
        if name in chat:
            body[name] = chat[name]
    if "max_tokens" in chat:
        body["max_output_tokens"] = chat["max_tokens"]
    if "reasoning_effort" in chat:
        body["reasoning"] = {"effort": chat["reasoning_effort"], "summary": "auto"}
    if isinstance(choice := chat.get("tool_choice"), dict):
        body["tool_choice"] = {"type": "function", "name": choice["function"]["name"]}
    elif choice is not None:
        body["tool_choice"] = choice
    if fmt := chat.get("response_format"):
        body["text"] = {"format": {"type": fmt["type"], **fmt.get("json_schema", {})}}
    return body


@settings(max_examples=300, deadline=None)
@given(chat_requests())
def test_converted_responses_requests_are_valid_anthropic_requests(
    case: tuple[dict[str, Any], str],
) -> None:
    payload, model = case
    traits = TRAITS[model]
    ctx = RequestContext(model, traits)
    body = responses_anthropic_request.request(responses_form(payload), ctx).body
    _alternates(body["messages"])
    _tool_results_answer_tool_uses(body["messages"])
    _budgets_and_sampling(body, traits)
    sent = {**body, "system": identity_system(body.get("system"))}
    assert anthropic_rules.refusal(json.loads(json.dumps(sent)), needs_max_tokens=True) is None
