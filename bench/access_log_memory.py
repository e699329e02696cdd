"""Resident memory of the DuckDB access log as it grows: `python -m bench.access_log_memory
[ROWS]` writes ROWS rows (default 250,000) through the store ccproxy uses, in batches of 1,000,
and prints RSS every 25,000 rows. A leak would climb steadily; a cache levels off."""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

from ccproxy.observability.entry import AccessEntry
from ccproxy.observability.store import AccessLog

BATCH = 1000
REPORT_EVERY = 25


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    return 0.0


def entry(n: int) -> AccessEntry:
    made = AccessEntry(
        request_id=f"{n:032x}", timestamp=time.time(), method="POST",
        path="/api/v1/messages", user_agent="bench/access-log-memory",
    )  # fmt: skip
    made.status_code, made.provider, made.model_requested = 200, "claude_api", "claude-sonnet-4-5"
    return made


async def main(rows: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = AccessLog(Path(tmp) / "access_log.duckdb", retention_days=90)
        await store.start()
        print("rows      RSS MB")
        for batch in range(rows // BATCH):
            for n in range(batch * BATCH, (batch + 1) * BATCH):
                store.add(entry(n))
            await store.flush()
            if (batch + 1) % REPORT_EVERY == 0:
                print(f"{(batch + 1) * BATCH:>7,}   {rss_mb():6.1f}", flush=True)
        await store.close()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 250_000))
