"""The approval queue on its own: a bounded memory that never drops a pending request."""

from __future__ import annotations

import asyncio

from ccproxy.config_security import PermissionRule
from ccproxy.permissions.approvals import Approvals


def test_only_the_newest_decided_requests_are_kept_and_pending_ones_never_go() -> None:
    async def scenario() -> tuple[list[str], list[str], list[str], Approvals]:
        approvals = Approvals(30, [PermissionRule(decision="allow", tool="Read")], keep=4)
        waiting = asyncio.ensure_future(approvals.decide("Bash", {"command": "make"}))
        await asyncio.sleep(0)
        decided = [(await approvals.decide("Read", {"n": n})).id for n in range(6)]
        pending = [request.id for request in approvals.pending()]
        kept = [request.id for request in approvals.history(100)]
        waiting.cancel()
        return decided, pending, kept, approvals

    decided, pending, kept, approvals = asyncio.run(scenario())
    assert len(pending) == 1
    # Four kept in all: the pending one and the three newest decisions (newest first).
    assert kept == decided[:-4:-1]
    assert all(approvals.get(request_id) is None for request_id in decided[:3])


def test_under_the_bound_nothing_is_forgotten() -> None:
    async def scenario() -> Approvals:
        approvals = Approvals(30, [PermissionRule(decision="deny", tool="*")], keep=10)
        for n in range(9):
            await approvals.decide("Bash", {"n": n})
        return approvals

    assert len(asyncio.run(scenario()).history(100)) == 9
