"""OpenAI Responses on the Claude API: translate, send, translate back (streamed or not)."""

from __future__ import annotations

import functools
import time
import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ccproxy.errors import BadRequest
from ccproxy.formats.convert import responses_to_anthropic as convert
from ccproxy.formats.convert.chat_to_anthropic import AnthropicRequest
from ccproxy.formats.convert.context import ConversionError, ModelTraits, RequestContext
from ccproxy.formats.convert.responses_to_anthropic import ReplyContext, Stream
from ccproxy.providers.claude_api import ClaudeAPI, translated_body
from ccproxy.server.access import observe, served
from ccproxy.server.bodies import json_object
from ccproxy.server.claude import translated_answer
from ccproxy.server.relay import name_model
from ccproxy.server.thinking import ThinkingMemory


def asked_model(payload: dict[str, Any]) -> str:
    model = payload.get("model")
    if not isinstance(model, str) or not model:
        raise BadRequest("model is required (a string)", param="model")
    return model


def converted(
    payload: dict[str, Any], model: str, traits: ModelTraits, memory: ThinkingMemory | None
) -> AnthropicRequest:
    """The Anthropic request, or a 400 naming the parameter that cannot be translated."""
    # SDK mode has no memory: Claude Code keeps its own conversation, thinking included.
    ctx = RequestContext(model, traits)
    if memory is not None:
        ctx = RequestContext(model, traits, memory.recall)
    try:
        return convert.request(payload, ctx)
    except ConversionError as exc:
        raise BadRequest(exc.message, param=exc.param) from exc


def reply_context(payload: dict[str, Any], model: str, request: AnthropicRequest) -> ReplyContext:
    return ReplyContext(
        id=f"resp_{uuid.uuid4().hex}",
        created=int(time.time()),
        model=model,
        echo=convert.echoed(payload),
        structured_tool=request.structured_tool,
    )


async def responses(request: Request) -> Response:
    payload = json_object(await request.body())
    provider: ClaudeAPI = request.app.state.claude
    memory: ThinkingMemory = request.app.state.thinking
    asked = asked_model(payload)
    model = provider.resolve_model(asked)
    anthropic_request = converted(payload, model, provider.traits(model), memory)
    stream = payload.get("stream") is True
    served(request, provider.name, "openai_responses", asked, model, stream=stream)
    started = time.perf_counter()
    upstream = await provider.send("/v1/messages", b"", [], translated_body(anthropic_request.body))
    observe(request, upstream)
    ctx = reply_context(payload, model, anthropic_request)
    response = await translated_answer(
        upstream, memory, error=convert.error,
        reply=functools.partial(convert.response, ctx=ctx),
        stream=Stream(ctx) if stream else None,
    )  # fmt: skip
    request.state.upstream = time.perf_counter() - started
    if model != asked:
        name_model(response, model)
    return response
