"""Anthropic Messages client on an OpenAI Responses upstream.

`request()` builds the Responses request, `message()`, `error()` and `failure()` turn
Responses answers into Anthropic ones, and `Stream` does the same event by event. Each part
lives in its own module.
"""

from ccproxy.formats.convert.messages_reply import error, failure, message
from ccproxy.formats.convert.messages_request import request
from ccproxy.formats.convert.messages_stream import Stream

__all__ = ["Stream", "error", "failure", "message", "request"]
