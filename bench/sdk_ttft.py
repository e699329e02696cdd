"""SDK mode: time to first token with and without the pool (issue: the pool must cut the
proxy-side overhead at least 3x).

    .venv/bin/python bench/sdk_ttft.py [ROUNDS]

Starts the benchmark upstream and two ccproxy servers in front of it (SDK mode plain, and with
`--sdk-enable-pool`), then asks each for ROUNDS new conversations, one at a time, streamed.
Time to first token is measured from sending the request to the first text delta. The proxy-side
overhead is that time minus the upstream's own time to first token, measured directly. Between
requests the pooled server is given the moment it needs to start its replacement process, as
when a person types the next prompt.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.targets import credentials_home  # noqa: E402

PYTHON = str(ROOT / ".venv" / "bin" / "python")
CCPROXY = str(ROOT / ".venv" / "bin" / "ccproxy")
UPSTREAM_PORT = 18610


def first_token_seconds(url: str, body: dict[str, object]) -> float:
    started = time.perf_counter()
    with httpx.stream("POST", url, json=body, timeout=120) as response:
        response.raise_for_status()
        for line in response.iter_lines():
            if line.startswith("data:") and '"text_delta"' in line:
                return time.perf_counter() - started
    raise RuntimeError(f"no text from {url}")


def wait_ready(url: str, pooled: bool) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            status = httpx.get(url + "/sdk/status", timeout=2).json()
            if not pooled or status["pool"]["idle"] == status["pool"]["size"]:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not get ready")


def measure(port: int, env: dict[str, str], pooled: bool, rounds: int) -> list[float]:
    command = [CCPROXY, "serve", "--port", str(port), "--log-level", "WARNING"]
    if pooled:
        command += ["--sdk-enable-pool", "--sdk-pool-size", "2"]
    server = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        times = []
        for number in range(rounds):
            wait_ready(url, pooled)
            body = {
                "model": "claude-bench",
                "max_tokens": 100,
                "stream": True,
                "messages": [{"role": "user", "content": f"conversation {number}"}],
            }
            times.append(first_token_seconds(url + "/sdk/v1/messages", body))
        return times
    finally:
        server.terminate()
        server.wait(30)


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    home = credentials_home(Path(tempfile.mkdtemp(prefix="ccproxy-bench-sdk-")))
    upstream_url = f"http://127.0.0.1:{UPSTREAM_PORT}"
    upstream = subprocess.Popen(
        [PYTHON, str(ROOT / "bench" / "upstream.py"), str(UPSTREAM_PORT)],
        env={**os.environ, "BENCH_EVENTS": "5"},
    )
    try:
        time.sleep(1)
        direct_body = {"model": "claude-bench", "max_tokens": 10, "stream": True, "messages": []}
        direct = [
            first_token_seconds(upstream_url + "/v1/messages", direct_body) for _ in range(20)
        ]
        env = {
            "PATH": os.environ["PATH"],
            "HOME": str(home),
            "ANTHROPIC_BASE_URL": upstream_url,
            "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
        }
        cold = measure(UPSTREAM_PORT + 1, env, pooled=False, rounds=rounds)
        warm = measure(UPSTREAM_PORT + 2, env, pooled=True, rounds=rounds)
    finally:
        upstream.terminate()
        upstream.wait(10)
    base = statistics.median(direct)
    result = {
        "upstream_ttft_ms": round(base * 1000, 2),
        "sdk_ttft_ms": round(statistics.median(cold) * 1000, 1),
        "sdk_pool_ttft_ms": round(statistics.median(warm) * 1000, 1),
        "overhead_ms": round((statistics.median(cold) - base) * 1000, 1),
        "pool_overhead_ms": round((statistics.median(warm) - base) * 1000, 1),
    }
    result["pool_cut"] = round(result["overhead_ms"] / result["pool_overhead_ms"], 2)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
