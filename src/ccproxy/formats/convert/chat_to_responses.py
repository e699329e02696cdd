"""OpenAI Chat Completions client on an OpenAI Responses upstream.

`request()` builds the Responses request, `response()` and `error()` turn Responses answers into
Chat ones, and `Stream` does the same event by event. Each part lives in its own module.
"""

from ccproxy.formats.convert.responses_reply import error, failure, response
from ccproxy.formats.convert.responses_request import input_items, parse_messages, request
from ccproxy.formats.convert.responses_stream import Stream

__all__ = ["Stream", "error", "failure", "input_items", "parse_messages", "request", "response"]
