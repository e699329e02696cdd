"""Runs a client script under the interpreter that holds the SDK version under test."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = ROOT / "build" / "clients"


def run_client(python: Path | str, script: str, base_url: str, api_key: str) -> dict[str, Any]:
    """`python tests/clients/<script> BASE_URL API_KEY`, and the JSON it prints."""
    if not Path(python).exists():
        pytest.fail(f"{python} is missing: `make test` installs the test clients in {CLIENTS}")
    result = subprocess.run(
        [str(python), str(ROOT / "tests" / "clients" / script), base_url, api_key],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    output: dict[str, Any] = json.loads(result.stdout)
    return output
