"""The DuckDB access log on its own: rows go in through CSV and come back as they were."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from ccproxy.observability.entry import AccessEntry
from ccproxy.observability.query import Query
from ccproxy.observability.store import AccessLog


def entry(n: int, **fields: object) -> AccessEntry:
    made = AccessEntry(f"{n:032x}", 1_790_000_000.123456 + n, "POST", "/api/v1/messages")
    for name, value in fields.items():
        setattr(made, name, value)
    return made


def test_any_text_and_every_column_round_trip(tmp_path: Path) -> None:
    full = entry(1, route="/api/v1/messages", provider="claude_api", client_format="anthropic",
                 model_requested='a,"b"\nc', model_used="claude-sonnet-5-5", stream=True,
                 status_code=200, duration_ms=12.345, ttfb_ms=1.5, input_tokens=10,
                 output_tokens=5, cache_read_tokens=3, cache_write_tokens=2, cost_usd=0.000123,
                 cost_source="prices", session_id="s-1", user_agent="ua\x00 with NUL")  # fmt: skip
    odd = entry(2, model_requested="lone \ud800 surrogate", status_code=499,
                error_type="client_disconnected")  # fmt: skip

    async def run() -> list[dict[str, object]]:
        store = AccessLog(tmp_path / "log.duckdb", retention_days=90)
        await store.start()
        store.add(full)
        store.add(odd)
        found = await store.query(Query(limit=10))
        await store.close()
        return list(found["data"])

    second, first = asyncio.run(run())
    assert first["model_requested"] == 'a,"b"\nc' and first["user_agent"] == "ua with NUL"
    assert first["timestamp"] == "2026-09-21T14:13:21.123Z"
    assert (first["duration_ms"], first["ttfb_ms"]) == (12.345, 1.5)
    assert (first["input_tokens"], first["output_tokens"], first["cache_read_tokens"],
            first["cache_write_tokens"]) == (10, 5, 3, 2)  # fmt: skip
    assert first["cost_usd"] == pytest.approx(0.000123) and first["stream"] is True
    assert first["session_id"] == "s-1" and first["provider"] == "claude_api"
    assert second["model_requested"] == "lone ? surrogate"
    assert second["ttfb_ms"] is None and second["cost_usd"] is None and second["model"] is None
    assert second["error_type"] == "client_disconnected" and second["status_code"] == 499


def test_a_running_log_deletes_rows_older_than_its_retention(tmp_path: Path) -> None:
    now = time.time()

    async def run() -> list[str]:
        store = AccessLog(tmp_path / "log.duckdb", retention_days=2, prune_seconds=0.5)
        await store.start()
        store.add(entry(1, timestamp=now - 3 * 86_400))  # arrived while the server ran
        store.add(entry(2, timestamp=now - 86_400))
        store.add(entry(3, timestamp=now))
        await store.flush()
        before = [row["request_id"] for row in (await store.query(Query(limit=10)))["data"]]
        await asyncio.sleep(2.5)  # the writer's next rounds
        after = [row["request_id"] for row in (await store.query(Query(limit=10)))["data"]]
        await store.close()
        return [",".join(before), ",".join(after)]

    before, after = asyncio.run(run())
    assert before == f"{3:032x},{2:032x},{1:032x}"
    assert after == f"{3:032x},{2:032x}"
