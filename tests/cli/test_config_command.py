"""`ccproxy config codex --enable|--disable`: the TOML file changed in place, and what it does."""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

import httpx

from tests.cli.serving import Serving, ccproxy

EXISTING = """# my settings
[server]
port = 9000  # keep this comment

[codex]
default_model = "gpt-5.4-mini"
"""


def test_enable_creates_the_per_user_file(isolated: Path) -> None:
    result = ccproxy("config", "codex", "--enable")
    assert result.returncode == 0, result.stderr
    written = isolated / ".config" / "ccproxy" / "config.toml"
    assert tomllib.loads(written.read_text()) == {"codex": {"enabled": True}}
    assert str(written) in result.stdout and "restart ccproxy" in result.stdout


def test_disable_keeps_everything_else_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(EXISTING)
    os.chmod(path, 0o600)
    assert ccproxy("config", "codex", "--enable", "--config", str(path)).returncode == 0
    assert ccproxy("--config", str(path), "config", "codex", "--disable").returncode == 0
    text = path.read_text()
    assert text.startswith(EXISTING.split("[codex]")[0])  # comments and layout untouched
    assert tomllib.loads(text)["codex"] == {"default_model": "gpt-5.4-mini", "enabled": False}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not list(tmp_path.glob("*.tmp"))


def test_mistakes_are_reported_without_a_traceback(tmp_path: Path) -> None:
    assert ccproxy("config", "codex").returncode == 2
    broken = tmp_path / "broken.toml"
    broken.write_text("[codex\n")
    result = ccproxy("config", "codex", "--enable", "--config", str(broken))
    assert result.returncode == 1 and "invalid TOML" in result.stderr
    assert "Traceback" not in result.stderr and broken.read_text() == "[codex\n"


def test_an_environment_override_is_pointed_out(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    result = ccproxy("config", "codex", "--enable", "--config", str(path),
                     env={"CODEX__ENABLED": "false"})  # fmt: skip
    assert result.returncode == 0 and "CODEX__ENABLED=false" in result.stderr


def test_the_served_routes_follow_the_setting(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    assert ccproxy("config", "codex", "--disable", "--config", str(path)).returncode == 0
    with Serving("--config", str(path)) as served:
        reply = httpx.post(served.url + "/codex/responses", json={"model": "gpt-5.4"})
        assert reply.status_code == 404
        assert "ccproxy config codex --enable" in reply.json()["error"]["message"]
    assert ccproxy("config", "codex", "--enable", "--config", str(path)).returncode == 0
    with Serving("--config", str(path)) as served:
        assert httpx.get(served.url + "/health").json()["providers"]["codex"] != "disabled"
