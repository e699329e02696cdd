"""1,000 streams whose client hangs up after the first bytes: each upstream stream is closed, and
the proxy is left holding nothing it did not hold before (issue 10, item 2).

Two views of one procedure: a proxy in this process, whose event loop is reachable, to count its
asyncio tasks; and `ccproxy serve` as a process of its own, to count its file descriptors and TCP
connections from /proc. The fake upstream holds every stream after `message_start` and counts
the ones that ended because the proxy went away."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable

import httpx
import pytest

from tests.cli.serving import Serving
from tests.conftest import ProxyFactory
from tests.fakes.anthropic_api import FakeAnthropic
from tests.fakes.live import LiveServer, LiveServers
from tests.load import procfs

STREAMS = 1000
BATCH = 50  # streams open at once; 20 batches
WARM_UP = BATCH
BODY = {"model": "claude-sonnet-5-5", "max_tokens": 5, "stream": True,
        "messages": [{"role": "user", "content": "hi"}]}  # fmt: skip


@pytest.fixture
def held(anthropic_fake: FakeAnthropic) -> FakeAnthropic:
    anthropic_fake.crowd = 10**9  # never gathers: each stream waits until its client leaves
    return anthropic_fake


async def _cancel_one(client: httpx.AsyncClient, url: str) -> None:
    async with client.stream("POST", url, json=BODY) as response:
        assert response.status_code == 200
        first = await anext(response.aiter_raw())
        assert first.startswith(b"event: message_start")
    # Leaving the block with the body unread closes the connection: the client has hung up.


async def cancel_streams(proxy: str, count: int) -> None:
    limits = httpx.Limits(max_connections=BATCH, max_keepalive_connections=0)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        for start in range(0, count, BATCH):
            batch = range(start, min(start + BATCH, count))
            await asyncio.gather(*(_cancel_one(client, proxy + "/api/v1/messages") for _ in batch))


def wait_for(condition: Callable[[], bool], seconds: float = 30) -> None:
    """Polls until `condition` holds (the proxy winds down asynchronously); the caller then
    asserts the exact values, so a timeout shows what was left."""
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)


def _tasks_of(server: LiveServer) -> Counter[str]:
    """The tasks on the server's event loop, by coroutine, this probe's own excluded."""
    loop = server.server.servers[0].get_loop()

    async def probe() -> Counter[str]:
        me = asyncio.current_task()
        return Counter(
            task.get_coro().__qualname__  # type: ignore[union-attr]
            for task in asyncio.all_tasks()
            if task is not me
        )

    return asyncio.run_coroutine_threadsafe(probe(), loop).result(10)


def test_cancelled_streams_leave_no_task_behind(
    start_proxy: ProxyFactory, logged_in: tuple[str, str], servers: LiveServers,
    held: FakeAnthropic,
) -> None:  # fmt: skip
    proxy = start_proxy()
    server = servers.running[-1]
    asyncio.run(cancel_streams(proxy, WARM_UP))
    wait_for(lambda: held.streams_open == 0)
    baseline = _tasks_of(server)

    asyncio.run(cancel_streams(proxy, STREAMS))
    wait_for(lambda: held.streams_open == 0 and _tasks_of(server) == baseline)
    assert held.abandoned_streams == WARM_UP + STREAMS
    assert held.streams_open == 0
    assert _tasks_of(server) == baseline


def test_cancelled_streams_leave_no_fd_or_connection_behind(
    fake_api: tuple[FakeAnthropic, LiveServer], logged_in: tuple[str, str], held: FakeAnthropic
) -> None:
    upstream = fake_api[1].port
    with Serving(env={"CLAUDE__API_BASE_URL": fake_api[1].url}) as served:
        pid = served.process.pid
        # The warm-up loads what a first stream loads (modules, the upstream session), so the
        # baseline is the steady state; a cancelled stream's upstream connection is closed, not
        # pooled, so none is kept after it either.
        asyncio.run(cancel_streams(served.url, WARM_UP))
        wait_for(lambda: held.streams_open == 0 and procfs.connections_to(pid, upstream) == 0)
        fds = procfs.fd_count(pid)
        assert procfs.connections_on(pid, served.port) == 0

        asyncio.run(cancel_streams(served.url, STREAMS))
        wait_for(
            lambda: (
                held.streams_open == 0
                and procfs.fd_count(pid) == fds
                and procfs.connections_to(pid, upstream) == 0
                and procfs.connections_on(pid, served.port) == 0
            )
        )
        assert held.abandoned_streams == WARM_UP + STREAMS
        assert procfs.connections_to(pid, upstream) == 0
        assert procfs.connections_on(pid, served.port) == 0
        assert procfs.fd_count(pid) == fds
        # Still serving: a whole stream after all that.
        held.crowd = None
        answer = httpx.post(served.url + "/api/v1/messages", json=BODY, timeout=10)
        assert answer.text.rstrip().endswith('data: {"type": "message_stop"}')
