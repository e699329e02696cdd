"""The soak of issue 10, item 5, in the short form the suite runs: mixed requests through a
`ccproxy serve` process while the upstream fails 5% of them (529, 500, a cut connection).
Every answer is the right one, every failure is an injected one passed on as such, the access log
has one row per request, and the process's memory stops growing.

`CCPROXY_SOAK_REQUESTS` sets the length (2,000 here); `python -m bench.soak` runs the full 20,000
and prints the numbers (bench/README.md)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from tests.cli.serving import Serving
from tests.fakes.anthropic_api import FakeAnthropic
from tests.fakes.faults import Faults
from tests.fakes.live import LiveServer
from tests.load import soak

REQUESTS = int(os.environ.get("CCPROXY_SOAK_REQUESTS", "2000"))


@pytest.mark.soak
def test_soak_with_injected_faults(
    fake_api: tuple[FakeAnthropic, LiveServer], logged_in: tuple[str, str], tmp_path: Path
) -> None:
    fake = fake_api[0]
    fake.faults = Faults(soak.FAULT_RATE, soak.SEED)
    env = {
        "CLAUDE__API_BASE_URL": fake_api[1].url,
        "OBSERVABILITY__LOGS_ENABLED": "true",
        "OBSERVABILITY__DUCKDB_PATH": str(tmp_path / "access_log.duckdb"),
    }
    with Serving(env=env) as served:
        report = asyncio.run(soak.drive(served.url, served.process.pid, fake, REQUESTS))
    print("\n".join(report.lines(fake.faults.injected)))  # noqa: T201 - shown with -s
    assert report.problems == []
    assert report.faults_met == fake.faults.injected
    assert sum(report.calls.values()) == REQUESTS
    assert report.rows == REQUESTS
    assert len(report.request_ids) == REQUESTS and "missing" not in report.request_ids
    assert report.logged_ids == report.request_ids  # each request id logged exactly once
    assert report.rss_end_kib - report.rss_early_kib < soak.RSS_GROWTH_KIB
    assert "Traceback" not in served.log
