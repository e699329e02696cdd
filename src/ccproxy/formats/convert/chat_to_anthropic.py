"""OpenAI Chat Completions client on an Anthropic Messages upstream.

`request()` builds the Anthropic request, `response()` and `error()` turn Anthropic answers into
Chat ones, and `Stream` does the same event by event. Each part lives in its own module.
"""

from ccproxy.formats.convert.chat_request import AnthropicRequest, request
from ccproxy.formats.convert.chat_response import error, response, thinking_by_tool_id
from ccproxy.formats.convert.chat_stream import Stream

__all__ = ["AnthropicRequest", "Stream", "error", "request", "response", "thinking_by_tool_id"]
