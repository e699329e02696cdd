"""Anthropic Messages wire format: what the proxy itself writes in Anthropic's shape."""

from __future__ import annotations

from typing import Any

from ccproxy.formats import sse

# Anthropic's documented error types by HTTP status; other 4xx use invalid_request_error.
_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
}


def error_type_for_status(status: int) -> str:
    if status in _ERROR_TYPES:
        return _ERROR_TYPES[status]
    return "invalid_request_error" if 400 <= status < 500 else "api_error"


def error_body(error_type: str, message: str) -> dict[str, Any]:
    return {"type": "error", "error": {"type": error_type, "message": message}}


def error_event(error_type: str, message: str) -> bytes:
    """The in-stream error event a client receives when a stream fails after HTTP 200."""
    return sse.encode("error", error_body(error_type, message))
