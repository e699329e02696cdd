"""500 streams at once through one proxy, half Anthropic Messages and half OpenAI Chat: all of
them complete, whole (issue 10, item 5). The fake upstream holds every stream after its first
event until all 500 are open, so they really are in flight together."""

from __future__ import annotations

import asyncio

import httpx

from tests.fakes.anthropic_api import FakeAnthropic
from tests.load.calls import CALLS, Call

STREAMS = 500


async def _stream(client: httpx.AsyncClient, proxy: str, call: Call, n: int) -> str | None:
    assert call.body is not None
    response = await client.post(proxy + call.path, json=call.body(f"soak-{n}"))
    return call.check(response)


async def test_500_concurrent_streams_complete(proxy: str, anthropic_fake: FakeAnthropic) -> None:
    anthropic_fake.crowd = STREAMS
    calls = [CALLS["messages-stream"], CALLS["chat-stream"]]
    limits = httpx.Limits(max_connections=STREAMS, max_keepalive_connections=STREAMS)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        problems = await asyncio.gather(
            *(_stream(client, proxy, calls[n % 2], n) for n in range(STREAMS))
        )
    assert [p for p in problems if p is not None] == []
    assert anthropic_fake.max_streams_open == STREAMS
    assert anthropic_fake.streams_open == 0
    assert len(anthropic_fake.message_requests()) == STREAMS
