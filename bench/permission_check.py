"""What a permission decision costs Claude Code, apart from the person deciding.

    .venv/bin/python bench/permission_check.py [ROUNDS]

Starts `ccproxy` with one allow rule, then times ROUNDS calls of each kind, one at a time:
- `check_permission` through the official MCP client (the path Claude Code takes), decided by
  the rule;
- `POST /mcp/permission/check`, decided by the rule;
- a request nobody has a rule for: the time from `POST /permissions/{id}/respond` to the waiting
  check's answer (what a person's answer adds).
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
from mcp.client.client import Client

ROOT = Path(__file__).resolve().parents[1]
CCPROXY = str(ROOT / ".venv" / "bin" / "ccproxy")
PORT = 18620
URL = f"http://127.0.0.1:{PORT}"
RULES = [{"decision": "allow", "tool": "Read"}]


async def timed(rounds: int, call: Callable[[], Awaitable[object]]) -> list[float]:
    await call()  # warm-up
    spent = []
    for _ in range(rounds):
        started = time.perf_counter()
        await call()
        spent.append((time.perf_counter() - started) * 1000)
    return spent


async def answer_latency(http: httpx.AsyncClient) -> float:
    """From posting the answer to the waiting check getting it back, in ms."""
    body = {"tool_name": "Bash", "input": {"command": "make"}}
    check = asyncio.ensure_future(http.post("/mcp/permission/check", json=body))
    while not (waiting := (await http.get("/permissions")).json()["data"]):
        await asyncio.sleep(0.001)
    started = time.perf_counter()
    await http.post(f"/permissions/{waiting[0]['id']}/respond", json={"allowed": True})
    (await check).raise_for_status()
    return (time.perf_counter() - started) * 1000


async def measure(rounds: int) -> dict[str, list[float]]:
    read = {"tool_name": "Read", "input": {"file_path": "/etc/hosts"}}
    async with Client(URL + "/mcp") as mcp, httpx.AsyncClient(base_url=URL, timeout=30) as http:
        results = {
            "MCP check_permission, rule": await timed(
                rounds, lambda: mcp.call_tool("check_permission", read)
            ),
            "REST /mcp/permission/check, rule": await timed(
                rounds, lambda: http.post("/mcp/permission/check", json=read)
            ),
        }
        results["answer → waiting check returns"] = [
            await answer_latency(http) for _ in range(rounds)
        ]
    return results


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    env = {
        **os.environ,
        "SECURITY__PERMISSION_RULES": json.dumps(RULES),
        "HOME": tempfile.mkdtemp(),
    }
    server = subprocess.Popen(
        [CCPROXY, "--port", str(PORT), "--log-level", "WARNING"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(URL + "/health", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        results = asyncio.run(measure(rounds))
    finally:
        server.terminate()
        server.wait(15)
    print(f"{rounds} rounds each, one at a time")
    for name, spent in results.items():
        p99 = statistics.quantiles(spent, n=100)[98]
        print(f"{name:36} median {statistics.median(spent):6.2f} ms   p99 {p99:6.2f} ms")


if __name__ == "__main__":
    main()
