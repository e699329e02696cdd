"""What the fake ChatGPT backend refuses, and how the real one words it (UPSTREAMS.md §3)."""

from __future__ import annotations

from typing import Any

from tests.fakes import openai_oauth
from tests.fakes.openai_oauth import ACCOUNT_ID, FakeOpenAIOAuth

SUPPORTED = frozenset({"gpt-5.4", "gpt-5.4-mini", "gpt-5.3-codex", "gpt-5.2"})
UNSUPPORTED = ("max_output_tokens", "max_completion_tokens", "max_tokens", "temperature", "top_p",
               "metadata")  # fmt: skip
Refusal = tuple[int, str]


def credentials(headers: dict[str, str], oauth: FakeOpenAIOAuth) -> Refusal | None:
    if "x-api-key" in headers:
        return 400, "fake backend: a client x-api-key was forwarded"
    token = headers.get("authorization", "").removeprefix("Bearer ")
    if token not in oauth.access:
        return 401, "Could not parse your authentication token. Please try signing in again."
    if openai_oauth.expired(token):
        return 401, "Provided authentication token is expired. Please try signing in again."
    if headers.get("chatgpt-account-id") != ACCOUNT_ID:
        return 403, "chatgpt-account-id does not match the token"
    return None


def headers_refusal(headers: dict[str, str]) -> Refusal | None:
    expected = {
        "openai-beta": "responses=experimental",
        "originator": "codex_cli_rs",
        "accept": "text/event-stream",
        "content-type": "application/json",
    }
    for name, value in expected.items():
        if headers.get(name) != value:
            return 400, f"fake backend: header {name} must be {value!r}"
    if not headers.get("user-agent", "").startswith("codex_cli_rs/"):
        return 400, "fake backend: user-agent must be the Codex CLI's"
    for name in ("version", "session_id", "conversation_id"):
        if not headers.get(name):
            return 400, f"fake backend: header {name} is missing"
    if any(name.startswith("sec-websocket-") for name in headers):
        return 400, "fake backend: sec-websocket-* headers are forbidden"
    return None


def body_refusal(body: Any, prompt: str | None) -> Refusal | None:
    if not isinstance(body, dict):
        return 400, "fake backend: body is not a JSON object"
    if body.get("stream") is not True:
        return 400, "Stream must be set to true"
    if body.get("store") is not False:
        return 400, "Store must be set to false"
    for name in UNSUPPORTED:
        if name in body:
            return 400, f"Unsupported parameter: {name}"
    if "previous_response_id" in body:
        return 400, "Unsupported parameter: previous_response_id"
    if body.get("model") not in SUPPORTED and not str(body.get("model")).startswith("fake-"):
        return 400, (
            f"The '{body.get('model')}' model is not supported when using Codex with a ChatGPT "
            "account."
        )
    if prompt is not None and not str(body.get("instructions", "")).startswith(prompt):
        return 400, "Instructions are not valid"
    return _input_refusal(body.get("input")) or _tools_refusal(body.get("tools"))


def _input_refusal(items: Any) -> Refusal | None:
    if not isinstance(items, list):
        return 400, "fake backend: input must be a list"
    for index, item in enumerate(items):
        if not isinstance(item, dict) or "type" not in item:
            return 400, f"fake backend: input[{index}] has no type"
        if item.get("role") == "system":
            return 400, "System messages are not allowed"
        if item["type"] == "item_reference":
            return 400, "fake backend: item_reference needs a stored response"
        if _private_key(item):
            return 400, f"Unknown parameter: input[{index}].{_private_key(item)}"
    return None


def _private_key(value: Any) -> str | None:
    if isinstance(value, dict):
        for key, inner in value.items():
            if key.startswith("_"):
                return key
            if found := _private_key(inner):
                return found
    if isinstance(value, list):
        return next((found for inner in value if (found := _private_key(inner))), None)
    return None


def _tools_refusal(tools: Any) -> Refusal | None:
    for index, tool in enumerate(tools or []):
        if tool.get("type") == "function" and ("function" in tool or "name" not in tool):
            return 400, f"fake backend: tools[{index}] is not a flat function tool"
    return None
