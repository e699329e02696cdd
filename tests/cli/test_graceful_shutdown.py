"""SIGTERM, as a service manager sends it: no new connections, the streams in flight finish
within SERVER__SHUTDOWN_GRACE_SECONDS, and the access log keeps a row for each of them."""

from __future__ import annotations

import signal
import socket
import threading
import time
from pathlib import Path

import duckdb
import httpx

from tests.cli.serving import Serving
from tests.fakes.anthropic_api import FakeAnthropic
from tests.fakes.live import LiveServer

HELD = {
    "model": "fake-gated-stream",  # the fake sends message_start, then waits for its gate
    "max_tokens": 20,
    "stream": True,
    "messages": [{"role": "user", "content": "hi"}],
}


class HeldStream(threading.Thread):
    """A streamed request in the background; `started` once the first event arrived."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.started = threading.Event()
        self.text = ""
        self.error: Exception | None = None

    def run(self) -> None:
        try:
            with httpx.stream("POST", self.url + "/api/v1/messages", json=HELD, timeout=60) as r:
                for chunk in r.iter_text():
                    self.text += chunk
                    self.started.set()
        except httpx.HTTPError as exc:
            self.error = exc
        finally:
            self.started.set()


def _env(api: LiveServer, log: Path, grace: float) -> dict[str, str]:
    return {
        "CLAUDE__API_BASE_URL": api.url,
        "OBSERVABILITY__LOGS_ENABLED": "true",
        "OBSERVABILITY__DUCKDB_PATH": str(log),
        "SERVER__SHUTDOWN_GRACE_SECONDS": str(grace),
        "SERVER__LOG_LEVEL": "DEBUG",
    }


def _refuses_connections(port: int, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except ConnectionRefusedError:
            return True
        time.sleep(0.05)
    return False


def _rows(log: Path) -> list[tuple[object, ...]]:
    with duckdb.connect(str(log), read_only=True) as db:
        return db.execute("SELECT path, status_code, error_type FROM access_log").fetchall()


def test_sigterm_lets_a_stream_in_flight_finish(
    fake_api: tuple[FakeAnthropic, LiveServer], logged_in: tuple[str, str], tmp_path: Path
) -> None:
    log = tmp_path / "log.duckdb"
    with Serving(env=_env(fake_api[1], log, grace=30)) as server:
        stream = HeldStream(server.url)
        stream.start()
        assert stream.started.wait(15) and "message_start" in stream.text
        server.process.send_signal(signal.SIGTERM)
        assert _refuses_connections(server.port), "still accepting after SIGTERM"
        time.sleep(0.5)
        assert server.process.poll() is None and stream.is_alive()  # waiting for the stream
        fake_api[0].gate.set()
        stream.join(15)
        # uvicorn ends by raising the signal again once it is done, as a service manager expects.
        assert server.process.wait(15) == -signal.SIGTERM, server.log
    assert stream.error is None and "message_stop" in stream.text
    assert _rows(log) == [("/api/v1/messages", 200, None)]
    assert "Traceback" not in server.log


def test_a_stream_past_the_grace_period_is_cut_and_still_logged(
    fake_api: tuple[FakeAnthropic, LiveServer], logged_in: tuple[str, str], tmp_path: Path
) -> None:
    log = tmp_path / "log.duckdb"
    with Serving(env=_env(fake_api[1], log, grace=1)) as server:
        stream = HeldStream(server.url)
        stream.start()
        assert stream.started.wait(15)
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(20) == -signal.SIGTERM, server.log  # the gate never opened
        stream.join(15)
    assert "message_stop" not in stream.text
    assert isinstance(stream.error, httpx.RemoteProtocolError)  # cut, not a quiet success
    assert fake_api[0].abandoned_streams == 1  # the upstream request was cancelled too
    assert len(_rows(log)) == 1
    assert "graceful shutdown exceeded" in server.log
