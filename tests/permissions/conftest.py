"""SDK mode in a permission mode that asks: Claude Code calls ccproxy's MCP permission tool
before each Bash command, and the tests decide through the approval API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.sdk.conftest import SdkProxy, sdk_proxy, workdir

__all__ = ["sdk_proxy", "workdir"]

AskingProxy = Callable[..., str]


@pytest.fixture
def asking_proxy(sdk_proxy: SdkProxy) -> AskingProxy:
    def start(timeout: float = 30, rules: list[dict[str, Any]] | None = None, **more: Any) -> str:
        security = {"confirmation_timeout_seconds": timeout, "permission_rules": rules or []}
        security.update(more.pop("security", {}))
        options = {"permission_mode": "default", **more.pop("code_options", {})}
        return sdk_proxy(security=security, code_options=options, **more)

    return start
