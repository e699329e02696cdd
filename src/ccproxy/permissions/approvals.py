"""The approval queue: a permission request waits for a rule, a person or the timeout.

Every decision is kept in a bounded audit trail, and every change is published to the
listeners of `GET /permissions/stream`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from ccproxy.config_security import PermissionRule
from ccproxy.permissions import rules
from ccproxy.permissions.record import DecidedBy, PermissionRequest, Status

log = logging.getLogger(__name__)

Event = tuple[str, dict[str, Any]]  # (SSE event name, data)
CLOSING: Event = ("closing", {})


class UnknownRequest(LookupError):
    pass


class AlreadyDecided(Exception):
    def __init__(self, request: PermissionRequest) -> None:
        super().__init__(f"permission request {request.id} is already {request.status}")
        self.request = request


class Approvals:
    def __init__(
        self, timeout: float, rule_list: Sequence[PermissionRule] = (), keep: int = 1000
    ) -> None:
        self.timeout = timeout
        self.rules = tuple(rule_list)
        self._keep = keep
        self._requests: OrderedDict[str, PermissionRequest] = OrderedDict()
        self._waiting: dict[str, asyncio.Future[None]] = {}
        self._listeners: set[asyncio.Queue[Event]] = set()
        # Called with each decided request's record (the DuckDB audit trail, when the log is on).
        self.on_decision: Callable[[dict[str, Any]], None] | None = None

    async def decide(
        self, tool_name: str, tool_input: dict[str, Any], tool_use_id: str | None = None
    ) -> PermissionRequest:
        """A rule's decision at once; else wait for a person until the timeout (a deny)."""
        request = self._new(tool_name, tool_input, tool_use_id)
        by_rule = rules.decide(self.rules, tool_name, tool_input)
        if by_rule is not None:
            self._apply_rule(request, by_rule)
            return request
        waiting = asyncio.get_running_loop().create_future()
        self._waiting[request.id] = waiting
        self._publish("permission_request", request)
        try:
            await asyncio.wait_for(asyncio.shield(waiting), request.expires_at - time.time())
        except TimeoutError:
            message = f"No decision within {self.timeout:g} s: denied."
            self._close(request, "expired", "timeout", None, message)
        except asyncio.CancelledError:
            if request.pending:  # Claude Code gave up waiting: withdraw the prompt
                self._close(request, "denied", "cancelled", None, "The tool call was cancelled.")
            raise
        finally:
            self._waiting.pop(request.id, None)
        return request

    def respond(
        self, request_id: str, allowed: bool, message: str | None = None, by: str = "api"
    ) -> PermissionRequest:
        request = self.get(request_id)
        if request is None:
            raise UnknownRequest(request_id)
        if not request.pending:
            raise AlreadyDecided(request)
        if allowed:
            self._close(request, "allowed", "user", by, None)
        else:
            self._close(request, "denied", "user", by, message or f"Denied by the user ({by}).")
        return request

    def _apply_rule(self, request: PermissionRequest, rule: rules.RuleDecision) -> None:
        if rule.allowed:
            self._close(request, "allowed", "rule", rule.label, None)
        else:
            message = rule.message or f"Denied by the ccproxy rule {rule.label}."
            self._close(request, "denied", "rule", rule.label, message)

    def get(self, request_id: str) -> PermissionRequest | None:
        return self._requests.get(request_id)

    def pending(self) -> list[PermissionRequest]:
        return [request for request in self._requests.values() if request.pending]

    def history(self, limit: int) -> list[PermissionRequest]:
        """Decided requests, newest decision first."""
        decided = [r for r in self._requests.values() if not r.pending]
        decided.sort(key=lambda request: request.decided_at or 0.0, reverse=True)
        return decided[:limit]

    def close(self) -> None:
        """End every listener's stream (the server is shutting down)."""
        for queue in self._listeners:
            queue.put_nowait(CLOSING)

    @contextlib.contextmanager
    def listening(self) -> Iterator[asyncio.Queue[Event]]:
        """A queue that receives every event while the block runs."""
        queue: asyncio.Queue[Event] = asyncio.Queue()
        self._listeners.add(queue)
        try:
            yield queue
        finally:
            self._listeners.discard(queue)

    def _new(
        self, tool_name: str, tool_input: Mapping[str, Any], tool_use_id: str | None
    ) -> PermissionRequest:
        now = time.time()
        request = PermissionRequest(
            id=str(uuid.uuid4()),
            tool_name=tool_name,
            input=dict(tool_input),
            tool_use_id=tool_use_id,
            created_at=now,
            expires_at=now + self.timeout,
        )
        self._requests[request.id] = request
        self._forget_old()
        return request

    def _close(
        self,
        request: PermissionRequest,
        status: Status,
        decided_by: DecidedBy,
        decider: str | None,
        message: str | None,
    ) -> None:
        request.status = status
        request.decided_by = decided_by
        request.decider = decider
        request.decided_at = time.time()
        request.message = message
        log.info("permission %s for %s: %s by %s %s", request.id, request.tool_name,
                 status, decided_by, decider or "")  # fmt: skip
        if self.on_decision is not None:
            self.on_decision(request.record())
        waiting = self._waiting.get(request.id)
        if waiting is not None and not waiting.done():
            waiting.set_result(None)
        if decided_by != "rule":  # rule decisions were never announced as pending
            kind = "permission_expired" if status == "expired" else "permission_resolved"
            self._publish(kind, request)

    def _publish(self, kind: str, request: PermissionRequest) -> None:
        event = (kind, request.event())
        for queue in self._listeners:
            queue.put_nowait(event)

    def _forget_old(self) -> None:
        """Keep the newest `keep` requests; pending ones are never forgotten."""
        excess = len(self._requests) - self._keep
        if excess <= 0:
            return
        for request_id in [i for i, r in self._requests.items() if not r.pending][:excess]:
            del self._requests[request_id]
