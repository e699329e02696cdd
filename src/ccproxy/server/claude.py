"""The Claude API routes: Anthropic pass-through, and OpenAI Chat Completions translated."""

from __future__ import annotations

import functools
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any, Protocol

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ccproxy.errors import BadRequest, UpstreamUnavailable
from ccproxy.formats import anthropic, chat
from ccproxy.formats.convert import chat_to_anthropic
from ccproxy.formats.convert.chat_to_anthropic import Stream
from ccproxy.formats.convert.context import ConversionError, RequestContext, ResponseContext
from ccproxy.http import Upstream
from ccproxy.providers.claude_api import ClaudeAPI, prepare_body, session_key, translated_body
from ccproxy.server.access import observe, served
from ccproxy.server.bodies import json_object
from ccproxy.server.relay import (
    EventStream,
    StreamConverter,
    converted_events,
    name_model,
    passed_headers,
    relay,
)
from ccproxy.server.thinking import Blocks, ThinkingMemory


def _claude(request: Request) -> ClaudeAPI:
    provider: ClaudeAPI = request.app.state.claude
    return provider


async def messages(request: Request) -> Response:
    return await _passthrough(request, "/v1/messages")


async def count_tokens(request: Request) -> Response:
    return await _passthrough(request, "/v1/messages/count_tokens")


async def _passthrough(request: Request, upstream_path: str) -> Response:
    raw = await request.body()
    payload = json_object(raw)
    provider = _claude(request)
    asked = payload.get("model")
    model = provider.resolve_model(asked) if isinstance(asked, str) else None
    body = prepare_body(raw, payload, model)
    served(request, provider.name, "anthropic", asked, model, stream=payload.get("stream") is True)
    started = time.perf_counter()
    upstream = await provider.send(
        upstream_path,
        request.scope["query_string"],
        request.scope["headers"],
        body,
        session=session_key(payload),
    )
    observe(request, upstream)
    response = await relay(upstream, anthropic.error_event)
    request.state.upstream = time.perf_counter() - started
    if model is not None and model != asked:
        name_model(response, model)
    return response


async def chat_completions(request: Request) -> Response:
    """OpenAI Chat Completions on Claude: translate, send, translate back (streamed or not)."""
    try:
        req = chat.parse_request_json(await request.body())
    except ValueError as exc:
        raise BadRequest(str(exc)) from exc
    provider = _claude(request)
    memory: ThinkingMemory = request.app.state.thinking
    model = provider.resolve_model(req.model)
    try:
        converted = chat_to_anthropic.request(
            req, RequestContext(model, provider.traits(model), memory.recall)
        )
    except ConversionError as exc:
        raise BadRequest(exc.message, param=exc.param) from exc
    served(request, provider.name, "openai_chat", req.model, model, stream=bool(req.stream))
    started = time.perf_counter()
    upstream = await provider.send(
        "/v1/messages",
        b"",
        [],
        translated_body(converted.body),
        session=session_key(converted.body),
    )
    observe(request, upstream)
    ctx = ResponseContext(
        id=f"chatcmpl-{uuid.uuid4().hex}",
        created=int(time.time()),
        model=model,
        include_usage=bool(req.stream_options and req.stream_options.include_usage),
        reasoning=request.app.state.settings.claude.chat_reasoning,
        structured_tool=converted.structured_tool,
    )
    response = await translated_answer(
        upstream, memory, error=chat_to_anthropic.error,
        reply=functools.partial(chat_to_anthropic.response, ctx=ctx),
        stream=Stream(ctx) if req.stream else None,
    )  # fmt: skip
    request.state.upstream = time.perf_counter() - started
    name_model(response, model)
    return response


class RememberingStream(StreamConverter, Protocol):
    """A stream converter that keeps the signed thinking that came before each tool call."""

    @property
    def thinking_by_tool_id(self) -> Mapping[str, Blocks]: ...


async def translated_answer(
    upstream: Upstream,
    memory: ThinkingMemory,
    *,
    error: Callable[[int, bytes], dict[str, Any]],
    reply: Callable[[dict[str, Any]], dict[str, Any]],
    stream: RememberingStream | None,
) -> Response:
    """The OpenAI-format answer to a translated request: streamed through `stream` when one is
    given, else whole. Either way the thinking before tool calls is remembered, for clients
    that do not send it back."""
    headers = openai_headers(upstream)
    if upstream.status >= 400:
        raw = await upstream.read()
        return JSONResponse(error(upstream.status, raw), upstream.status, headers)
    if stream is not None:
        events = _remembering(converted_events(upstream, stream), stream, memory)
        return EventStream(events, 200, headers, upstream.close)
    message = message_of(await upstream.read(), upstream.host)
    memory.remember(chat_to_anthropic.thinking_by_tool_id(message))
    return JSONResponse(reply(message), headers=headers)


async def _remembering(
    events: AsyncIterator[bytes], stream: RememberingStream, memory: ThinkingMemory
) -> AsyncIterator[bytes]:
    """The events as they are; once the stream is over, its thinking is remembered."""
    async for frames in events:
        yield frames
    memory.remember(stream.thinking_by_tool_id)


def openai_headers(upstream: Upstream) -> dict[str, str]:
    headers = passed_headers(upstream)
    headers.pop("content-type", None)
    if "request-id" in headers:
        headers["x-request-id"] = headers.pop("request-id")
    return headers


def message_of(raw: bytes, host: str) -> dict[str, Any]:
    try:
        message = json.loads(raw)
    except ValueError:
        message = None
    if not isinstance(message, dict):
        raise UpstreamUnavailable(f"{host} answered with something that is not a message")
    return message
