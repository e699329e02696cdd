"""The `ccproxy` command as a user runs it: a real process, real sockets."""

from __future__ import annotations

import re
import socket
import subprocess
import time
from pathlib import Path

import httpx

from ccproxy import __version__
from tests.cli.serving import BIN, Serving, ccproxy, free_port


def test_version_from_both_scripts() -> None:
    assert ccproxy("--version").stdout == f"ccproxy {__version__}\n"
    out = subprocess.run(
        [str(BIN / "ccproxy-api"), "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout == f"ccproxy {__version__}\n"


def test_help_lists_the_commands() -> None:
    result = ccproxy("--help")
    assert result.returncode == 0
    for word in (
        "serve",
        "generate-token",
        "permission-handler",
        "--host",
        "--port",
        "--config",
        "--log-level",
        "--show-completion",
        "--install-completion",
    ):
        assert word in result.stdout


def test_generate_token() -> None:
    first, second = ccproxy("generate-token").stdout, ccproxy("generate-token").stdout
    assert re.fullmatch(r"SECURITY__AUTH_TOKEN=[A-Za-z0-9_-]{40,}\n", first)
    assert first != second


def test_show_completion_for_a_named_shell() -> None:
    zsh = ccproxy("--show-completion", "zsh")
    assert zsh.returncode == 0 and zsh.stdout.startswith("#compdef ccproxy")
    bash = ccproxy("--show-completion", "bash")
    assert "complete -o default -F _ccproxy_completion ccproxy" in bash.stdout


def test_install_completion(isolated: Path) -> None:
    result = ccproxy("--install-completion", env={"SHELL": "/bin/bash"})
    assert result.returncode == 0, result.stderr
    assert "completion installed" in result.stdout


def test_serves_and_stops_cleanly() -> None:
    with Serving() as server:
        assert httpx.get(server.url + "/health").json()["status"] == "ok"
        assert httpx.head(server.url + "/api/hello").status_code == 200
        assert server.stop() == 130  # uvicorn re-raises the Ctrl-C after a clean shutdown
    assert "Application shutdown complete" in server.log
    assert "Traceback" not in server.log
    assert (
        "claude /login" in server.log and "ccproxy auth login" in server.log
    )  # no credentials warning


def test_serve_subcommand_and_options_either_side() -> None:
    with Serving("serve", "--log-level", "warning") as server:
        assert httpx.get(server.url + "/health").status_code == 200
    assert "listening on" not in server.log  # INFO lines hidden at WARNING
    with Serving("--log-level", "debug", "serve") as server:
        httpx.get(server.url + "/health")
        server.stop()
    assert "GET /health" in server.log  # DEBUG shows the access log


def test_port_in_use_is_one_line_and_exit_1() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = ccproxy("--port", str(port))
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert f"127.0.0.1:{port} is already in use" in result.stderr and "--port" in result.stderr


def test_non_loopback_without_token_warns_loudly() -> None:
    with Serving("--host", "0.0.0.0") as server:
        pass
    assert "NO client token" in server.log
    with Serving("--host", "0.0.0.0", env={"SECURITY__AUTH_TOKEN": "t"}) as server:
        pass
    assert "NO client token" not in server.log
    with Serving() as server:
        pass
    assert "NO client token" not in server.log


def test_config_file_is_used(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text("[security]\nauth_token = 'from-toml'\n")
    with Serving("--config", str(config)) as server:
        assert httpx.get(server.url + "/api/status").status_code == 401
        assert (
            httpx.get(server.url + "/api/status", headers={"x-api-key": "from-toml"}).status_code
            == 200
        )


def test_configuration_errors_are_reported_not_raised(tmp_path: Path) -> None:
    missing = ccproxy("--config", str(tmp_path / "nope.toml"))
    assert missing.returncode == 1 and "config file not found" in missing.stderr
    assert "Traceback" not in missing.stderr
    broken = ccproxy("--port", str(free_port()), env={"SERVER__LOG_LEVEL": "chatty"}, timeout=20)
    assert broken.returncode == 2 and "server.log_level" in broken.stderr
    assert "Traceback" not in broken.stderr


def test_workers_share_the_port() -> None:
    with Serving("--workers", "2") as server:
        deadline = time.monotonic() + 30
        while server.log.count("Application startup complete") < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.log.count("Application startup complete") == 2
        assert "Started parent process" in server.log
        for _ in range(10):
            assert httpx.get(server.url + "/health").status_code == 200
