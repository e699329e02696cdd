"""The `[codex]` settings: the ChatGPT backend, its OAuth login, the instruction prompt and the
Codex model names."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import NoDecode

from ccproxy.config_base import Section, expand, list_from_text

# Models the ChatGPT backend serves to Plus/Pro sign-ins (the Codex model page, 2026-11); the list
# `GET /codex/models` shows when the Codex CLI has not cached the account's own.
CODEX_MODELS = (
    "gpt-5.4",
    "gpt-5.4-mini",
    "gpt-5.3-codex",
    "gpt-5.3-codex-spark",
    "gpt-5.2",
)
# The backend answers "Unsupported parameter: …" (HTTP 400) for these (UPSTREAMS.md §3.3).
CODEX_UNSUPPORTED = (
    "max_output_tokens",
    "max_completion_tokens",
    "max_tokens",
    "temperature",
    "top_p",
    "metadata",
)


class CodexSettings(Section):
    enabled: bool = Field(
        default=False,
        description="Serve the /codex routes; `ccproxy config codex --enable` sets it in the "
        "TOML file.",
    )
    base_url: str = Field(
        default="https://chatgpt.com/backend-api/codex",
        description="ChatGPT backend; the proxy calls `{base}/responses`.",
    )
    oauth_authorize_url: str = Field(
        default="https://auth.openai.com/oauth/authorize",
        description="OpenAI OAuth authorize page.",
    )
    oauth_token_url: str = Field(
        default="https://auth.openai.com/oauth/token",
        description="OpenAI OAuth token endpoint, for exchange and refresh.",
    )
    oauth_scopes: list[str] = Field(
        default_factory=lambda: [
            "openid",
            "profile",
            "email",
            "offline_access",
            "api.connectors.read",
            "api.connectors.invoke",
        ],
        description="Scopes `ccproxy auth login-openai` asks for (those of the Codex CLI).",
    )
    auth_path: str | None = Field(
        default=None,
        description="Codex credentials file, shared with the Codex CLI; unset means "
        "`$CODEX_HOME/auth.json`, else `~/.codex/auth.json`.",
    )
    extra_auth_paths: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="More ChatGPT logins (Codex `auth.json` files, JSON or a,b,c), used after "
        "`auth_path` when it is rate-limited or has less headroom.",
    )
    instructions_file: str | None = Field(
        default=None,
        description="Text injected as the Codex instruction prompt; unset means the prompt "
        "captured from the installed `codex` CLI.",
    )
    instructions_models: list[str] = Field(
        default_factory=lambda: ["*"],
        description="Models (shell patterns) whose requests get the Codex prompt injected; "
        "`[]` sends the client's instructions alone.",
    )
    cli_path: str | None = Field(
        default=None,
        description="`codex` binary the instruction prompt is captured from; unset means the "
        "one on PATH.",
    )
    capture_timeout: float = Field(
        default=30.0, gt=0, description="Seconds the prompt capture may take before it is killed."
    )
    client_version: str = Field(
        default="0.169.0",
        description="Codex CLI version announced upstream when no `codex` CLI is installed.",
    )
    default_model: str = Field(
        default="gpt-5.4",
        description="Codex model for names the backend cannot serve (`claude-*` from Claude Code).",
    )
    model_map: dict[str, str] = Field(
        default_factory=dict,
        description="Extra `{alias: model}` entries (shell patterns allowed) for the Codex "
        "routes; checked before the built-in `claude-*` rule. Other names pass unchanged.",
    )
    models: list[str] = Field(
        default_factory=lambda: list(CODEX_MODELS),
        description="`GET /codex/models` when the Codex CLI has no `models_cache.json`.",
    )
    unsupported_parameters: list[str] = Field(
        default_factory=lambda: list(CODEX_UNSUPPORTED),
        description="Request fields removed before the backend sees them (it rejects them).",
    )
    chat_reasoning: Literal["reasoning_tags", "reasoning_content", "omit"] = Field(
        default="reasoning_tags",
        description="How reasoning summaries reach Chat Completions clients: inside the "
        "content between `<reasoning>` tags, as `reasoning_content`, or not at all.",
    )
    connect_timeout: float = Field(
        default=10.0, gt=0, description="Seconds to wait for a connection to the ChatGPT backend."
    )
    read_timeout: float = Field(
        default=600.0, gt=0, description="Seconds to wait for the next bytes from the backend."
    )
    overload_retries: int = Field(
        default=0, ge=0, le=5,
        description="Times an overloaded answer (529, 503) is retried before anything reached "
        "the client, after its `retry-after` (up to 10 s) or a back-off; 0: never.",
    )  # fmt: skip

    @field_validator("extra_auth_paths", mode="before")
    @classmethod
    def _paths(cls, value: object) -> object:
        return list_from_text(value)

    @property
    def auth_files(self) -> list[Path]:
        """Every login, the main one first."""
        return [self.auth_file, *(expand(path) for path in self.extra_auth_paths)]

    @property
    def auth_file(self) -> Path:
        if self.auth_path:
            return expand(self.auth_path)
        return codex_home() / "auth.json"

    @property
    def instructions_path(self) -> Path | None:
        return expand(self.instructions_file) if self.instructions_file else None


def codex_home() -> Path:
    """The Codex CLI's own directory: `$CODEX_HOME`, else `~/.codex`."""
    return expand(os.environ.get("CODEX_HOME") or "~/.codex")
