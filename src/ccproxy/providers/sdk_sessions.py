"""Which Claude Code session a request belongs to (UPSTREAMS.md §5.2).

Kept in memory only: our session key -> the CLI's session id, the fingerprint of the
conversation as of the last answer, and (with the pool) the connected client that holds it. The
conversation itself lives where Claude Code keeps it, in its session files under `~/.claude/`.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Session:
    key: str
    cli_session_id: str | None = None  # known once Claude Code has answered in it
    fingerprint: str | None = None
    client: Any = None  # a connected ClaudeSDKClient in this conversation (pool mode)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def started(self) -> bool:
        return self.cli_session_id is not None


class Sessions:
    """At most `limit` sessions, the least recently used forgotten first."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._by_key: OrderedDict[str, Session] = OrderedDict()
        self._by_fingerprint: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self._by_key)

    def find(self, key: str | None, history: str) -> tuple[Session, list[Session]]:
        """The session for a request named `key` (else the one whose conversation so far is
        `history`, else a new one), and the sessions that had to be forgotten to make room."""
        if key is None:
            key = self._by_fingerprint.get(history) or f"auto-{uuid.uuid4()}"
        session = self._by_key.get(key)
        if session is None:
            session = Session(key)
            self._by_key[key] = session
        self._by_key.move_to_end(key)
        return session, self._evict()

    def answered(self, session: Session, cli_session_id: str, fingerprint: str) -> None:
        """The session's conversation now ends with an answer; its next turn will come with
        `fingerprint` as its history."""
        if session.fingerprint is not None:
            self._by_fingerprint.pop(session.fingerprint, None)
        session.cli_session_id = cli_session_id
        session.fingerprint = fingerprint
        self._by_fingerprint[fingerprint] = session.key

    def _evict(self) -> list[Session]:
        gone = []
        while len(self._by_key) > self.limit:
            _, oldest = self._by_key.popitem(last=False)
            if oldest.fingerprint is not None:
                self._by_fingerprint.pop(oldest.fingerprint, None)
            gone.append(oldest)
        return gone

    def holds(self, session: Session) -> bool:
        """Whether `session` is still remembered (not forgotten while it was in use)."""
        return self._by_key.get(session.key) is session

    def all(self) -> list[Session]:
        return list(self._by_key.values())

    def with_clients(self) -> int:
        return sum(1 for session in self._by_key.values() if session.client is not None)
