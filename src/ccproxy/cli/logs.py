"""`ccproxy logs`: the latest access-log entries and what they add up to, in the terminal."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from ccproxy.cli.common import fail, settings_or_exit


def show_logs(
    limit: int, model: str | None, provider: str | None, config: Path | None,
    host: str | None, port: int | None, auth_token: str | None,
) -> None:  # fmt: skip
    """From the running server's `/logs/query`; from the DuckDB file when none is running."""
    from ccproxy.observability.query import Query
    from ccproxy.observability.store import query_file

    settings = settings_or_exit(config)
    given = {"host": host, "port": port}
    server = settings.server.model_copy(update={k: v for k, v in given.items() if v is not None})
    base = server.local_url
    token = auth_token or (settings.security.auth_token.get_secret_value()
                           if settings.security.auth_token else None)  # fmt: skip
    params: dict[str, Any] = {"limit": limit, "model": model, "provider": provider}
    params = {k: v for k, v in params.items() if v is not None}
    try:
        rows = _from_server(base, token, params)
    except (urllib.error.URLError, ConnectionError):  # no server there
        path = settings.observability.duckdb_file
        if not path.exists():
            fail(f"no server at {base} and no access log at {path}")
        rows = query_file(path, Query(model=model, provider=provider, limit=limit))
    console = Console()
    console.print(_recent(rows))
    console.print(_summary(rows))


def _from_server(base: str, token: str | None, params: dict[str, Any]) -> list[dict[str, Any]]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    url = f"{base}/logs/query?{urllib.parse.urlencode(params)}"
    # Loopback only: no proxy from the environment.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(urllib.request.Request(url, headers=headers), timeout=30) as answer:
            rows: list[dict[str, Any]] = json.load(answer)["data"]
    except urllib.error.HTTPError as exc:
        if exc.code == 401:
            fail("the server wants its client token: pass --auth-token or set "
                 "SECURITY__AUTH_TOKEN")  # fmt: skip
        if exc.code == 404:
            fail(
                "the server keeps no access log: it is off (OBSERVABILITY__LOGS_ENABLED=true)"
                " or another process holds its file"
            )
        fail(f"the server answered {exc.code} to {url}")
    return rows


def _recent(rows: list[dict[str, Any]]) -> Table:
    table = Table(title=f"Latest {len(rows)} requests", title_justify="left")
    for name in ("time (UTC)", "path", "model", "status", "ms", "in", "out", "cache r/w", "$"):
        table.add_column(name, justify="right" if name in ("ms", "in", "out", "$") else "left")
    for row in rows:
        table.add_row(
            (row["timestamp"] or "")[5:19].replace("T", " "), row["path"],
            row["model"] or row["model_requested"] or "", str(row["status_code"]),
            f"{row['duration_ms']:.0f}", str(row["input_tokens"]), str(row["output_tokens"]),
            f"{row['cache_read_tokens']}/{row['cache_write_tokens']}", _dollars(row["cost_usd"]),
        )  # fmt: skip
    return table


def _summary(rows: list[dict[str, Any]]) -> Table:
    totals: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for row in rows:
        model = row["model"] or row["model_requested"] or "(none)"
        total = totals[model]
        total[0] += 1
        total[1] += row["input_tokens"] + row["cache_read_tokens"] + row["cache_write_tokens"]
        total[2] += row["output_tokens"]
        total[3] += row["cost_usd"] or 0
        total[4] += row["status_code"] >= 400
    table = Table(title="By model", title_justify="left")
    for name in ("model", "requests", "errors", "tokens in", "tokens out", "API cost $"):
        table.add_column(name, justify="left" if name == "model" else "right")
    for model, (count, tokens_in, tokens_out, cost, errors) in sorted(totals.items()):
        table.add_row(model, f"{count:.0f}", f"{errors:.0f}", f"{tokens_in:.0f}",
                      f"{tokens_out:.0f}", f"{cost:.4f}")  # fmt: skip
    return table


def _dollars(cost: float | None) -> str:
    return "" if cost is None else f"{cost:.5f}"
