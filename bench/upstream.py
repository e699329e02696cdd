"""A fast fake Anthropic Messages upstream for the benchmark (not the test fake: no checks, speed).

    python bench/upstream.py PORT

Raw asyncio protocol on uvloop, TCP_NODELAY, keep-alive. `POST …/messages` answers a small message;
with `"stream": true` in the body, a stream of EVENTS text deltas EVENT_GAP_MS apart whose text
carries the send time (`t=<monotonic ns>;`), so a client can see how long each event spent in a
proxy. A model name containing `slow` answers after SLOW_MS.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sys
import time
from typing import Any

import uvloop

EVENTS = int(os.environ.get("BENCH_EVENTS", "50"))
EVENT_GAP_MS = float(os.environ.get("BENCH_EVENT_GAP_MS", "5"))
SLOW_MS = float(os.environ.get("BENCH_SLOW_MS", "20"))

MESSAGE = json.dumps(
    {
        "id": "msg_bench",
        "type": "message",
        "role": "assistant",
        "model": "claude-bench",
        "content": [{"type": "text", "text": "Hello from the benchmark upstream."}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 12, "output_tokens": 8},
    }
).encode()
JSON_HEAD = (
    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nrequest-id: req_bench\r\n"
    b"content-length: %d\r\n\r\n" % len(MESSAGE)
)
SSE_HEAD = (
    b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\n"
    b"transfer-encoding: chunked\r\n\r\n"
)


def event(name: str, data: dict[str, object]) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


def chunk(payload: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(payload), payload)


START = event(
    "message_start",
    {
        "type": "message_start",
        "message": {
            "id": "msg_bench",
            "type": "message",
            "role": "assistant",
            "model": "claude-bench",
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {"input_tokens": 12, "output_tokens": 1},
        },
    },
)
BLOCK = event(
    "content_block_start",
    {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
)
END = (
    event("content_block_stop", {"type": "content_block_stop", "index": 0})
    + event(
        "message_delta",
        {
            "type": "message_delta",
            "delta": {"stop_reason": "end_turn", "stop_sequence": None},
            "usage": {"output_tokens": EVENTS},
        },
    )
    + event("message_stop", {"type": "message_stop"})
)


def delta() -> bytes:
    text = f"t={time.monotonic_ns()};"
    return event(
        "content_block_delta",
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": text}},
    )


class Upstream(asyncio.Protocol):
    def __init__(self) -> None:
        self.buffer = b""
        self.transport: Any = None

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        transport.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            head_end = self.buffer.find(b"\r\n\r\n")
            if head_end < 0:
                return
            head = self.buffer[:head_end].lower()
            length = 0
            at = head.find(b"content-length:")
            if at >= 0:
                length = int(
                    head[at + 15 : head.find(b"\r\n", at) if head.find(b"\r\n", at) > 0 else None]
                )
            if len(self.buffer) < head_end + 4 + length:
                return
            body = self.buffer[head_end + 4 : head_end + 4 + length]
            self.buffer = self.buffer[head_end + 4 + length :]
            asyncio.get_running_loop().create_task(self.answer(body))

    async def answer(self, body: bytes) -> None:
        if b"slow" in body[:400] or b"slow" in body:
            await asyncio.sleep(SLOW_MS / 1000)
        stream = b'"stream":true' in body or b'"stream": true' in body
        if self.transport.is_closing():
            return
        if not stream:
            self.transport.write(JSON_HEAD + MESSAGE)
            return
        self.transport.write(SSE_HEAD + chunk(START + BLOCK))
        for _ in range(EVENTS):
            await asyncio.sleep(EVENT_GAP_MS / 1000)
            if self.transport.is_closing():
                return
            self.transport.write(chunk(delta()))
        self.transport.write(chunk(END) + b"0\r\n\r\n")


async def main(port: int) -> None:
    server = await asyncio.get_running_loop().create_server(
        Upstream, "127.0.0.1", port, backlog=4096
    )
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    uvloop.run(main(int(sys.argv[1])))
