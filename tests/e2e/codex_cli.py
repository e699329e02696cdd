"""The real Codex CLI (npm `@openai/codex`, pinned in the Makefile) as a client of the proxy."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CODEX = ROOT / "build" / "clients" / "codex" / "node_modules" / ".bin" / "codex"
VERSION = "0.169.0"


def codex_binary() -> Path:
    if not CODEX.exists():
        pytest.fail(f"{CODEX} is missing: `make test` installs @openai/codex@{VERSION}")
    return CODEX


def run_codex(
    base_url: str,
    home: Path,
    prompt: str,
    *,
    model: str = "gpt-5.4",
    api_key: str = "dummy",
    settings: str = "",
) -> tuple[subprocess.CompletedProcess[str], list[dict[str, Any]]]:
    """`codex exec --json PROMPT` with a custom provider whose base_url is `base_url`
    (UPSTREAMS.md §4.4), and any top-level `settings` (TOML lines); returns the run and its JSONL
    events."""
    codex_home = home / ".codex"
    codex_home.mkdir(parents=True, exist_ok=True)
    (codex_home / "config.toml").write_text(
        f'model = "{model}"\n'
        f"{settings}"
        'model_provider = "proxy"\n'
        "check_for_update_on_startup = false\n"
        "[analytics]\n"
        "enabled = false\n"
        "[model_providers.proxy]\n"
        'name = "ccproxy"\n'
        f'base_url = "{base_url}"\n'
        'wire_api = "responses"\n'
        'env_key = "PROXY_API_KEY"\n'
    )
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(home),
        "CODEX_HOME": str(codex_home),
        "PROXY_API_KEY": api_key,
    }
    result = subprocess.run(
        [str(codex_binary()), "exec", "--skip-git-repo-check", "--json", prompt],
        env=env,
        cwd=home,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    events = []
    for line in result.stdout.splitlines():
        try:
            events.append(json.loads(line))
        except ValueError:
            continue
    return result, events
