"""The `[observability]` settings: metrics, the DuckDB access log, the dashboard."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field

from ccproxy.config_base import Section, expand


class ObservabilitySettings(Section):
    metrics_enabled: bool = Field(
        default=False, description="Serve Prometheus metrics at /metrics."
    )
    logs_enabled: bool = Field(
        default=False, description="Keep the DuckDB access log and serve /logs/*."
    )
    dashboard_enabled: bool = Field(
        default=False, description="Serve the web dashboard at /dashboard (it reads the logs)."
    )
    duckdb_path: str | None = Field(
        default=None,
        description="The access log file; unset means "
        "`$XDG_DATA_HOME/ccproxy/access_log.duckdb`, else `~/.local/share/ccproxy/…`.",
    )
    retention_days: int = Field(
        default=90,
        ge=1,
        description="Access-log rows older than this are deleted, at start and every hour.",
    )
    prices_file: str | None = Field(
        default=None,
        description="A price table (JSON, the shape of the built-in one) to use instead of "
        "the pinned table shipped with ccproxy.",
    )

    @property
    def duckdb_file(self) -> Path:
        if self.duckdb_path:
            return expand(self.duckdb_path)
        return (
            expand(os.environ.get("XDG_DATA_HOME") or "~/.local/share")
            / "ccproxy"
            / "access_log.duckdb"
        )

    @property
    def recording(self) -> bool:
        """Whether access entries are needed at all."""
        return self.metrics_enabled or self.logs_enabled or self.dashboard_enabled
