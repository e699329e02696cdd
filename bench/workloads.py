"""The measurements, each against one running target. Benchmark code only."""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

from bench.client import Connection
from bench.targets import CHAT, MESSAGE, Target

TICK = os.sysconf("SC_CLK_TCK")
WRK_SCRIPT = """wrk.method = "POST"
wrk.body = '{body}'
wrk.headers["content-type"] = "application/json"
wrk.headers["x-api-key"] = "dummy"
"""


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


@dataclass
class Latency:
    median_of_medians_ms: float
    p50_ms: float
    p90_ms: float
    p99_ms: float


def sequential(
    target: Target, path: str, body: dict[str, object], rounds: int = 5, per_round: int = 200
) -> Latency:
    """One request at a time over one kept-alive connection; the median of the round medians."""
    conn = Connection(target.port)
    raw = json.dumps(body).encode()
    for _ in range(50):
        conn.post(path, raw, target.headers)
    medians, every = [], []
    for _ in range(rounds):
        times = []
        for _ in range(per_round):
            reply = conn.post(path, raw, target.headers)
            assert reply.status == 200, (target.name, reply.status, reply.body[:200])
            times.append((reply.last_ns - reply.sent_ns) / 1e6)
        medians.append(statistics.median(times))
        every += times
    conn.close()
    return Latency(
        statistics.median(medians),
        percentile(every, 0.5),
        percentile(every, 0.9),
        percentile(every, 0.99),
    )


@dataclass
class Streaming:
    first_byte_ms: float
    last_byte_ms: float
    worst_event_delay_ms: float  # the longest any event took from upstream write to client read
    p99_event_delay_ms: float


def streaming(target: Target, path: str, count: int = 30) -> Streaming:
    conn = Connection(target.port)
    raw = json.dumps({**MESSAGE, "stream": True}).encode()
    conn.post(path, raw, target.headers)
    firsts, lasts, delays = [], [], []
    for _ in range(count):
        reply = conn.post(path, raw, target.headers)
        assert reply.status == 200 and reply.event_delays_ns, (target.name, reply.status)
        firsts.append((reply.first_ns - reply.sent_ns) / 1e6)
        lasts.append((reply.last_ns - reply.sent_ns) / 1e6)
        delays += [d / 1e6 for d in reply.event_delays_ns]
    conn.close()
    return Streaming(
        statistics.median(firsts), statistics.median(lasts), max(delays), percentile(delays, 0.99)
    )


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / TICK


def rss_mb(pids: list[int], field: str = "VmRSS") -> float:
    total = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        if found := re.search(rf"^{field}:\s+(\d+) kB", status, re.M):
            total += int(found.group(1))
    return total / 1024


@dataclass
class Throughput:
    requests_per_s: float
    errors: int
    cpu_ms_per_request: float


def throughput(
    target: Target, path: str, concurrency: int, slow: bool, scratch: Path, seconds: int = 10
) -> Throughput:
    """wrk for `seconds` at `concurrency` connections; errors: non-2xx answers, socket errors."""
    body = dict(MESSAGE, model="claude-bench-slow") if slow else MESSAGE
    script = scratch / "wrk.lua"
    script.write_text(WRK_SCRIPT.format(body=json.dumps(body)))
    pids = target.pids()
    cpu_before = cpu_seconds(pids)
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{concurrency}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            f"http://127.0.0.1:{target.port}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    cpu = cpu_seconds(pids) - cpu_before
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    if found := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        errors += int(found.group(1))
    return Throughput(rate, errors, cpu / max(total, 1) * 1000 if pids else 0.0)


def load(target: Target, path: str, total: int, concurrency: int = 32) -> int:
    """Send `total` requests over `concurrency` connections; returns how many did not get a 200."""
    raw = json.dumps(MESSAGE).encode()
    failures = [0] * concurrency
    share = total // concurrency

    def worker(index: int) -> None:
        conn = Connection(target.port)
        for _ in range(share):
            if conn.post(path, raw, target.headers).status != 200:
                failures[index] += 1
        conn.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(failures)


def help_seconds(command: list[str], runs: int = 10) -> float:
    """Median wall time of `command` (hyperfine), for `ccproxy --help` and its peers."""
    out = subprocess.run(
        [
            "hyperfine",
            "-N",
            "--warmup",
            "2",
            "--runs",
            str(runs),
            "--export-json",
            "/dev/stdout",
            "--style",
            "none",
            " ".join(command),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return float(json.loads(out)["results"][0]["median"])


CHAT_BODY = CHAT
