"""The approval API without Claude Code: the REST check, the MCP tool through the official MCP
client, the SSE stream, answers and their errors, and the audit trail."""

from __future__ import annotations

import asyncio
import json
import threading
from concurrent.futures import Future
from typing import Any

import httpx
import pytest
from mcp.client.client import Client

from tests.conftest import ProxyFactory
from tests.permissions.watch import StreamWatcher

# What real tools send: Bash `timeout`, Edit `replace_all`, TodoWrite `todos`.
RICH_INPUT: dict[str, Any] = {
    "command": "make test",
    "timeout": 120000,
    "replace_all": False,
    "ratio": 0.5,
    "nothing": None,
    "todos": [{"content": "write tests", "status": "pending", "id": 1}, "plain"],
    "nested": {"deeper": {"list": [1, [2, 3]], "flag": True}},
}


@pytest.fixture
def approval_proxy(start_proxy: ProxyFactory) -> ProxyFactory:
    def start(timeout: float = 30, **security: Any) -> str:
        return start_proxy(security={"confirmation_timeout_seconds": timeout, **security})

    return start


def check_in_background(
    proxy: str, body: dict[str, Any], headers: dict[str, str] | None = None
) -> Future[httpx.Response]:
    future: Future[httpx.Response] = Future()

    def send() -> None:
        try:
            url = proxy + "/mcp/permission/check"
            answer = httpx.post(url, json=body, headers=headers, timeout=60)
            future.set_result(answer)
        except httpx.HTTPError as exc:
            future.set_exception(exc)

    threading.Thread(target=send, daemon=True).start()
    return future


def test_the_rest_check_waits_for_the_answer_and_keeps_every_input_type(
    approval_proxy: ProxyFactory,
) -> None:
    proxy = approval_proxy()
    with StreamWatcher(proxy) as watch:
        body = {"tool_name": "Edit", "input": RICH_INPUT, "tool_use_id": "toolu_01"}
        decision = check_in_background(proxy, body)
        asked = watch.next("permission_request")
        assert asked["input"] == RICH_INPUT and asked["request_id"] == asked["id"]
        assert asked["tool_use_id"] == "toolu_01" and asked["expires_at"] > asked["created_at"]
        assert httpx.get(f"{proxy}/permissions/{asked['id']}").json()["status"] == "pending"
        assert not decision.done()
        answer = {"allowed": True, "by": "reviewer"}
        assert httpx.post(f"{proxy}/permissions/{asked['id']}/respond", json=answer).is_success
        result = decision.result(30).json()
    assert result == {"behavior": "allow", "updatedInput": RICH_INPUT,
                      "request_id": asked["id"], "status": "allowed"}  # fmt: skip
    record = httpx.get(f"{proxy}/permissions/{asked['id']}").json()
    assert record["status"] == "allowed" and record["decider"] == "reviewer"


def test_the_mcp_tool_answers_in_claude_codes_shape(approval_proxy: ProxyFactory) -> None:
    proxy = approval_proxy()

    async def scenario() -> tuple[list[str], Any, Any]:
        async with Client(proxy + "/mcp") as client:
            tools = [tool.name for tool in (await client.list_tools()).tools]
            call = asyncio.ensure_future(client.call_tool(
                "check_permission", {"tool_name": "Write", "input": RICH_INPUT}))  # fmt: skip
            pending = await _first_pending(proxy)
            await asyncio.to_thread(
                httpx.post, f"{proxy}/permissions/{pending}/respond",
                json={"allowed": False, "message": "Write elsewhere."},
            )  # fmt: skip
            denied = await call
            bad = await client.call_tool("check_permission", {"tool_name": "Write", "input": [1]})
        return tools, denied, bad

    tools, denied, bad = asyncio.run(scenario())
    assert tools == ["check_permission"]
    (content,) = denied.content
    assert json.loads(content.text) == {"behavior": "deny", "message": "Write elsewhere."}
    assert bad.is_error and "input" in bad.content[0].text


async def _first_pending(proxy: str) -> str:
    async with (
        httpx.AsyncClient() as client,
        client.stream("GET", proxy + "/permissions/stream") as events,
    ):
        async for line in events.aiter_lines():
            if line.startswith("data: ") and '"status":"pending"' in line:
                return str(json.loads(line[6:])["id"])
    raise AssertionError("no pending request came")


def test_the_stream_replays_pending_requests_to_a_new_listener(
    approval_proxy: ProxyFactory,
) -> None:
    proxy = approval_proxy()
    with StreamWatcher(proxy) as first:
        check_in_background(proxy, {"tool_name": "Bash", "input": {"command": "ls"}})
        waiting = first.next("permission_request")
    with StreamWatcher(proxy) as second:
        ping = second.next("ping", timeout=10)
        assert ping == {"pending": 1}
        assert second.next("permission_request", timeout=10)["id"] == waiting["id"]
        httpx.post(f"{proxy}/permissions/{waiting['id']}/respond", json={"allowed": False})
        resolved = second.next("permission_resolved", timeout=10)
    assert resolved["status"] == "denied" and resolved["decided_by"] == "user"
    assert [name for name, _ in second.seen] == [
        "ping",
        "permission_request",
        "permission_resolved",
    ]


@pytest.mark.parametrize(
    ("body", "status", "param"),
    [
        ({"allowed": "yes"}, 400, "allowed"),
        ({"allowed": True, "message": 3}, 400, "message"),
        ({"allowed": True, "by": ""}, 400, "by"),
    ],
)
def test_bad_answers_are_refused_in_the_anthropic_envelope(
    approval_proxy: ProxyFactory, body: dict[str, Any], status: int, param: str
) -> None:
    proxy = approval_proxy()
    with StreamWatcher(proxy) as watch:
        check_in_background(proxy, {"tool_name": "Bash", "input": {}})
        asked = watch.next("permission_request")
    answer = httpx.post(f"{proxy}/permissions/{asked['id']}/respond", json=body)
    assert answer.status_code == status
    error = answer.json()
    assert error["type"] == "error" and error["error"]["type"] == "invalid_request_error"
    assert param in error["error"]["message"]
    assert httpx.get(f"{proxy}/permissions/{asked['id']}").json()["status"] == "pending"


def test_unknown_decided_and_cross_site_answers(approval_proxy: ProxyFactory) -> None:
    proxy = approval_proxy()
    assert httpx.get(f"{proxy}/permissions/nope").status_code == 404
    unknown = httpx.post(f"{proxy}/permissions/nope/respond", json={"allowed": True})
    assert unknown.status_code == 404 and unknown.json()["error"]["type"] == "not_found_error"
    with StreamWatcher(proxy) as watch:
        decision = check_in_background(proxy, {"tool_name": "Bash", "input": {"command": "x"}})
        asked = watch.next("permission_request")
    url = f"{proxy}/permissions/{asked['id']}/respond"
    # What a web page can send without a CORS preflight: refused, so no page can approve.
    form = httpx.post(url, content='{"allowed": true}', headers={"content-type": "text/plain"})
    assert form.status_code == 415
    assert httpx.post(url, json={"allowed": True}).status_code == 200
    again = httpx.post(url, json={"allowed": False})
    assert again.status_code == 409 and "already allowed" in again.json()["error"]["message"]
    assert decision.result(10).json()["behavior"] == "allow"


@pytest.mark.parametrize(
    "body",
    [{"input": {}}, {"tool_name": "Bash", "input": "ls"}, {"tool_name": "Bash", "tool_use_id": 1}],
)
def test_a_malformed_check_is_a_400(approval_proxy: ProxyFactory, body: dict[str, Any]) -> None:
    answer = httpx.post(approval_proxy() + "/mcp/permission/check", json=body)
    assert answer.status_code == 400 and answer.json()["error"]["type"] == "invalid_request_error"


def test_timeouts_rules_and_the_audit_trail(approval_proxy: ProxyFactory) -> None:
    rules = [{"decision": "deny", "tool": "mcp__*", "message": "No MCP tools."}]
    proxy = approval_proxy(timeout=1, permission_rules=rules)
    expired = check_in_background(proxy, {"tool_name": "Bash", "input": {"command": "ls"}})
    assert expired.result(30).json() == {
        "behavior": "deny", "message": "No decision within 1 s: denied.",
        "request_id": expired.result().json()["request_id"], "status": "expired",
    }  # fmt: skip
    by_rule = httpx.post(proxy + "/mcp/permission/check",
                         json={"tool_name": "mcp__github__push", "input": {}}).json()  # fmt: skip
    assert by_rule["behavior"] == "deny" and by_rule["message"] == "No MCP tools."
    trail = httpx.get(proxy + "/permissions/history").json()["data"]
    assert [(r["tool_name"], r["decided_by"]) for r in trail] == [
        ("mcp__github__push", "rule"), ("Bash", "timeout")]  # fmt: skip
    assert len(httpx.get(proxy + "/permissions/history?limit=1").json()["data"]) == 1
    assert httpx.get(proxy + "/permissions/history?limit=0").status_code == 400


def test_a_check_whose_caller_leaves_is_withdrawn(approval_proxy: ProxyFactory) -> None:
    proxy = approval_proxy()
    with StreamWatcher(proxy) as watch:
        with pytest.raises(httpx.ReadTimeout):
            httpx.post(proxy + "/mcp/permission/check", timeout=1,
                       json={"tool_name": "Bash", "input": {"command": "ls"}})  # fmt: skip
        asked = watch.next("permission_request")
        withdrawn = watch.next("permission_resolved", timeout=10)
    assert withdrawn["id"] == asked["id"] and withdrawn["decided_by"] == "cancelled"
    assert httpx.get(f"{proxy}/permissions/{asked['id']}").json()["status"] == "denied"


def test_the_approval_api_needs_the_client_token(approval_proxy: ProxyFactory) -> None:
    proxy = approval_proxy(auth_token="tok-123456")
    routes = [("GET", "/permissions/stream"), ("GET", "/permissions/history"),
              ("POST", "/mcp/permission/check"), ("POST", "/mcp"),
              ("POST", "/permissions/x/respond"), ("GET", "/permissions/x")]  # fmt: skip
    for method, path in routes:
        assert httpx.request(method, proxy + path, json={}).status_code == 401, path
    with StreamWatcher(proxy, headers={"x-api-key": "tok-123456"}) as watch:
        assert watch.status == 200


def test_an_mcp_call_whose_caller_leaves_is_withdrawn(approval_proxy: ProxyFactory) -> None:
    proxy = approval_proxy()

    async def leave_while_waiting() -> str:
        async with Client(proxy + "/mcp") as client:
            call = asyncio.ensure_future(
                client.call_tool("check_permission", {"tool_name": "Bash", "input": {}})
            )
            pending = await _first_pending(proxy)
            call.cancel()
        return pending

    with StreamWatcher(proxy) as watch:
        pending = asyncio.run(leave_while_waiting())
        withdrawn = watch.next("permission_resolved", timeout=10)
    assert withdrawn["id"] == pending and withdrawn["decided_by"] == "cancelled"
