"""OpenAI Responses client on an Anthropic Messages upstream (PROTOCOLS.md §4.6).

`request()` builds the Anthropic request, `response()` turns an Anthropic message into a Responses
object and `Stream` does the same event by event; errors are Chat's (`chat_to_anthropic.error`),
since both OpenAI APIs share the envelope. Each part lives in its own module.
"""

from ccproxy.formats.convert.chat_response import error
from ccproxy.formats.convert.responses_anthropic_reply import ReplyContext, echoed, response
from ccproxy.formats.convert.responses_anthropic_request import request
from ccproxy.formats.convert.responses_anthropic_stream import Stream

__all__ = ["ReplyContext", "Stream", "echoed", "error", "request", "response"]
