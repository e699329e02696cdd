"""Seeded upstream faults for the fakes: a fixed share of requests fails, in one of three ways.

The choice comes from a seeded `random.Random`, so a run of N requests meets the same number of
faults of each kind every time. Each choice is kept under the request's key (the fake uses the
text of the last user turn), so a client that sends a distinct text per request knows exactly
which of its requests met which fault, and can tell them from failures the proxy made up.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import AsyncIterator

from starlette.responses import JSONResponse, Response, StreamingResponse

# 529 overloaded, 500 internal error, and a connection dropped in the middle of the body.
KINDS = ("overloaded", "server_error", "cut")
STATUS = {"overloaded": 529, "server_error": 500}


class Faults:
    def __init__(self, rate: float, seed: int) -> None:
        self.rate = rate
        self._random = random.Random(seed)
        self.injected: Counter[str] = Counter()
        self.by_key: dict[str, str] = {}
        self.drawn = 0

    def draw(self, key: str) -> str | None:
        """The fault for the request known by `key`, or None for a normal answer."""
        self.drawn += 1
        if self._random.random() >= self.rate:
            return None
        kind = self._random.choice(KINDS)
        self.injected[kind] += 1
        self.by_key[key] = kind
        return kind


def request_id(kind: str) -> str:
    return f"req_fault_{kind}"


def error_response(kind: str) -> Response:
    """The 529 or 500 of the Anthropic API, marked as injected."""
    error_type = "overloaded_error" if kind == "overloaded" else "api_error"
    body = {
        "type": "error",
        "error": {"type": error_type, "message": f"injected {kind}"},
        "request_id": request_id(kind),
    }
    return JSONResponse(body, status_code=STATUS[kind], headers={"request-id": request_id(kind)})


def cut_json(message: dict[str, object]) -> Response:
    """A JSON answer whose connection drops halfway through the body."""
    whole = json.dumps(message).encode()

    async def half() -> AsyncIterator[bytes]:
        yield whole[: len(whole) // 2]
        raise ConnectionAbortedError("fake upstream drops the connection mid-body")

    return StreamingResponse(
        half(), media_type="application/json", headers={"request-id": request_id("cut")}
    )
