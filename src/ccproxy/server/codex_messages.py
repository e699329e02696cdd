"""Anthropic Messages on the Codex routes: Claude Code and the anthropic SDKs on a ChatGPT
subscription. Translated to a Responses request, sent as `/codex/responses` sends it, and the
backend's stream translated back (or collected into one Message for a non-streaming client)."""

from __future__ import annotations

import time
import uuid

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ccproxy.errors import BadRequest
from ccproxy.formats.convert import anthropic_to_responses
from ccproxy.formats.convert.context import ConversionError
from ccproxy.http import Upstream
from ccproxy.server import codex
from ccproxy.server.access import observe, served
from ccproxy.server.bodies import json_object
from ccproxy.server.count_tokens import checked, estimated
from ccproxy.server.relay import EventStream, converted_events, name_model


async def messages(request: Request) -> Response:
    """`POST /codex/v1/messages`: an Anthropic request answered by the ChatGPT backend."""
    provider = codex.codex_provider(request)
    payload = json_object(await request.body())
    asked = checked(payload)
    model = provider.resolve_model(asked)
    try:
        converted = anthropic_to_responses.request(payload, model)
    except ConversionError as exc:
        raise BadRequest(exc.message, param=exc.param) from exc
    path_session = codex.path_session_id(request.path_params.get("session_id"))
    prepared = await provider.prepare(converted, model, path_session)
    stream = payload.get("stream") is True
    served(request, provider.name, "anthropic", asked, model, stream=stream,
           session=path_session)  # fmt: skip
    started = time.perf_counter()
    upstream = await codex.send_upstream(provider, request, prepared, path_session)
    observe(request, upstream)
    response = await _answer(upstream, f"msg_{uuid.uuid4().hex}", model, stream=stream)
    request.state.upstream = time.perf_counter() - started
    if model != asked:
        name_model(response, model)
    return response


async def count_tokens(request: Request) -> Response:
    """The local estimate (the backend has no counting endpoint), while Codex is enabled."""
    codex.codex_provider(request)
    return await estimated(request)


async def _answer(upstream: Upstream, message_id: str, model: str, *, stream: bool) -> Response:
    headers = codex.answer_headers(upstream)
    if upstream.status >= 400:
        envelope = anthropic_to_responses.error(upstream.status, await upstream.read())
        return JSONResponse(envelope, upstream.status, headers)
    if stream:
        events = converted_events(upstream, anthropic_to_responses.Stream(message_id, model))
        return EventStream(events, 200, headers, upstream.close)
    collector = await codex.collect_answer(upstream)
    if collector.failure is not None:
        status, envelope = anthropic_to_responses.failure(collector.failure)
        return JSONResponse(envelope, status, headers)
    final = codex.final_answer(collector, upstream)
    return JSONResponse(anthropic_to_responses.message(final, message_id, model), headers=headers)
