"""The requests of the load tests and what a right answer to each looks like, normal or faulted.

Each request carries its own marker text (`soak-<n>`) as the last user turn: the fake upstream
keys an injected fault by it (tests/fakes/faults.py), so every answer is judged against exactly
what the upstream did to that request."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from tests.fakes.anthropic_script import REPLY
from tests.fakes.faults import STATUS

Check = Callable[[httpx.Response], str | None]


@dataclass(frozen=True)
class Call:
    name: str
    method: str
    path: str
    stream: bool
    body: Callable[[str], dict[str, Any]] | None  # of the marker; None for a GET
    check: Check  # the problem with a normal answer, or None

    @property
    def upstream(self) -> bool:
        """Whether the request reaches the fake upstream (and so can meet a fault)."""
        return self.body is not None


def anthropic_body(stream: bool) -> Callable[[str], dict[str, Any]]:
    def body(marker: str) -> dict[str, Any]:
        ask = {"model": "claude-sonnet-5-5", "max_tokens": 20, "stream": stream,
               "messages": [{"role": "user", "content": marker}]}  # fmt: skip
        return ask

    return body


def chat_body(stream: bool) -> Callable[[str], dict[str, Any]]:
    def body(marker: str) -> dict[str, Any]:
        return {"model": "claude-sonnet-5-5", "stream": stream,
                "messages": [{"role": "user", "content": marker}]}  # fmt: skip

    return body


def count_body(marker: str) -> dict[str, Any]:
    return {"model": "claude-sonnet-5-5", "messages": [{"role": "user", "content": marker}]}


def sse_frames(raw: str) -> list[dict[str, str]]:
    """Each frame's fields (`event`, `data`)."""
    frames = []
    for frame in raw.split("\n\n"):
        if frame.strip():
            frames.append(dict(line.split(": ", 1) for line in frame.splitlines()))
    return frames


def anthropic_stream_ok(response: httpx.Response) -> str | None:
    if response.status_code != 200:
        return f"status {response.status_code}"
    frames = sse_frames(response.text)
    events = [(f["event"], json.loads(f["data"])) for f in frames]
    text = "".join(
        data["delta"].get("text", "") for name, data in events if name == "content_block_delta"
    )
    if events[-1][0] != "message_stop" or text != REPLY:
        return f"stream ended with {events[-1][0]}, text {text!r}"
    return None


def anthropic_ok(response: httpx.Response) -> str | None:
    if response.status_code != 200:
        return f"status {response.status_code}"
    message = response.json()
    if message["content"][0]["text"] != REPLY or message["stop_reason"] != "end_turn":
        return f"message {message}"
    return None


def chat_stream_ok(response: httpx.Response) -> str | None:
    if response.status_code != 200:
        return f"status {response.status_code}"
    datas = [f["data"] for f in sse_frames(response.text)]
    chunks = [json.loads(d) for d in datas[:-1]]
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    finish = [c["choices"][0]["finish_reason"] for c in chunks if c["choices"]][-1]
    if datas[-1] != "[DONE]" or text != REPLY or finish != "stop":
        return f"stream ended with {datas[-1]!r}, text {text!r}, finish {finish!r}"
    return None


def chat_ok(response: httpx.Response) -> str | None:
    if response.status_code != 200:
        return f"status {response.status_code}"
    choice = response.json()["choices"][0]
    if choice["message"]["content"] != REPLY or choice["finish_reason"] != "stop":
        return f"choice {choice}"
    return None


def counted_ok(response: httpx.Response) -> str | None:
    if response.status_code != 200:
        return f"status {response.status_code}"
    counted = response.json().get("input_tokens")
    return None if isinstance(counted, int) and counted > 0 else f"count {response.text}"


def models_ok(response: httpx.Response) -> str | None:
    if response.status_code != 200 or not response.json().get("data"):
        return f"status {response.status_code}: {response.text[:200]}"
    return None


CALLS = {
    call.name: call
    for call in (
        Call("messages", "POST", "/api/v1/messages", False, anthropic_body(False), anthropic_ok),
        Call("messages-stream", "POST", "/api/v1/messages", True, anthropic_body(True),
             anthropic_stream_ok),
        Call("chat", "POST", "/api/v1/chat/completions", False, chat_body(False), chat_ok),
        Call("chat-stream", "POST", "/api/v1/chat/completions", True, chat_body(True),
             chat_stream_ok),
        Call("count-tokens", "POST", "/api/v1/messages/count_tokens", False, count_body,
             counted_ok),
        Call("models", "GET", "/api/v1/models", False, None, models_ok),
    )
}  # fmt: skip


def fault_problem(call: Call, fault: str, response: httpx.Response) -> str | None:
    """The problem with the answer to a request whose upstream met `fault`, or None.

    A 529 or 500 reaches the client with its status and the upstream's message. The fake cuts
    a body after its headers: an answer that is not streamed becomes a 502 (nothing had reached
    the client yet), a stream ends with an error event."""
    text = response.text
    if fault in STATUS:
        if response.status_code == STATUS[fault] and f"injected {fault}" in text:
            return None
    elif call.stream:
        last = sse_frames(text)[-1]
        if response.status_code == 200 and "error" in last["data"] and "cut off" in last["data"]:
            return None
    elif response.status_code == 502 and "cut the response short" in text:
        return None
    return f"{fault} answered {response.status_code}: {text[-300:]!r}"
