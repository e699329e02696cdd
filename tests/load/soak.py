"""The soak run: N mixed requests at a fixed concurrency through a `ccproxy serve` process whose
fake upstream fails a seeded share of them, then the access log and the process's memory.

Shared by the test (tests/load/test_soak.py, a short run) and `python -m bench.soak` (the full
one): both judge every answer the same way, see tests/load/calls.py."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx

from tests.fakes.anthropic_api import FakeAnthropic
from tests.load import procfs
from tests.load.calls import CALLS, Call, fault_problem

# The mix, by weight: mostly streams, as coding tools send them.
MIX = {"messages-stream": 30, "messages": 20, "chat-stream": 20, "chat": 15,
       "count-tokens": 10, "models": 5}  # fmt: skip
CONCURRENCY = 32
FAULT_RATE = 0.05
SEED = 10
# Growth allowed between the first tenth of a run and its end. The access log keeps the rows
# of the last second in memory and DuckDB caches the pages it wrote; neither depends on how many
# requests came before. A leak of even 1 KB per request would pass this mark well before
# 20,000 requests (18 MB).
RSS_GROWTH_KIB = 12 * 1024
_CHECK_ERRORS = (ValueError, KeyError, IndexError, TypeError, AttributeError)


@dataclass
class Report:
    requests: int
    calls: Counter[str] = field(default_factory=Counter)
    faults_met: Counter[str] = field(default_factory=Counter)  # as the clients saw them
    problems: list[str] = field(default_factory=list)  # answers that were not what they should be
    request_ids: Counter[str] = field(default_factory=Counter)  # from x-ccproxy-request-id
    rows: int = 0  # /logs/status
    logged_ids: Counter[str] = field(default_factory=Counter)  # /logs/query, every page
    rss_early_kib: int = 0  # after the first tenth of the requests
    rss_end_kib: int = 0
    seconds: float = 0.0

    def lines(self, injected: Counter[str]) -> list[str]:
        """The numbers, for people."""
        early = self.requests // 10
        return [
            f"requests: {self.requests} ({_counts(self.calls)})",
            f"injected upstream faults: {sum(injected.values())} ({_counts(injected)})",
            f"proxy errors beyond the injected ones: {len(self.problems)}",
            f"access-log rows: {self.rows}; request ids logged once: "
            f"{sum(1 for n in self.logged_ids.values() if n == 1)} of {len(self.request_ids)}",
            f"RSS after {early} / {self.requests} requests: {self.rss_early_kib / 1024:.1f} / "
            f"{self.rss_end_kib / 1024:.1f} MB",
            f"duration: {self.seconds:.1f} s, {self.requests / self.seconds:.0f} requests/s "
            f"at concurrency {CONCURRENCY}",
        ]


def _counts(counted: Counter[str]) -> str:
    return ", ".join(f"{key} {n}" for key, n in sorted(counted.items()))


def mix(requests: int, seed: int = SEED) -> list[Call]:
    chooser = random.Random(seed)
    names = chooser.choices(list(MIX), weights=list(MIX.values()), k=requests)
    return [CALLS[name] for name in names]


async def _one(
    client: httpx.AsyncClient, url: str, fake: FakeAnthropic, call: Call, n: int, report: Report
) -> None:
    marker = f"soak-{n}"
    report.calls[call.name] += 1
    try:
        body = call.body(marker) if call.body is not None else None
        response = await client.request(call.method, url + call.path, json=body)
    except httpx.HTTPError as exc:
        report.problems.append(f"{call.name} {marker}: {type(exc).__name__} {exc}")
        return
    report.request_ids[response.headers.get("x-ccproxy-request-id", "missing")] += 1
    fault = fake.faults.by_key.get(marker) if fake.faults and call.upstream else None
    try:
        problem = fault_problem(call, fault, response) if fault else call.check(response)
    except _CHECK_ERRORS as exc:
        problem = f"unreadable answer ({exc!r}): {response.text[-300:]!r}"
    if fault:
        report.faults_met[fault] += 1
    if problem is not None:
        report.problems.append(f"{call.name} {marker}: {problem}")


async def _run(
    client: httpx.AsyncClient, url: str, fake: FakeAnthropic, work: Iterator[tuple[int, Call]],
    report: Report,
) -> None:  # fmt: skip
    async def worker() -> None:
        for n, call in work:  # one shared iterator: each request is taken once
            await _one(client, url, fake, call, n, report)

    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))


async def _access_log(client: httpx.AsyncClient, url: str, report: Report) -> None:
    """The row count and every logged request id, once every request has been recorded."""
    deadline = time.monotonic() + 15
    while True:  # a request's row is queued just after its last byte went out
        report.rows = (await client.get(url + "/logs/status")).json()["rows"]
        if report.rows >= report.requests or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.1)
    params = {"limit": "1000"}
    while True:
        page = (await client.get(url + "/logs/query", params=params)).json()
        report.logged_ids.update(row["request_id"] for row in page["data"])
        if not page.get("next_cursor"):
            return
        params["cursor"] = page["next_cursor"]


async def drive(url: str, pid: int, fake: FakeAnthropic, requests: int) -> Report:
    """Sends `requests` requests of the mix to the proxy at `url` (process `pid`)."""
    report = Report(requests)
    calls = list(enumerate(mix(requests)))
    early = requests // 10
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    started = time.perf_counter()
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        await _run(client, url, fake, iter(calls[:early]), report)
        report.rss_early_kib = procfs.rss_kib(pid)
        await _run(client, url, fake, iter(calls[early:]), report)
        report.rss_end_kib = procfs.rss_kib(pid)
        report.seconds = time.perf_counter() - started
        await _access_log(client, url, report)
    return report
