"""What a started server has not loaded: the heavy libraries of features that are off or idle."""

from __future__ import annotations

import subprocess
import sys


def test_a_default_app_loads_neither_the_agent_sdk_nor_duckdb_nor_prometheus() -> None:
    # claude-agent-sdk pulls in the whole MCP SDK (about 1.5 s and 30-50 MB): SDK mode loads it
    # on its first run; DuckDB and prometheus-client load only when observability is on.
    check = (
        "import sys\n"
        "from ccproxy.config import load_settings\n"
        "from ccproxy.server.app import create_app\n"
        "create_app(load_settings(None))\n"
        "heavy = {'claude_agent_sdk', 'mcp', 'duckdb', 'prometheus_client'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", check], check=True, timeout=60)
