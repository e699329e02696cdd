"""What a converter needs to know that is not in the message itself."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal


class ConversionError(ValueError):
    """The client's request cannot be expressed upstream; the message says why (a 400)."""

    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param


@dataclass(frozen=True)
class ModelTraits:
    """How a Claude model takes the parameters a translation has to set."""

    max_output_tokens: int = 8192
    thinking: Literal["adaptive", "budget"] = "budget"  # `{type: adaptive}` + effort, or a budget
    sampling: bool = True  # accepts `temperature` / `top_p` (newer models reject them)
    native_json_schema: bool = False  # `output_config.format` structured output
    prefill: bool = True  # continues a trailing assistant message


def _no_thinking(_tool_use_id: str) -> list[dict[str, Any]] | None:
    return None


@dataclass(frozen=True)
class RequestContext:
    model: str  # the upstream model the request is for, after any alias mapping
    traits: ModelTraits = field(default_factory=ModelTraits)
    # Thinking blocks the upstream sent before a tool call, for clients that cannot send them back.
    thinking_for: Callable[[str], list[dict[str, Any]] | None] = _no_thinking


# Where reasoning goes in a Chat answer: its own field, inside the content between tags
# (`<thinking>` or `<reasoning>`), or nowhere.
ReasoningOutput = Literal["reasoning_content", "think_tags", "reasoning_tags", "omit"]
TAGS = {"think_tags": "thinking", "reasoning_tags": "reasoning"}


@dataclass(frozen=True)
class ResponseContext:
    id: str
    created: int
    model: str
    include_usage: bool = False
    reasoning: ReasoningOutput = "reasoning_content"
    structured_tool: str | None = None  # the tool that carries structured output, if one was used
