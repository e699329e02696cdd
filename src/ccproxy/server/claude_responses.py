"""OpenAI Responses on the Claude API: translate, send, translate back (streamed or not)."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ccproxy.errors import BadRequest
from ccproxy.formats.convert import responses_to_anthropic as convert
from ccproxy.formats.convert.chat_to_anthropic import AnthropicRequest, thinking_by_tool_id
from ccproxy.formats.convert.context import ConversionError, ModelTraits, RequestContext
from ccproxy.formats.convert.responses_to_anthropic import ReplyContext, Stream
from ccproxy.http import Upstream
from ccproxy.providers.claude_api import ClaudeAPI, translated_body
from ccproxy.server.access import observe, served
from ccproxy.server.bodies import json_object
from ccproxy.server.claude import message_of, openai_headers
from ccproxy.server.relay import EventStream, converted_events, name_model
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
    response = await _answer(upstream, ctx, memory, stream=stream)
    request.state.upstream = time.perf_counter() - started
    if model != asked:
        name_model(response, model)
    return response


async def _answer(
    upstream: Upstream, ctx: ReplyContext, memory: ThinkingMemory, *, stream: bool
) -> Response:
    headers = openai_headers(upstream)
    if upstream.status >= 400:
        raw = await upstream.read()
        return JSONResponse(convert.error(upstream.status, raw), upstream.status, headers)
    if stream:
        converter = Stream(ctx)
        events = _remembering(converted_events(upstream, converter), converter, memory)
        return EventStream(events, 200, headers, upstream.close)
    message = message_of(await upstream.read(), upstream.host)
    memory.remember(thinking_by_tool_id(message))
    return JSONResponse(convert.response(message, ctx), headers=headers)


async def _remembering(
    frames: AsyncIterator[bytes], stream: Stream, memory: ThinkingMemory
) -> AsyncIterator[bytes]:
    """The frames as they are. Clients that drop reasoning items (no `encrypted_content` asked
    for) still give Claude its thinking back: it is remembered by the tool calls it preceded."""
    async for chunk in frames:
        yield chunk
    memory.remember(stream.thinking_by_tool_id)
