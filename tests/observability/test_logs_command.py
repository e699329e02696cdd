"""`ccproxy logs` as a user runs it: from a running server, and from the file when none runs."""

from __future__ import annotations

from pathlib import Path

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
    assert "Latest 2 requests" in live.stdout and "By model" in live.stdout
    assert "claude-haiku-5-5" in live.stdout and "claude-sonnet-5-5" in live.stdout
    # The server has stopped: the same command reads the file.
    offline = ccproxy("logs", "--port", str(server.port), "--model", "claude-haiku-5-5", env=env)
    assert offline.returncode == 0, offline.stderr
    assert "Latest 1 requests" in offline.stdout and "claude-sonnet-5-5" not in offline.stdout
    elsewhere = {**env, "OBSERVABILITY__DUCKDB_PATH": str(tmp_path / "none.duckdb")}
    nothing = ccproxy("logs", "--port", str(server.port), env=elsewhere)
    assert nothing.returncode == 1 and "no server" in nothing.stderr
