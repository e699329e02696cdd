"""Schemathesis fuzzes every operation of the OpenAPI description the proxy serves, against a
live proxy in front of the fake upstreams: whatever it sends, the proxy never answers 5xx (but
for the one case below) and every error comes as JSON in the route's own envelope.

Positive cases fit the description, so the fakes get real work; negative ones break it (wrong
types, missing fields, bad session ids), so the proxy's own validation gets the work. The fakes
judge what they receive as the real upstreams would, and their 4xx pass through: fine, as long
as it is a 4xx in the right envelope.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import Case, GenerationMode, Response
from schemathesis.schemas import APIOperation
from starlette.routing import Route

from ccproxy.config import Settings, load_settings
from ccproxy.server.app import create_app
from tests.fakes.anthropic_api import FakeAnthropic
from tests.fakes.chatgpt_backend import PATH, FakeChatGPT
from tests.fakes.live import LiveServers

TOKEN = "fuzz-client-token"
AUTH = {"x-api-key": TOKEN}
# Per operation and mode; with derandomize the same cases run every time, so CI is reproducible.
EXAMPLES = 10
# SDK mode runs the `claude` CLI, which would need a model behind it and takes seconds a run:
# the fuzz points it at a CLI that does not exist, so a request that passes validation ends in
# this 502. What the fuzz checks there is that no input gets past validation into a 500.
NO_CLI = "Claude Code could not be started"
# The ChatGPT backend (and its fake) serves a few models only; a generated name is refused
# upstream, so half the positive Codex cases name one it serves, to reach the success path.
CODEX_MODEL = "gpt-5.4"


@pytest.fixture
def fuzzed_proxy(
    codex_settings: Callable[..., Settings],
    codex_auth: dict[str, Any],
    logged_in: tuple[str, str],
    anthropic_fake: FakeAnthropic,
    servers: LiveServers,
    tmp_path: Path,
) -> str:
    """Every route on: Claude API, Codex, SDK mode (without a CLI), metrics, the access log,
    and the approval API with a rule that decides every permission check at once."""
    anthropic_fake.gate.set()  # the fake's "hang" and "HOLD" behaviours must not stall the fuzz
    settings = codex_settings(
        security={
            "auth_token": TOKEN,
            "permission_rules": [{"decision": "deny", "tool": "*", "message": "fuzzing"}],
        },
        observability={
            "metrics_enabled": True,
            "logs_enabled": True,
            "duckdb_path": str(tmp_path / "access.duckdb"),
        },
        claude={"cli_path": str(tmp_path / "no-such-claude")},
    )
    return servers.start(create_app(settings)).url


def openai_route(template: str) -> bool:
    """CONTRACT.md §2: Chat Completions, Responses and everything else under /codex speak
    OpenAI; Anthropic Messages and count_tokens speak Anthropic on every prefix."""
    if template.endswith(("/messages", "/count_tokens")):
        return False
    return template.startswith("/codex") or template.endswith(("/chat/completions", "/responses"))


def check_answer(case: Case, response: Response) -> None:
    operation = case.operation
    where = f"{case.method} {case.formatted_path} -> {response.status_code}: "
    where += f"{response.text_lossy()[:500]}\nreproduce: {case.as_curl_command()}"
    if response.status_code >= 500:
        sdk_without_cli = operation.path.startswith("/sdk/") and response.status_code == 502
        assert sdk_without_cli and NO_CLI in response.text, where
    if response.status_code < 400:
        return
    content_type = response.headers.get("content-type", [""])[0]
    assert content_type.startswith("application/json"), where
    body = response.json()
    if openai_route(operation.path):
        error = body["error"]
        assert isinstance(error["message"], str) and error["message"], where
        assert isinstance(error["type"], str) and error["type"], where
    else:
        assert body["type"] == "error", where
        assert isinstance(body["error"]["type"], str) and body["error"]["type"], where
        assert isinstance(body["error"]["message"], str) and body["error"]["message"], where


def breakable(operation: APIOperation) -> bool:
    """A negative case needs something to break: a body or a parameter. (The security headers
    do not count: every call sends the right token over whatever was generated.)"""
    parts = (operation.body, operation.path_parameters, operation.query)
    return any(len(part) for part in parts)


def cases(operation: APIOperation, mode: GenerationMode) -> st.SearchStrategy[Case]:
    generated = operation.as_strategy(generation_mode=mode)
    if mode != GenerationMode.POSITIVE or not operation.path.startswith("/codex/"):
        return generated
    return st.tuples(generated, st.booleans()).map(lambda pair: served_model(*pair))


def served_model(case: Case, swap: bool) -> Case:
    if swap and isinstance(case.body, dict) and "model" in case.body:
        case.body["model"] = CODEX_MODEL
    return case


def fuzz(operation: APIOperation, mode: GenerationMode, base_url: str) -> None:
    session = requests.Session()

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],  # a failure reports its case; no shrinking
        suppress_health_check=list(HealthCheck),  # generation speed is not what is tested
    )
    @given(case=cases(operation, mode))
    def one(case: Case) -> None:
        response = case.call(base_url=base_url, session=session, headers=AUTH, timeout=20)
        check_answer(case, response)

    with session:
        one()


def test_the_description_is_served_with_the_token_and_names_only_real_routes(
    fuzzed_proxy: str,
) -> None:
    assert httpx.get(fuzzed_proxy + "/openapi.json", timeout=10).status_code == 401
    served = httpx.get(fuzzed_proxy + "/openapi.json", headers=AUTH, timeout=10)
    assert served.headers["content-type"] == "application/json"
    document = served.json()
    assert document["openapi"].startswith("3.")
    app = create_app(load_settings())
    routes = {
        (method, route.path.replace(":path}", "}"))
        for route in app.routes
        if isinstance(route, Route)
        for method in route.methods or ()
    }
    described = {
        (method.upper(), path) for path, item in document["paths"].items() for method in item
    }
    assert described <= routes, described - routes
    streams = {"/permissions/stream", "/logs/stream", "/mcp", "/dashboard", "/oauth/callback"}
    assert not streams & {path for _, path in described}


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_input_gets_a_5xx_or_a_foreign_envelope(
    fuzzed_proxy: str,
    mode: GenerationMode,
    anthropic_fake: FakeAnthropic,
    chatgpt_fake: FakeChatGPT,
) -> None:
    served = httpx.get(fuzzed_proxy + "/openapi.json", headers=AUTH, timeout=10)
    assert served.status_code == 200
    schema = schemathesis.openapi.from_dict(served.json())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 30
    for operation in operations:
        if mode == GenerationMode.POSITIVE or breakable(operation):
            fuzz(operation, mode, fuzzed_proxy)
    # The upstream URLs come from the settings, whatever the client sent.
    assert {r.path for r in anthropic_fake.requests} <= {
        "/v1/messages", "/v1/messages/count_tokens", "/api/oauth/profile"
    }  # fmt: skip
    assert {r.path for r in chatgpt_fake.requests} <= {PATH + "/responses"}
