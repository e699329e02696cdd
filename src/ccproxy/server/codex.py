"""The Codex routes: OpenAI Responses to the ChatGPT backend, and OpenAI Chat translated to it."""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ccproxy.errors import BadRequest, ProxyError, UpstreamUnavailable
from ccproxy.formats import chat, responses, sse
from ccproxy.formats.convert import chat_to_responses
from ccproxy.formats.convert.context import ConversionError, ResponseContext
from ccproxy.formats.models import model_list
from ccproxy.formats.sse import EventFramer
from ccproxy.http import Upstream, UpstreamBroken
from ccproxy.jsonbytes import dump
from ccproxy.providers import codex_body
from ccproxy.providers.codex import LIMIT_PREFIX, Codex
from ccproxy.server.access import observe, served
from ccproxy.server.bodies import json_object
from ccproxy.server.relay import EventStream, converted_events, name_model, passed_headers

log = logging.getLogger(__name__)

ENABLE_HINT = "run `ccproxy config codex --enable` and restart ccproxy"


def codex_provider(request: Request) -> Codex:
    provider: Codex | None = request.app.state.codex
    if provider is None:
        raise ProxyError(f"the Codex routes are disabled; {ENABLE_HINT}", status=404)
    return provider


async def responses_route(request: Request) -> Response:
    """OpenAI Responses in and out; the body changes only where the backend demands it."""
    codex = codex_provider(request)
    payload = json_object(await request.body())
    asked = payload.get("model")
    if not isinstance(asked, str) or not asked:
        raise BadRequest("model: Field required", param="model")
    model = codex.resolve_model(asked)
    path_session = path_session_id(request.path_params.get("session_id"))
    prepared = await codex.prepare(payload, model, path_session)
    stream = payload.get("stream") is True
    served(request, codex.name, "openai_responses", asked, model, stream=stream,
           session=path_session)  # fmt: skip
    started = time.perf_counter()
    upstream = await send_upstream(codex, request, prepared, path_session)
    observe(request, upstream)
    response = await _responses_answer(upstream, stream=stream)
    request.state.upstream = time.perf_counter() - started
    if model != asked:
        name_model(response, model)
    return response


async def chat_completions(request: Request) -> Response:
    """OpenAI Chat Completions on the ChatGPT backend: translate, send, translate back."""
    codex = codex_provider(request)
    try:
        req = chat.parse_request_json(await request.body())
    except ValueError as exc:
        raise BadRequest(str(exc)) from exc
    model = codex.resolve_model(req.model)
    reasoning = codex.settings.chat_reasoning
    try:
        converted = chat_to_responses.request(req, model, summaries=reasoning != "omit")
    except ConversionError as exc:
        raise BadRequest(exc.message, param=exc.param) from exc
    prepared = await codex.prepare(converted, model)
    served(request, codex.name, "openai_chat", req.model, model, stream=bool(req.stream))
    started = time.perf_counter()
    upstream = await send_upstream(codex, request, prepared, None)
    observe(request, upstream)
    ctx = ResponseContext(
        id=f"chatcmpl-{uuid.uuid4().hex}",
        created=int(time.time()),
        model=model,
        include_usage=bool(req.stream_options and req.stream_options.include_usage),
        reasoning=reasoning,
    )
    response = await _chat_answer(upstream, ctx, stream=bool(req.stream))
    request.state.upstream = time.perf_counter() - started
    if model != req.model:
        name_model(response, model)
    return response


async def send_upstream(
    codex: Codex, request: Request, prepared: codex_body.Prepared, path_session: str | None
) -> Upstream:
    """Session ids: the path's, else the client's header, else the conversation's key."""
    headers = request.headers
    from_header = headers.get("session_id") or headers.get("session-id")
    session = path_session or path_session_id(from_header)
    session = session or prepared.cache_key
    given = headers.get("conversation_id") or headers.get("conversation-id")
    conversation = path_session_id(given) or session
    return await codex.send(
        dump(prepared.body),
        request.scope["headers"],
        session=session,
        conversation=conversation,
    )


def path_session_id(given: str | None) -> str | None:
    if given is None or codex_body.SESSION_ID.fullmatch(given):
        return given
    raise BadRequest(
        "a session id is 1 to 256 printable ASCII characters without spaces", param="session_id"
    )


def answer_headers(upstream: Upstream) -> dict[str, str]:
    headers = passed_headers(upstream)
    headers.pop("content-type", None)
    for key, value in upstream.raw_headers:
        name = key.decode("latin-1").lower()
        if name.startswith(LIMIT_PREFIX):
            headers[name] = value.decode("latin-1")
    return headers


async def _error(upstream: Upstream) -> JSONResponse:
    raw = await upstream.read()
    envelope = responses.error_envelope(upstream.status, raw)
    return JSONResponse(envelope, upstream.status, answer_headers(upstream))


async def _responses_answer(upstream: Upstream, *, stream: bool) -> Response:
    if upstream.status >= 400:
        return await _error(upstream)
    headers = answer_headers(upstream)
    if not upstream.is_event_stream:  # not what the backend does; hand it on as it came
        return Response(await upstream.read(), upstream.status, headers, media_type=None)
    if stream:
        events = _passed_through(upstream, responses.Progress())
        return EventStream(events, upstream.status, headers, upstream.close)
    collector = await collect_answer(upstream)
    if collector.failure is not None:
        status, envelope = chat_to_responses.failure(collector.failure)
        return JSONResponse(envelope, status, headers)
    return JSONResponse(final_answer(collector, upstream), headers=headers)


async def _chat_answer(upstream: Upstream, ctx: ResponseContext, *, stream: bool) -> Response:
    if upstream.status >= 400:
        return await _error(upstream)
    headers = answer_headers(upstream)
    if stream:
        events = converted_events(upstream, chat_to_responses.Stream(ctx))
        return EventStream(events, 200, headers, upstream.close)
    collector = await collect_answer(upstream)
    if collector.failure is not None:
        status, envelope = chat_to_responses.failure(collector.failure)
        return JSONResponse(envelope, status, headers)
    answer = chat_to_responses.response(final_answer(collector, upstream), ctx)
    return JSONResponse(answer, headers=headers)


async def _passed_through(upstream: Upstream, progress: responses.Progress) -> AsyncIterator[bytes]:
    """The upstream's events byte for byte, ended properly if the upstream breaks off."""
    framer, decoder = EventFramer(), sse.Decoder()
    try:
        async for chunk in upstream.chunks():
            if whole := framer.feed(chunk):
                progress.see(decoder.feed(whole))
                yield whole
    except UpstreamBroken as exc:
        log.warning("stream from %s failed mid-way: %s", upstream.host, exc)
        yield progress.failure(f"the stream from {upstream.host} was cut off ({exc})")
        return
    if framer.pending:
        progress.see(decoder.feed(framer.pending) + decoder.finish())
        yield framer.pending + b"\n\n"
    if not progress.ended:
        log.warning("stream from %s ended without a final event", upstream.host)
        yield progress.failure("the upstream stream ended before the response was complete")


async def collect_answer(upstream: Upstream) -> responses.Collector:
    """The whole upstream stream, read for a client that wants one JSON answer; a stream
    broken off is a 502, never a truncated success (one that merely ends early is rebuilt)."""
    collector, decoder = responses.Collector(), sse.Decoder()
    try:
        async for chunk in upstream.chunks():
            _feed(collector, decoder.feed(chunk))
        _feed(collector, decoder.finish())
    except UpstreamBroken as exc:
        log.warning("stream from %s failed mid-way: %s", upstream.host, exc)
        raise UpstreamUnavailable(f"the stream from {upstream.host} was cut off ({exc})") from exc
    return collector


def _feed(collector: responses.Collector, events: list[sse.Event]) -> None:
    for event in events:
        data = _event_data(event)
        if data is not None:
            collector.feed(data)


def _event_data(event: sse.Event) -> dict[str, Any] | None:
    try:
        data = json.loads(event.data)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    if event.event != "message":
        data.setdefault("type", event.event)
    return data


def final_answer(collector: responses.Collector, upstream: Upstream) -> dict[str, Any]:
    final = collector.response()
    if final is None:
        raise UpstreamUnavailable(f"{upstream.host} ended its stream without a response")
    if collector.final is None:
        log.warning("stream from %s ended early; answering with what came", upstream.host)
    return final


async def models(request: Request) -> Response:
    return JSONResponse(model_list(codex_provider(request).model_items()))


async def model(request: Request) -> Response:
    wanted = request.path_params["model_id"]
    for item in codex_provider(request).model_items():
        if item["id"] == wanted:
            return JSONResponse(item)
    raise ProxyError(f"model {wanted!r} is not in the Codex model list", status=404)


async def status(request: Request) -> Response:
    """Login, instruction prompt and last usage limits; never contacts the backend."""
    codex = codex_provider(request)
    return JSONResponse(
        {
            "provider": codex.name,
            "upstream": codex.base_url,
            "credentials": codex.tokens.describe(),
            "instructions": codex.prompt.describe(),
            "usage_limits": codex.describe_limits(),
            "accounts": codex.describe_accounts(),
        }
    )
