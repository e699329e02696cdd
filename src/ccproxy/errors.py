"""The errors the proxy answers itself; the server renders each in the route's own envelope."""

from __future__ import annotations

from collections.abc import Mapping


class ProxyError(Exception):
    """A failure with a client-facing status and message.

    `error_type` overrides the envelope's type for the status; `retryable=False` adds
    `x-should-retry: false`, which stops the official SDKs from retrying what cannot succeed.
    """

    status = 500
    error_type: str | None = None
    retryable: bool | None = None

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        error_type: str | None = None,
        headers: Mapping[str, str] | None = None,
        param: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        if status is not None:
            self.status = status
        if error_type is not None:
            self.error_type = error_type
        self.headers = dict(headers or {})
        if self.retryable is False:
            self.headers.setdefault("x-should-retry", "false")


class BadRequest(ProxyError):
    status = 400
    error_type = "invalid_request_error"
    retryable = False


class RequestTooLarge(ProxyError):
    status = 413
    error_type = "request_too_large"
    retryable = False


class AuthenticationRequired(ProxyError):
    """No usable upstream credential; the message names the command that fixes it."""

    status = 401
    error_type = "authentication_error"
    retryable = False


class UpstreamUnavailable(ProxyError):
    status = 502
    error_type = "api_error"


class UpstreamTimeout(ProxyError):
    status = 504
    error_type = "api_error"
