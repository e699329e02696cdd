"""`count_tokens` where the upstream has no counting endpoint: a local estimate."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ccproxy.errors import BadRequest
from ccproxy.formats import token_estimate
from ccproxy.server.bodies import json_object


async def estimated(request: Request) -> Response:
    """`{"input_tokens": N}` estimated as formats/token_estimate.py says; the body is checked
    as the real endpoint checks it (model and messages required)."""
    payload = json_object(await request.body())
    checked(payload)
    return JSONResponse({"input_tokens": token_estimate.input_tokens(payload)})


def checked(payload: dict[str, Any]) -> str:
    """The requested model of a Messages body that names one and has a message list."""
    asked = payload.get("model")
    if not isinstance(asked, str) or not asked:
        raise BadRequest("model: Field required", param="model")
    if not isinstance(payload.get("messages"), list):
        raise BadRequest("messages: Field required", param="messages")
    return asked
