"""The SDK-mode fixtures, for the test that records Claude Code's own cost."""

from __future__ import annotations

from tests.sdk.conftest import sdk_proxy, workdir

__all__ = ["sdk_proxy", "workdir"]
