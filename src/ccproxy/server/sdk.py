"""The SDK-mode routes: Anthropic Messages and OpenAI Chat Completions answered by Claude Code
runs (claude-agent-sdk), streamed or not."""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ccproxy.errors import BadRequest, ProxyError
from ccproxy.formats import anthropic, chat, sse, usage
from ccproxy.formats.convert import chat_to_anthropic, responses_to_anthropic, sdk_prompt
from ccproxy.formats.convert import sdk_to_anthropic as render
from ccproxy.formats.convert.context import ConversionError, RequestContext, ResponseContext
from ccproxy.observability.entry import AccessEntry
from ccproxy.providers.claude_api import ClaudeAPI
from ccproxy.providers.claude_sdk import ClaudeSDK, Run, RunOptions, SdkRequest
from ccproxy.server.access import entry_of
from ccproxy.server.bodies import json_object
from ccproxy.server.claude_responses import asked_model, converted, reply_context
from ccproxy.server.envelopes import error_response
from ccproxy.server.hangup import before_hangup
from ccproxy.server.relay import EventStream, StreamConverter, name_model

# Claude Code options a request may not set: they are the server's (CLAUDE__CODE_OPTIONS__*).
SERVER_SIDE = frozenset(
    {
        "cwd", "permission_mode", "mcp_servers", "allowed_tools", "disallowed_tools",
        "system_prompt", "append_system_prompt", "cli_path", "env", "extra_args", "settings",
        "setting_sources", "add_dirs", "hooks", "can_use_tool", "permission_prompt_tool_name",
        "resume", "continue_conversation", "fork_session", "agents", "plugins", "user",
        "sandbox", "max_budget_usd", "fallback_model", "skills", "include_partial_messages",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Translation:
    """How an OpenAI client gets the Anthropic-shaped answer: whole, or event by event."""

    client_format: str  # as the access log names it
    reply: Callable[[dict[str, Any]], dict[str, Any]]
    stream: Callable[[], StreamConverter]


def _sdk(request: Request) -> ClaudeSDK:
    provider: ClaudeSDK = request.app.state.sdk
    return provider


async def messages(request: Request) -> Response:
    payload = json_object(await request.body())
    provider = _sdk(request)
    how = render.rendering(
        provider.settings.sdk_message_mode, pretty=provider.settings.pretty_format
    )
    return await _answer(request, provider, payload, how, None)


async def chat_completions(request: Request) -> Response:
    try:
        req = chat.parse_request_json(await request.body())
    except ValueError as exc:
        raise BadRequest(str(exc)) from exc
    claude: ClaudeAPI = request.app.state.claude
    model = claude.resolve_model(req.model)
    try:
        converted = chat_to_anthropic.request(req, RequestContext(model, claude.traits(model)))
    except ConversionError as exc:
        raise BadRequest(exc.message, param=exc.param) from exc
    provider = _sdk(request)
    ctx = ResponseContext(
        id=f"chatcmpl-{uuid.uuid4().hex}",
        created=int(time.time()),
        model=model,
        include_usage=bool(req.stream_options and req.stream_options.include_usage),
        reasoning=provider.settings.chat_reasoning,
    )
    body = {**converted.body, "stream": bool(req.stream)}
    if isinstance(session := (req.model_extra or {}).get("session_id"), str):
        body["session_id"] = session
    how = render.rendering(
        provider.settings.sdk_message_mode,
        pretty=provider.settings.pretty_format,
        custom_blocks=False,
    )
    translation = Translation(
        "openai_chat",
        lambda message: chat_to_anthropic.response(message, ctx),
        lambda: chat_to_anthropic.Stream(ctx),
    )
    response = await _answer(request, provider, body, how, translation)
    name_model(response, model)
    return response


async def responses(request: Request) -> Response:
    """OpenAI Responses answered by Claude Code: the request restated as Anthropic Messages."""
    payload = json_object(await request.body())
    claude: ClaudeAPI = request.app.state.claude
    asked = asked_model(payload)
    model = claude.resolve_model(asked)
    anthropic_request = converted(payload, model, claude.traits(model), None)
    ctx = reply_context(payload, model, anthropic_request)
    body = {**anthropic_request.body, "stream": payload.get("stream") is True}
    if isinstance(session := payload.get("session_id"), str):
        body["session_id"] = session
    provider = _sdk(request)
    how = render.rendering(
        provider.settings.sdk_message_mode,
        pretty=provider.settings.pretty_format,
        custom_blocks=False,
    )
    translation = Translation(
        "openai_responses",
        lambda message: responses_to_anthropic.response(message, ctx),
        lambda: responses_to_anthropic.Stream(ctx),
    )
    response = await _answer(request, provider, body, how, translation)
    if model != asked:
        name_model(response, model)
    return response


def sdk_request(payload: dict[str, Any], path_session: str | None) -> SdkRequest:
    """The run a request asks for; 400 for what SDK mode cannot or may not do."""
    if refused := sorted(SERVER_SIDE & payload.keys()):
        raise BadRequest(
            f"{refused[0]} is a server-side option in SDK mode (CLAUDE__CODE_OPTIONS__"
            f"{refused[0].upper()} or a serve flag); a request cannot set it",
            param=refused[0],
        )
    if payload.get("tools"):
        raise BadRequest(
            "tools: SDK mode runs Claude Code with its own tools; use /api for client tools",
            param="tools",
        )
    messages = payload.get("messages")
    if not isinstance(messages, list):
        raise BadRequest("messages: Field required (a list)", param="messages")
    system = payload.get("system")
    try:
        prompt = sdk_prompt.last_user_turn(messages)
        first = sdk_prompt.first_turn(messages, system)
    except ConversionError as exc:
        raise BadRequest(exc.message, param=exc.param) from exc
    return SdkRequest(
        prompt=prompt,
        first_prompt=first,
        history=sdk_prompt.fingerprint(system, messages[:-1]),
        session_key=_session_id(path_session) or _session_id(payload.get("session_id")),
        options=_run_options(payload),
    )


def _session_id(found: Any) -> str | None:
    if found is None:
        return None
    if not isinstance(found, str) or not 0 < len(found) <= 256 or not found.isprintable():
        raise BadRequest("session_id must be 1 to 256 printable characters", param="session_id")
    return found


def _run_options(payload: dict[str, Any]) -> RunOptions:
    model = payload.get("model")
    found = payload.get("thinking")
    thinking: dict[str, Any] = found if isinstance(found, dict) else {}
    budget = payload.get("max_thinking_tokens", thinking.get("budget_tokens"))
    turns = payload.get("max_turns")
    for name, value in (("max_thinking_tokens", budget), ("max_turns", turns)):
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)
                                  or value < 0):  # fmt: skip
            raise BadRequest(f"{name} must be a non-negative integer", param=name)
    if model is not None and not isinstance(model, str):
        raise BadRequest("model must be a string", param="model")
    return RunOptions(model=model or None, max_thinking_tokens=budget, max_turns=turns)


async def _answer(
    request: Request,
    provider: ClaudeSDK,
    payload: dict[str, Any],
    how: render.Rendering,
    translation: Translation | None,
) -> Response:
    path_session = request.path_params.get("session_id")
    if path_session is None:
        path_session = request.query_params.get("session_id") or None
    sdk_req = sdk_request(payload, path_session)
    entry = entry_of(request)
    if entry is not None:
        client_format = "anthropic" if translation is None else translation.client_format
        entry.served_by(provider.name, client_format, payload.get("model"),
                        payload.get("stream") is True)  # fmt: skip
    started = time.perf_counter()
    run = await provider.begin(sdk_req)
    model = sdk_req.options.model or provider.settings.code_options.model or "claude-code"
    if entry is not None:
        entry.session_id, entry.model_used = run.session.key, sdk_req.options.model
    stream = render.Stream(f"msg_{uuid.uuid4().hex[:24]}", model, how)
    headers = {"x-ccproxy-session-id": run.session.key}
    if payload.get("stream") is True:
        frames = _frames(run, stream, payload, translation, entry)
        return EventStream(frames, 200, headers, run.abandon)
    events = await before_hangup(request, _collect(run, stream, payload, entry))
    request.state.upstream = time.perf_counter() - started
    if events and events[-1][0] == "error":
        return _error(events[-1][1], stream.result, request.url.path)
    message = render.collect(events)
    if translation is None:
        return JSONResponse(message, headers=headers)
    return JSONResponse(translation.reply(message), headers=headers)


async def _events(
    run: Run, stream: render.Stream, payload: dict[str, Any], entry: AccessEntry | None
) -> AsyncGenerator[render.Event]:
    """The answer's Anthropic events; the session remembers the conversation once it is whole.
    Any other way out (an error, or the client leaving) abandons the run."""
    try:
        for event in stream.start():
            yield event
        try:
            async for item in run.items():
                for event in stream.feed(item):
                    yield event
        except ProxyError as exc:
            for event in stream.fail(exc.message, anthropic.error_type_for_status(exc.status)):
                yield event
            return
        ending = stream.finish()
        if ending and ending[-1][0] != "error":
            turns = [*payload["messages"], {"role": "assistant", "content": _text_blocks(stream)}]
            run.finish(sdk_prompt.fingerprint(payload.get("system"), turns))
        for event in ending:
            yield event
    finally:
        run.abandon()  # a no-op once the run has finished
        if entry is not None and run.result is not None:
            _account(entry, run.result)


def _account(entry: AccessEntry, result: dict[str, Any]) -> None:
    """Claude Code's own totals for the run (every turn of its tool loop), and its cost."""
    entry.add_usage(usage.from_anthropic(result.get("usage")))
    cost = result.get("total_cost_usd")
    if isinstance(cost, int | float) and not isinstance(cost, bool):
        entry.cost_usd, entry.cost_source = float(cost), "claude_code"


async def _collect(
    run: Run, stream: render.Stream, payload: dict[str, Any], entry: AccessEntry | None
) -> list[render.Event]:
    async with contextlib.aclosing(_events(run, stream, payload, entry)) as events:
        return [event async for event in events]


def _text_blocks(stream: render.Stream) -> list[dict[str, Any]]:
    return [{"type": "text", "text": text} for text in stream.texts]


async def _frames(
    run: Run,
    stream: render.Stream,
    payload: dict[str, Any],
    translation: Translation | None,
    entry: AccessEntry | None,
) -> AsyncIterator[bytes]:
    if translation is None:
        async for name, data in _events(run, stream, payload, entry):
            yield sse.encode(name, data)
        return
    converter = translation.stream()
    async for name, data in _events(run, stream, payload, entry):
        for frame in converter.feed(name, data):
            yield frame
    for frame in converter.finish():
        yield frame


def _error(error: dict[str, Any], result: dict[str, Any] | None, path: str) -> Response:
    detail = error.get("error") or {}
    status = (result or {}).get("api_error_status") or _status_for(detail.get("type"))
    return error_response(path, int(status), str(detail.get("message")))


def _status_for(error_type: Any) -> int:
    return {"timeout_error": 504, "rate_limit_error": 429, "overloaded_error": 529}.get(
        str(error_type), 502
    )


async def status(request: Request) -> Response:
    return JSONResponse(_sdk(request).describe())
