"""Settings: defaults < TOML file < `.env` < environment (`SECTION__KEY`) < CLI flags.

Paths keep their `~` until used, so `$HOME` decides where they point at run time (a test can move
everything by changing `HOME`).
"""

from __future__ import annotations

import os
import tomllib
from contextvars import ContextVar
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from ccproxy.config_base import Section, expand, list_from_text
from ccproxy.config_codex import CodexSettings
from ccproxy.config_observability import ObservabilitySettings
from ccproxy.config_security import SecuritySettings

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


Provider = Literal["claude_api", "sdk", "codex"]
# `o[0-9]*` rather than `o*`, which would also take Claude aliases such as `opus`.
DEFAULT_MODEL_ROUTES: dict[str, Provider] = {
    "claude-*": "claude_api",
    "gpt-*": "codex",
    "o[0-9]*": "codex",
    "codex-*": "codex",
}


class ServerSettings(Section):
    host: str = Field(default="127.0.0.1", description="Address to bind.")
    port: int = Field(default=8000, ge=0, le=65535, description="Port to bind (0: any free port).")
    log_level: LogLevel = Field(default="INFO", description="DEBUG also logs every request.")
    workers: int = Field(default=1, ge=1, le=64, description="Server processes sharing the port.")
    max_body_bytes: int = Field(
        default=32 * 1024 * 1024, ge=1024,
        description="Largest request body accepted (the Messages API's own cap is 32 MB); "
        "a larger one is answered 413.",
    )  # fmt: skip
    model_routes: dict[str, Provider] = Field(
        default_factory=lambda: dict(DEFAULT_MODEL_ROUTES),
        description="The root routes' (`/v1/...`) table: model-name pattern (shell style) → "
        "`claude_api`, `sdk` or `codex`, tried in order; a table you set replaces this one.",
    )
    default_provider: Provider | None = Field(
        default="claude_api",
        description="Root routes: the provider of a model no pattern matches (empty: refuse "
        "such a model with 400).",
    )
    shutdown_grace_seconds: float = Field(
        default=30, ge=0, le=3600,
        description="On SIGTERM or Ctrl-C, how long requests in flight may take to finish "
        "before they are cut.",
    )  # fmt: skip

    @property
    def local_url(self) -> str:
        """How a process on this machine reaches the server: a wildcard bind over loopback."""
        host = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(self.host, self.host)
        return f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("default_provider", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if value == "" else value


class ModelTraitsOverride(Section):
    max_output_tokens: int | None = Field(default=None, ge=1)
    thinking: Literal["adaptive", "budget"] | None = None
    sampling: bool | None = None
    native_json_schema: bool | None = None
    prefill: bool | None = None


PermissionMode = Literal["default", "acceptEdits", "plan", "bypassPermissions"]
SdkMessageMode = Literal["forward", "formatted", "ignore"]


class ClaudeCodeOptions(Section):
    """claude-agent-sdk options for SDK mode; set on the server side only, never by a request."""

    cwd: str | None = Field(
        default=None,
        description="Working directory of SDK runs; unset means the directory ccproxy started in.",
    )
    permission_mode: PermissionMode | None = Field(
        default=None,
        description="Claude Code permission mode: default, acceptEdits, plan or bypassPermissions.",
    )
    allowed_tools: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Tools Claude may use without asking (JSON or a,b,c)."
    )
    disallowed_tools: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Tools Claude may not use at all (JSON or a,b,c)."
    )
    max_turns: int | None = Field(
        default=None, ge=1, description="Most agent turns per request; also caps a request's own."
    )
    append_system_prompt: str | None = Field(
        default=None, description="Text appended to Claude Code's system prompt."
    )
    model: str | None = Field(
        default=None, description="Model when a request names none (else Claude Code's default)."
    )
    max_thinking_tokens: int | None = Field(
        default=None, ge=0, description="Thinking budget when a request sets none."
    )

    @field_validator("allowed_tools", "disallowed_tools", mode="before")
    @classmethod
    def _lists(cls, value: object) -> object:
        return list_from_text(value)


class ClaudeSettings(Section):
    api_base_url: str = Field(
        default="https://api.anthropic.com",
        description="Claude API upstream; the proxy calls `{base}/v1/messages`.",
    )
    oauth_authorize_url: str = Field(
        default="https://claude.com/cai/oauth/authorize",
        description="Claude OAuth authorize page (what Claude Code 2.1.330 uses).",
    )
    oauth_token_url: str = Field(
        default="https://platform.claude.com/v1/oauth/token",
        description="Claude OAuth token endpoint, for exchange and refresh.",
    )
    credentials_path: str = Field(
        default="~/.claude/.credentials.json",
        description="Claude credentials file, shared with the Claude CLI.",
    )
    extra_credentials_paths: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="More Claude credentials files (JSON or a,b,c), used after "
        "`credentials_path` when it is rate-limited or has less headroom.",
    )
    oauth_scopes: list[str] = Field(
        default_factory=lambda: [
            "org:create_api_key",
            "user:profile",
            "user:inference",
            "user:sessions:claude_code",
            "user:mcp_servers",
            "user:file_upload",
        ],
        description="Scopes `ccproxy auth login` asks for (those of Claude Code 2.1.330).",
    )
    oauth_manual_redirect_uri: str = Field(
        default="https://platform.claude.com/oauth/code/callback",
        description="Where `ccproxy auth login --no-browser` sends you to copy the code from.",
    )
    connect_timeout: float = Field(
        default=10.0, gt=0, description="Seconds to wait for a connection to the Claude API."
    )
    read_timeout: float = Field(
        default=600.0, gt=0, description="Seconds to wait for the next bytes from the Claude API."
    )
    overload_retries: int = Field(
        default=0, ge=0, le=5,
        description="Times an overloaded answer (529, 503) is retried before anything reached "
        "the client, after its `retry-after` (up to 10 s) or a back-off; 0: never.",
    )  # fmt: skip
    model_map: dict[str, str] = Field(
        default_factory=dict,
        description="Extra `{alias: model}` entries (shell patterns allowed) mapping names such "
        "as `gpt-4o` to Claude models; checked before the built-in map. `claude-*` names never "
        "change.",
    )
    model_traits: dict[str, ModelTraitsOverride] = Field(
        default_factory=dict,
        description="Per-model corrections of how translated requests are built, e.g. "
        '`{"claude-sonnet-5-5": {"sampling": true}}` (keys: max_output_tokens, thinking, '
        "sampling, native_json_schema, prefill).",
    )
    chat_reasoning: Literal["reasoning_content", "think_tags", "omit"] = Field(
        default="reasoning_content",
        description="How Claude's thinking reaches OpenAI Chat clients: a `reasoning_content` "
        "field, `<thinking>` tags inside the content, or not at all.",
    )
    cli_path: str | None = Field(
        default=None,
        description="`claude` binary for SDK mode; unset means the one bundled with "
        "claude-agent-sdk, else the one on PATH.",
    )
    sdk_message_mode: SdkMessageMode = Field(
        default="forward",
        description="How SDK mode shows tool calls, tool results and system messages: as extra "
        "content blocks (forward), as XML-tagged text (formatted), or not at all (ignore).",
    )
    pretty_format: bool = Field(
        default=True, description="Indented JSON inside `formatted` XML tags (false: compact)."
    )
    sdk_enable_pool: bool = Field(
        default=False, description="Keep connected Claude Code processes ready for SDK mode."
    )
    sdk_pool_size: int = Field(
        default=3, ge=1, le=32, description="How many idle connected processes the pool keeps."
    )
    sdk_max_sessions: int = Field(
        default=32,
        ge=1,
        description="SDK-mode conversations remembered at once (oldest forgotten first).",
    )
    sdk_timeout: float = Field(
        default=600.0, gt=0, description="Seconds an SDK-mode run may take before it is stopped."
    )
    code_options: ClaudeCodeOptions = ClaudeCodeOptions()

    @field_validator("extra_credentials_paths", mode="before")
    @classmethod
    def _paths(cls, value: object) -> object:
        return list_from_text(value)

    @property
    def credentials_file(self) -> Path:
        return expand(self.credentials_path)

    @property
    def credentials_files(self) -> list[Path]:
        """Every account's file, the main one first."""
        return [self.credentials_file, *(expand(p) for p in self.extra_credentials_paths)]


def cache_dir() -> Path:
    """Where ccproxy keeps what it can rebuild: `$XDG_CACHE_HOME/ccproxy`, else ~/.cache."""
    return expand(os.environ.get("XDG_CACHE_HOME") or "~/.cache") / "ccproxy"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_nested_delimiter="__",
        case_sensitive=False,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
    )

    server: ServerSettings = ServerSettings()
    security: SecuritySettings = SecuritySettings()
    claude: ClaudeSettings = ClaudeSettings()
    codex: CodexSettings = CodexSettings()
    observability: ObservabilitySettings = ObservabilitySettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = _toml_file.get()
        toml = [TomlConfigSettingsSource(settings_cls, toml_file=toml_file)] if toml_file else []
        return (init_settings, env_settings, dotenv_settings, *toml)


# The TOML path is chosen per load (`--config`, working directory), but pydantic-settings asks the
# class for its sources; a context variable carries the path from `load_settings` to that hook.
_toml_file: ContextVar[Path | None] = ContextVar("ccproxy_toml_file", default=None)


class ConfigFileError(Exception):
    """The configuration file named or found cannot be used."""


def config_candidates() -> list[Path]:
    """Where a TOML file is looked for when `--config` is not given, in order."""
    xdg = os.environ.get("XDG_CONFIG_HOME") or str(expand("~/.config"))
    return [Path(".ccproxy.toml"), Path("ccproxy.toml"), Path(xdg) / "ccproxy" / "config.toml"]


def find_config_file(explicit: Path | None = None) -> Path | None:
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigFileError(f"config file not found: {explicit}")
        return explicit
    return next((path for path in config_candidates() if path.is_file()), None)


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Load settings from every source; `overrides` are CLI values as nested section dicts."""
    toml_file = find_config_file(config_file)
    token = _toml_file.set(toml_file)
    try:
        return Settings(**overrides)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigFileError(f"{toml_file}: invalid TOML: {exc}") from exc
    finally:
        _toml_file.reset(token)
