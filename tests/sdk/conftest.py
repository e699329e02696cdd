"""SDK mode against the fake Anthropic API: the real `claude` CLI bundled with claude-agent-sdk
runs each request; it inherits the proxy's environment, which points it at the fake."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ProxyFactory
from tests.fakes.anthropic_api import FakeAnthropic
from tests.fakes.live import LiveServer

SdkProxy = Callable[..., str]


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    path = tmp_path / "project"
    path.mkdir()
    return path


@pytest.fixture
def sdk_proxy(
    start_proxy: ProxyFactory,
    logged_in: tuple[str, str],
    fake_api: tuple[FakeAnthropic, LiveServer],
    monkeypatch: pytest.MonkeyPatch,
    workdir: Path,
) -> SdkProxy:
    """Starts a proxy whose SDK runs use `workdir` and bypass permissions (IS_SANDBOX lets
    Claude Code do that as root, as CI runs)."""
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake_api[1].url)
    monkeypatch.setenv("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1")
    monkeypatch.setenv("CLAUDE_CODE_MAX_RETRIES", "1")
    monkeypatch.setenv("IS_SANDBOX", "1")

    def start(
        *,
        security: dict[str, Any] | None = None,
        observability: dict[str, Any] | None = None,
        **claude: Any,
    ) -> str:
        options = {"cwd": str(workdir), "permission_mode": "bypassPermissions"}
        options.update(claude.pop("code_options", {}))
        return start_proxy(
            claude={"code_options": options, **claude},
            security=security or {},
            observability=observability or {},
        )

    return start
