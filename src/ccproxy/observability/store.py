"""The DuckDB access log: schema migrations, batched inserts on a thread of their own, retention,
and the queries behind `/logs/status` and `/logs/query`.

DuckDB calls block, so every one runs on a single worker thread, which also serialises them (one
connection, never shared between threads).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from ccproxy.observability.entry import AccessEntry
from ccproxy.observability.query import Query, next_cursor, parse_cursor
from ccproxy.observability.rows import COLUMNS, INSERT_FROM_CSV, NAMES, csv_line

log = logging.getLogger(__name__)
T = TypeVar("T")

# Each migration runs once, in order; the applied ones are in schema_migrations.
MIGRATIONS: tuple[str, ...] = (
    "CREATE TABLE access_log ("
    + ", ".join(f"{name} {kind}" for name, kind in COLUMNS)
    + ");",  # no index: DuckDB's per-row-group min/max already skips old rows by time
    "CREATE TABLE permission_decisions (id VARCHAR, tool_name VARCHAR, input JSON,"
    " tool_use_id VARCHAR, status VARCHAR, decided_by VARCHAR, decider VARCHAR,"
    " message VARCHAR, created_at TIMESTAMP, decided_at TIMESTAMP);",
)


class AccessLogBusy(Exception):
    """Another process holds the file: DuckDB lets one process write it."""


# How often a running server deletes the rows that retention_days has aged out.
PRUNE_SECONDS = 3600.0


class AccessLog:
    def __init__(
        self, path: Path, retention_days: int, batch: int = 20_000,
        prune_seconds: float = PRUNE_SECONDS,
    ) -> None:  # fmt: skip
        self.path = path
        self.retention_days = retention_days
        self.prune_seconds = prune_seconds
        self._batch = batch  # rows held at most before a write (about 200 bytes each)
        self._lines: list[str] = []
        self._decisions: list[tuple[Any, ...]] = []
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="duckdb")
        self._db: duckdb.DuckDBPyConnection | None = None
        self._flusher: asyncio.Task[None] | None = None
        self._flushing: asyncio.Future[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        await self._run(self._open)
        self._flusher = asyncio.get_running_loop().create_task(self._write_every(1.0))

    async def close(self) -> None:
        if self._flusher is not None:
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
        await self.flush()
        await self._run(self._close_db)
        self._thread.shutdown(wait=True)

    def add(self, entry: AccessEntry) -> None:
        self._lines.append(csv_line(entry))
        if len(self._lines) == self._batch:  # once per batch: not a task per request
            self._spawn_flush()

    def add_decision(self, record: dict[str, Any]) -> None:
        self._decisions.append(_decision_row(record))

    def _spawn_flush(self) -> None:
        task = asyncio.get_running_loop().create_task(self.flush())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def flush(self) -> None:
        """Write what is waiting; concurrent calls share one write."""
        if self._flushing is not None:
            await asyncio.shield(self._flushing)
        lines, self._lines = self._lines, []
        decisions, self._decisions = self._decisions, []
        if not lines and not decisions:
            return
        # Joined and encoded here, in C: the writer thread is to hold the GIL as little as it can.
        csv = "".join(lines).encode("utf-8", "replace")
        self._flushing = asyncio.ensure_future(self._run(self._insert, csv, decisions))
        try:
            await asyncio.shield(self._flushing)
        finally:
            self._flushing = None

    async def status(self) -> dict[str, Any]:
        await self.flush()
        rows, oldest, newest = await self._run(self._fetch_one, "SELECT count(*), min(timestamp),"
                                               " max(timestamp) FROM access_log")  # fmt: skip
        size = self.path.stat().st_size if self.path.exists() else 0
        return {"enabled": True, "path": str(self.path), "rows": rows, "size_bytes": size,
                "oldest": _iso(oldest), "newest": _iso(newest),
                "retention_days": self.retention_days}  # fmt: skip

    async def query(self, query: Query) -> dict[str, Any]:
        await self.flush()
        sql, params = _select(query)
        found = await self._run(self._fetch_all, sql, params)
        rows = [_as_json(dict(zip(NAMES, row, strict=True))) for row in found[: query.limit]]
        more = len(found) > query.limit
        cursor = next_cursor(found[query.limit - 1]) if more else None
        return {"object": "list", "data": rows, "has_more": more, "next_cursor": cursor}

    # On the worker thread:

    def _open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # One thread: DuckDB's own pool would compete with the proxy for the cores.
        try:
            db = duckdb.connect(str(self.path), config={"threads": 1})
        except duckdb.IOException as exc:
            raise AccessLogBusy(f"{self.path} is in use by another process") from exc
        db.execute("CREATE TABLE IF NOT EXISTS schema_migrations"
                   " (version INTEGER, applied_at TIMESTAMP)")  # fmt: skip
        (applied,) = db.execute("SELECT count(*) FROM schema_migrations").fetchone() or (0,)
        for version, sql in enumerate(MIGRATIONS[applied:], start=applied + 1):
            db.execute(sql)
            db.execute("INSERT INTO schema_migrations VALUES (?, now())", [version])
        self.path.chmod(0o600)
        self._db = db
        self._prune()

    def _prune(self) -> None:
        assert self._db is not None
        cutoff = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=self.retention_days)
        self._db.execute("DELETE FROM access_log WHERE timestamp < ?", [cutoff])

    def _close_db(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def _insert(self, csv: bytes, decisions: list[tuple[Any, ...]]) -> None:
        assert self._db is not None
        if csv:
            self._insert_csv(csv)
        if decisions:
            self._db.executemany(
                "INSERT INTO permission_decisions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", decisions
            )

    def _insert_csv(self, csv: bytes) -> None:
        """Through a file that DuckDB's reader loads in C++. Binding each row's parameters
        (executemany) costs about 3 ms of CPU per row; this costs about 10 µs."""
        assert self._db is not None
        with tempfile.NamedTemporaryFile(suffix=".csv", dir=self.path.parent, delete=False) as f:
            f.write(csv)
        try:
            self._db.execute(INSERT_FROM_CSV, [f.name])
        finally:
            os.unlink(f.name)

    def _fetch_one(self, sql: str) -> tuple[Any, ...]:
        assert self._db is not None
        return self._db.execute(sql).fetchone() or ()

    def _fetch_all(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        assert self._db is not None
        return self._db.execute(sql, list(params)).fetchall()

    async def _run(self, call: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._thread, call, *args)

    async def _write_every(self, seconds: float) -> None:
        """Flush every `seconds`, and apply the retention every `prune_seconds`: a server that
        runs for weeks keeps no more days than one restarted daily."""
        loop = asyncio.get_running_loop()
        pruned = loop.time()
        while True:
            await asyncio.sleep(seconds)
            try:
                await self.flush()
                if loop.time() - pruned >= self.prune_seconds:
                    pruned = loop.time()
                    await self._run(self._prune)
            except duckdb.Error as exc:  # a full disk must not stop the proxy
                log.warning("the access log could not be written: %s", exc)


def _select(query: Query) -> tuple[str, list[Any]]:
    where, params = [], []
    for clause, value in (
        ("timestamp >= ?", query.start), ("timestamp < ?", query.end),
        ("(model = ? OR model_requested = ?)", query.model), ("provider = ?", query.provider),
        ("status_code = ?", query.status),
        ("status_code // 100 = ?", query.status_class),
    ):  # fmt: skip
        if value is not None:
            where.append(clause)
            params += [_naive(value)] * clause.count("?")
    if query.cursor is not None:
        stamp, request_id = parse_cursor(query.cursor)
        where.append("(timestamp, request_id) < (?, ?)")
        params += [stamp, request_id]
    sql = f"SELECT {', '.join(NAMES)} FROM access_log"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += f" ORDER BY timestamp DESC, request_id DESC LIMIT {query.limit + 1}"
    return sql, params


def _naive(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def _parse_time(text: Any) -> datetime | None:
    if not isinstance(text, str):
        return None
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment.astimezone(UTC).replace(tzinfo=None)


def _iso(value: Any) -> str | None:
    if not isinstance(value, datetime):
        return None
    return value.replace(tzinfo=UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _as_json(row: dict[str, Any]) -> dict[str, Any]:
    row["timestamp"] = _iso(row["timestamp"])
    return row


def query_file(path: Path, query: Query) -> list[dict[str, Any]]:
    """Rows straight from the file, for when no server holds it (DuckDB lets one process in)."""
    sql, params = _select(query)
    with duckdb.connect(str(path), read_only=True) as db:
        found = db.execute(sql, params).fetchall()
    return [_as_json(dict(zip(NAMES, row, strict=True))) for row in found[: query.limit]]


def _decision_row(record: dict[str, Any]) -> tuple[Any, ...]:
    """A decision as the table's row. The input goes as JSON text: given a dict, DuckDB infers a
    type from its values and fails the whole batch on mixed ones (`[[], 1.5]`).
    Text is made valid UTF-8: a client's JSON may escape a lone surrogate, which DuckDB refuses."""
    texts = (
        record["id"], record["tool_name"], json.dumps(record["input"], ensure_ascii=False),
        record["tool_use_id"], record["status"], record["decided_by"], record["decider"],
        record["message"],
    )  # fmt: skip
    times = (_parse_time(record["created_at"]), _parse_time(record["decided_at"]))
    return (*(_utf8(text) for text in texts), *times)


def _utf8(text: str | None) -> str | None:
    return None if text is None else text.encode("utf-8", "replace").decode("utf-8")
