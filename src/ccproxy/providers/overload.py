"""The opt-in retry of an overloaded upstream (529, 503), made before any byte reached the
client: the request is sent again as it was, after the upstream's `retry-after` or a short
back-off. Off by default: a client's own SDK usually retries these already."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from ccproxy.http import Upstream

log = logging.getLogger(__name__)

OVERLOADED = frozenset({503, 529})
# A longer `retry-after` is left to the client: holding its request that long helps nobody.
LONGEST_WAIT = 10.0


async def send_retrying(send: Callable[[], Awaitable[Upstream]], retries: int) -> Upstream:
    """`send()`, then up to `retries` more times while the answer says overloaded."""
    response = await send()
    for attempt in range(retries):
        if response.status not in OVERLOADED:
            break
        wait = _wait(response.header("retry-after"), attempt)
        if wait is None:
            break
        response.close()
        log.info("%s is overloaded (%d); retrying in %.1f s", response.host, response.status, wait)
        await asyncio.sleep(wait)
        response = await send()
    return response


def _wait(retry_after: str | None, attempt: int) -> float | None:
    """Seconds before the next attempt; None when the upstream asks for longer than we wait."""
    if retry_after is None:
        return min(0.5 * 2.0**attempt, LONGEST_WAIT)
    try:
        asked = float(retry_after)
    except ValueError:  # an HTTP date: not sent by these upstreams, so not parsed
        return min(0.5 * 2.0**attempt, LONGEST_WAIT)
    return max(asked, 0.0) if asked <= LONGEST_WAIT else None
