"""The `[security]` settings: the client token, how long a permission request waits, and the
rules that decide a permission request before anyone is asked."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator


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

    @field_validator("auth_token", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if value == "" else value
