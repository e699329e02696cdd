"""CONTRACT.md §3: sources and their precedence, TOML discovery, env names, home-relative paths."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from ccproxy.config import ConfigFileError, config_candidates, load_settings


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_defaults(isolated: Path) -> None:
    settings = load_settings()
    assert (settings.server.host, settings.server.port, settings.server.log_level) == (
        "127.0.0.1",
        8000,
        "INFO",
    )
    assert settings.security.auth_token is None
    assert settings.claude.api_base_url == "https://api.anthropic.com"
    assert settings.claude.oauth_authorize_url == "https://claude.com/cai/oauth/authorize"
    assert settings.claude.oauth_token_url == "https://platform.claude.com/v1/oauth/token"
    assert settings.claude.credentials_file == isolated / ".claude" / ".credentials.json"


def test_precedence_cli_env_dotenv_toml_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    write(
        Path("ccproxy.toml"),
        "[server]\nport = 1001\nhost = '10.0.0.1'\nlog_level = 'debug'\n"
        "[claude]\napi_base_url = 'http://toml'\n",
    )
    write(Path(".env"), "SERVER__PORT=1002\nSERVER__HOST=10.0.0.2\nUNRELATED=1\n")
    monkeypatch.setenv("SERVER__PORT", "1003")
    settings = load_settings(server={"port": 1004})
    assert settings.server.port == 1004  # CLI
    assert settings.server.host == "10.0.0.2"  # .env beats TOML
    assert settings.server.log_level == "DEBUG"  # TOML beats defaults
    assert settings.claude.api_base_url == "http://toml"
    assert load_settings().server.port == 1003  # env beats .env


def test_env_names_are_case_insensitive(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("claude__API_BASE_URL", "http://lower")
    monkeypatch.setenv("Security__Auth_Token", "zq-secret-9")
    settings = load_settings()
    assert settings.claude.api_base_url == "http://lower"
    assert settings.security.auth_token is not None
    assert settings.security.auth_token.get_secret_value() == "zq-secret-9"
    assert "zq-secret-9" not in repr(settings)


def test_toml_discovery_order(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    user = write(isolated / ".config" / "ccproxy" / "config.toml", "[server]\nport = 3\n")
    assert load_settings().server.port == 3
    write(Path("ccproxy.toml"), "[server]\nport = 2\n")
    assert load_settings().server.port == 2
    write(Path(".ccproxy.toml"), "[server]\nport = 1\n")
    assert load_settings().server.port == 1
    explicit = write(isolated / "elsewhere.toml", "[server]\nport = 4\n")
    assert load_settings(explicit).server.port == 4
    assert config_candidates()[-1] == user


def test_xdg_config_home_is_honoured(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    xdg = isolated / "xdg"
    write(xdg / "ccproxy" / "config.toml", "[claude]\ncredentials_path = '~/elsewhere.json'\n")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(xdg))
    assert load_settings().claude.credentials_file == isolated / "elsewhere.json"


def test_home_relative_paths_follow_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    settings = load_settings()
    monkeypatch.setenv("HOME", str(tmp_path / "other"))
    assert settings.claude.credentials_file == tmp_path / "other" / ".claude" / ".credentials.json"


def test_bad_config_file_errors(isolated: Path) -> None:
    with pytest.raises(ConfigFileError, match="not found"):
        load_settings(isolated / "missing.toml")
    broken = write(isolated / "broken.toml", "[server\n")
    with pytest.raises(ConfigFileError, match="invalid TOML"):
        load_settings(broken)


def test_invalid_values_are_validation_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SERVER__PORT", "eighty")
    with pytest.raises(ValidationError):
        load_settings()
    monkeypatch.setenv("SERVER__PORT", "80")
    monkeypatch.setenv("SERVER__LOG_LEVEL", "chatty")
    with pytest.raises(ValidationError):
        load_settings()


def test_empty_auth_token_means_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECURITY__AUTH_TOKEN", "")
    assert load_settings().security.auth_token is None
