"""Which error envelope a route speaks, and error responses in it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from starlette.responses import JSONResponse

from ccproxy.formats import anthropic, chat

ClientFormat = Literal["anthropic", "openai"]


def client_format(path: str) -> ClientFormat:
    """Anthropic for Messages routes, OpenAI for Chat/Responses and the Codex prefix."""
    if path.endswith(("/messages", "/count_tokens")):
        return "anthropic"
    if path.endswith(("/chat/completions", "/responses")) or path.startswith("/codex"):
        return "openai"
    return "anthropic"


def error_response(
    path: str,
    status: int,
    message: str,
    *,
    error_type: str | None = None,
    headers: Mapping[str, str] | None = None,
    param: str | None = None,
) -> JSONResponse:
    if client_format(path) == "openai":
        # Error types given by the caller are Anthropic's vocabulary; OpenAI's follow the status.
        body = chat.error_body(chat.error_type_for_status(status), message, param=param)
    else:
        body = anthropic.error_body(error_type or anthropic.error_type_for_status(status), message)
    return JSONResponse(body, status_code=status, headers=dict(headers or {}))
