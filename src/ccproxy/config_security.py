"""The `[security]` settings: the client token, how long a permission request waits, and the
rules that decide a permission request before anyone is asked."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator
from pydantic_settings import NoDecode

from ccproxy.config_base import list_from_text


class PermissionRule(BaseModel):
    """Allow or deny a tool use by its name and input, e.g. Bash commands like `git status*`.

    `tool` and every value in `input` are shell-style globs (`*`, `?`, `[…]`), matched against
    the whole tool name and the whole input value; all of them must match.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    decision: Literal["allow", "deny"]
    tool: str = Field(min_length=1, description="Glob on the tool name: `Bash`, `mcp__*`.")
    input: dict[str, str] = Field(
        default_factory=dict, description="Input field → glob on its value: `{command: 'ls *'}`."
    )
    message: str | None = Field(default=None, description="Why, shown to the model on a deny.")
    name: str | None = Field(default=None, description="Label in the audit trail.")

    def label(self, index: int) -> str:
        if self.name:
            return self.name
        fields = ", ".join(f"{key}={pattern!r}" for key, pattern in self.input.items())
        return f"#{index} {self.decision} {self.tool}({fields})"


class SecuritySettings(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    auth_token: SecretStr | None = Field(
        default=None,
        description="Client token: required as `x-api-key` or `Authorization: Bearer` when set.",
    )
    confirmation_timeout_seconds: float = Field(
        default=30,
        ge=1,
        description="How long a permission request waits for a decision before it is denied.",
    )
    permission_rules: tuple[PermissionRule, ...] = Field(
        default=(),
        description="SDK-mode permission rules, applied before anyone is asked: a list of "
        "`{decision, tool, input, message, name}` tables; deny rules win (docs/permissions.md).",
    )

    cors_origins: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(),
        description="Browser origins besides loopback ones that may call ccproxy "
        "(`https://app.example`, JSON or a,b; `*` for any); a request from any other origin "
        "is refused with 403.",
    )
    allowed_hosts: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(),
        description="Host names besides loopback ones that requests may be addressed to while "
        "ccproxy listens on loopback (a guard against DNS rebinding); JSON or a,b.",
    )

    @field_validator("cors_origins", "allowed_hosts", mode="before")
    @classmethod
    def _lists(cls, value: object) -> object:
        return list_from_text(value)

    @field_validator("cors_origins")
    @classmethod
    def _origins(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(origin.rstrip("/").lower() for origin in value)

    @field_validator("allowed_hosts")
    @classmethod
    def _hosts(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(host.lower() for host in value)

    @field_validator("auth_token", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if value == "" else value
