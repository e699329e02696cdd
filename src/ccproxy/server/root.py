"""The root routes, `/v1/...`: one base URL for every provider, picked by the request's model
through `SERVER__MODEL_ROUTES`. Each request is handed to the provider's own route, so a root
request behaves exactly like the same request sent to `/api`, `/sdk` or `/codex`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from fnmatch import fnmatchcase
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ccproxy.config import ServerSettings
from ccproxy.errors import BadRequest
from ccproxy.formats.models import model_list
from ccproxy.server import codex_messages, routes, sdk
from ccproxy.server.bodies import json_object
from ccproxy.server.count_tokens import estimated

Endpoint = Callable[[Request], Awaitable[Response]]

# (client format, provider) → the provider's route for that format.
HANDLERS: dict[tuple[str, str], Endpoint] = {
    ("messages", "claude_api"): routes.messages,
    ("messages", "sdk"): sdk.messages,
    ("messages", "codex"): routes.codex_messages_route,
    ("count_tokens", "claude_api"): routes.count_tokens,
    ("count_tokens", "sdk"): estimated,
    ("count_tokens", "codex"): codex_messages.count_tokens,
    ("chat", "claude_api"): routes.chat_completions,
    ("chat", "sdk"): sdk.chat_completions,
    ("chat", "codex"): routes.codex_chat_completions,
    ("responses", "claude_api"): routes.responses,
    ("responses", "sdk"): sdk.responses,
    ("responses", "codex"): routes.codex_responses,
}
FORMAT_NAMES = {
    "messages": "Anthropic Messages",
    "count_tokens": "token counting",
    "chat": "OpenAI Chat Completions",
    "responses": "OpenAI Responses",
}


def provider_for(model: str, server: ServerSettings) -> str:
    """The provider that serves `model`: the first matching pattern, else the default."""
    for pattern, provider in server.model_routes.items():
        if fnmatchcase(model, pattern):
            return provider
    if server.default_provider is None:
        raise BadRequest(
            f"no provider serves the model {model!r}: add a pattern for it to "
            "SERVER__MODEL_ROUTES, or use /api, /sdk or /codex directly",
            param="model",
        )
    return server.default_provider


def _root(client_format: str) -> Endpoint:
    async def dispatch(request: Request) -> Response:
        # The body is parsed here for its model and again by the route: the price of one URL.
        model = json_object(await request.body()).get("model")
        if not isinstance(model, str) or not model:
            raise BadRequest("`model` is required on the root routes: it picks the provider",
                             param="model")  # fmt: skip
        provider = provider_for(model, request.app.state.settings.server)
        handler = HANDLERS.get((client_format, provider))
        if handler is None:
            raise BadRequest(
                f"the model {model!r} is served by {provider}, which does not take "
                f"{FORMAT_NAMES[client_format]} requests",
                param="model",
            )
        return await handler(request)

    return dispatch


async def models(request: Request) -> Response:
    """Every provider's models, once each: Claude's, then Codex's when it is enabled."""
    items: list[dict[str, Any]] = routes.claude_model_items()
    if request.app.state.codex is not None:
        seen = {item["id"] for item in items}
        codex_items = request.app.state.codex.model_items()
        items += [item for item in codex_items if item["id"] not in seen]
    return JSONResponse(model_list(items))


ROUTES = [
    Route("/v1/messages", _root("messages"), methods=["POST"]),
    Route("/v1/messages/count_tokens", _root("count_tokens"), methods=["POST"]),
    Route("/v1/chat/completions", _root("chat"), methods=["POST"]),
    Route("/v1/responses", _root("responses"), methods=["POST"]),
    Route("/v1/models", models, methods=["GET"]),
]
