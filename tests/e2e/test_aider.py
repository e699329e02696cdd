"""aider, an OpenAI-only client, completes an edit through /api/v1 against the fake upstream."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.fakes.anthropic_api import FakeAnthropic

AIDER = Path(__file__).resolve().parents[2] / "build" / "clients" / "aider" / "bin" / "aider"
KNOWN = {
    "max_input_tokens": 128000,
    "max_output_tokens": 16384,
    "input_cost_per_token": 0.0,
    "output_cost_per_token": 0.0,
    "litellm_provider": "openai",
    "mode": "chat",
}


def offline_home(home: Path) -> None:
    """aider downloads model metadata unless a fresh copy is cached; give it one."""
    caches = home / ".aider" / "caches"
    caches.mkdir(parents=True)
    metadata = {name: KNOWN for name in ("gpt-4o", "gpt-4o-mini")}
    (caches / "model_prices_and_context_window.json").write_text(json.dumps(metadata))


@pytest.mark.cli
def test_aider_applies_an_edit(proxy: str, tmp_path: Path, anthropic_fake: FakeAnthropic) -> None:
    if not AIDER.exists():
        pytest.fail(f"{AIDER} is missing: `make test` installs aider there")
    offline_home(tmp_path)
    (tmp_path / "hello.py").write_text('print("hello")\n')
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "OPENAI_API_BASE": proxy + "/api/v1",
        "OPENAI_API_KEY": "dummy",
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
    }
    flags = [
        "--model",
        "openai/gpt-4o",
        "--edit-format",
        "whole",
        "--no-git",
        "--yes-always",
        "--no-stream",
        "--no-pretty",
        "--no-check-update",
        "--no-show-release-notes",
        "--analytics-disable",
        "--map-tokens",
        "0",
    ]
    message = 'AIDER_WRITE hello.py print("edited by aider")'
    result = subprocess.run(
        [str(AIDER), *flags, "--message", message, "hello.py"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Applied edit to hello.py" in result.stdout
    assert (tmp_path / "hello.py").read_text() == 'print("edited by aider")\n'
    [sent] = anthropic_fake.message_requests()
    assert sent.json()["model"] == "claude-sonnet-5-5"
    assert "HTTPSConnectionPool" not in result.stdout + result.stderr  # it never tried the internet
