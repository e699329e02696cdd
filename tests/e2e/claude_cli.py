"""The real `claude` CLI, the one bundled in the pinned claude-agent-sdk wheel."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import claude_agent_sdk

CLAUDE = Path(claude_agent_sdk.__file__).parent / "_bundled" / "claude"


def run_claude(
    base_url: str, home: Path, *args: str, api_key: str = "dummy"
) -> tuple[subprocess.CompletedProcess[str], dict[str, Any] | None]:
    """`claude -p …` on `base_url` in the UPSTREAMS.md §4.3 test environment, and its result."""
    home.mkdir(parents=True, exist_ok=True)
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(home),
        "ANTHROPIC_BASE_URL": base_url,
        "ANTHROPIC_API_KEY": api_key,
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
        "CLAUDE_CODE_MAX_RETRIES": "1",
    }
    result = subprocess.run(
        [str(CLAUDE), "-p", *args, "--output-format", "json"],
        env=env,
        cwd=home,
        capture_output=True,
        text=True,
        timeout=180,
        stdin=subprocess.DEVNULL,
    )
    try:
        parsed: dict[str, Any] | None = json.loads(result.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        parsed = None
    return result, parsed
