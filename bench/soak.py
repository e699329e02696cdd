"""The full soak of issue 10: 20,000 mixed requests through `ccproxy serve` with 5% injected
upstream faults, the access log on. Prints the numbers the README shows.

    .venv/bin/python -m bench.soak [--requests N]

The upstream is the fake Anthropic API of the tests (tests/fakes/anthropic_api.py) with its seeded
fault injector, and every answer is judged as the test judges it (tests/load/soak.py); the
difference is the length. Exit code 1 when anything the test asserts does not hold.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import tempfile
from pathlib import Path

from tests.cli.serving import Serving
from tests.fakes.anthropic_api import FakeAnthropic
from tests.fakes.claude_account import ClaudeAccount
from tests.fakes.faults import Faults
from tests.fakes.live import LiveServer
from tests.load import soak

# The proxy reads these; a developer's own values must not point it elsewhere.
_FOREIGN = ("CLAUDE_CODE_OAUTH_TOKEN", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "HTTP_PROXY",
            "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")  # fmt: skip
_SECTIONS = ("SERVER__", "SECURITY__", "CLAUDE__", "CODEX__", "OBSERVABILITY__")


def _clean_environment(home: Path) -> None:
    for name in list(os.environ):
        if name in _FOREIGN or name.upper().startswith(_SECTIONS) or name.startswith("XDG_"):
            del os.environ[name]
    os.environ["HOME"] = str(home)


def run(requests: int) -> bool:
    with tempfile.TemporaryDirectory(prefix="ccproxy-soak-") as scratch:
        home = Path(scratch) / "home"
        home.mkdir()
        _clean_environment(home)
        account = ClaudeAccount()
        account.write_credentials(home / ".claude" / ".credentials.json")
        fake = FakeAnthropic(account)
        fake.faults = Faults(soak.FAULT_RATE, soak.SEED)
        with LiveServer(fake.app) as upstream:
            # Each injected cut is an exception in the fake's server, its traceback noise here
            # (set after the server's start, which sets the level of uvicorn's loggers).
            logging.getLogger("uvicorn.error").setLevel(logging.CRITICAL)
            env = {
                "CLAUDE__API_BASE_URL": upstream.url,
                "OBSERVABILITY__LOGS_ENABLED": "true",
                "OBSERVABILITY__DUCKDB_PATH": str(Path(scratch) / "access_log.duckdb"),
            }
            with Serving(env=env) as served:
                report = asyncio.run(soak.drive(served.url, served.process.pid, fake, requests))
        print("\n".join(report.lines(fake.faults.injected)))
        for problem in report.problems[:20]:
            print("  problem:", problem)
        growth = report.rss_end_kib - report.rss_early_kib
        return (
            not report.problems
            and report.faults_met == fake.faults.injected
            and report.rows == requests
            and report.logged_ids == report.request_ids
            and growth < soak.RSS_GROWTH_KIB
            and "Traceback" not in served.log
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=20_000)
    ok = run(parser.parse_args().requests)
    print("soak:", "passed" if ok else "FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
