"""`ccproxy logs` as a user runs it: from a running server, and from the file when none runs."""

from __future__ import annotations

from pathlib import Path

import duckdb
import httpx

from tests.cli.serving import Serving, ccproxy
from tests.fakes.anthropic_api import FakeAnthropic
from tests.fakes.live import LiveServer

BODY = {"max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]}


def test_logs_from_the_server_then_from_the_file(
    fake_api: tuple[FakeAnthropic, LiveServer], logged_in: tuple[str, str], tmp_path: Path
) -> None:
    env = {
        "CLAUDE__API_BASE_URL": fake_api[1].url,
        "OBSERVABILITY__LOGS_ENABLED": "true",
        "OBSERVABILITY__DUCKDB_PATH": str(tmp_path / "log.duckdb"),
        "COLUMNS": "200",
    }
    with Serving(env=env) as server:
        for model in ("claude-sonnet-5-5", "claude-haiku-5-5"):
            httpx.post(server.url + "/api/v1/messages", json={**BODY, "model": model})
        live = ccproxy("logs", "--port", str(server.port), env=env)
    assert live.returncode == 0, live.stderr
    # The frozen start-up heap is released at exit, or DuckDB's binding reports it as leaked.
    assert "leaked" not in server.log
    assert "Latest 2 requests" in live.stdout and "By model" in live.stdout
    assert "claude-haiku-5-5" in live.stdout and "claude-sonnet-5-5" in live.stdout
    # The server has stopped: the same command reads the file.
    offline = ccproxy("logs", "--port", str(server.port), "--model", "claude-haiku-5-5", env=env)
    assert offline.returncode == 0, offline.stderr
    assert "Latest 1 requests" in offline.stdout and "claude-sonnet-5-5" not in offline.stdout
    elsewhere = {**env, "OBSERVABILITY__DUCKDB_PATH": str(tmp_path / "none.duckdb")}
    nothing = ccproxy("logs", "--port", str(server.port), env=elsewhere)
    assert nothing.returncode == 1 and "no server" in nothing.stderr


def test_a_log_file_held_by_another_process_leaves_the_server_serving(
    fake_api: tuple[FakeAnthropic, LiveServer], logged_in: tuple[str, str], tmp_path: Path
) -> None:
    held = tmp_path / "log.duckdb"
    env = {
        "CLAUDE__API_BASE_URL": fake_api[1].url,
        "OBSERVABILITY__METRICS_ENABLED": "true",
        "OBSERVABILITY__LOGS_ENABLED": "true",
        "OBSERVABILITY__DUCKDB_PATH": str(held),
    }
    with duckdb.connect(str(held)), Serving(env=env) as server:  # as another ccproxy would
        answer = httpx.post(
            server.url + "/api/v1/messages", json={**BODY, "model": "claude-sonnet-5-5"}
        )
        status = httpx.get(server.url + "/logs/status")
        metrics = httpx.get(server.url + "/metrics").text
    assert answer.status_code == 200
    assert status.status_code == 404 and "another process" in status.json()["error"]["message"]
    assert 'status="200"} 1.0' in metrics  # metrics still count it
    assert f"no access log: {held} is in use by another process" in server.log


def test_several_workers_refuse_the_access_log(tmp_path: Path) -> None:
    env = {"OBSERVABILITY__LOGS_ENABLED": "true",
           "OBSERVABILITY__DUCKDB_PATH": str(tmp_path / "log.duckdb")}  # fmt: skip
    refused = ccproxy("serve", "--workers", "2", "--port", "0", env=env)
    assert refused.returncode == 1
    assert "needs --workers 1" in refused.stderr and "Traceback" not in refused.stderr
