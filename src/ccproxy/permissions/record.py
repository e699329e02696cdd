"""One permission request and its decision, and the JSON shapes it takes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

Status = Literal["pending", "allowed", "denied", "expired"]
# Who decided: a configured rule, a person through the API, the clock, or nobody because the
# tool call was abandoned (Claude Code stopped waiting).
DecidedBy = Literal["rule", "user", "timeout", "cancelled"]


@dataclass
class PermissionRequest:
    id: str
    tool_name: str
    input: dict[str, Any]
    tool_use_id: str | None
    created_at: float
    expires_at: float
    status: Status = "pending"
    decided_by: DecidedBy | None = None
    decider: str | None = None  # the rule's label or the answering client's name
    decided_at: float | None = None
    message: str | None = None

    @property
    def pending(self) -> bool:
        return self.status == "pending"

    def record(self) -> dict[str, Any]:
        """The request as the approval API shows it."""
        return {
            "id": self.id,
            "status": self.status,
            "tool_name": self.tool_name,
            "input": self.input,
            "tool_use_id": self.tool_use_id,
            "created_at": timestamp(self.created_at),
            "expires_at": timestamp(self.expires_at),
            "timeout_seconds": round(self.expires_at - self.created_at, 3),
            "decided_by": self.decided_by,
            "decider": self.decider,
            "decided_at": timestamp(self.decided_at) if self.decided_at is not None else None,
            "message": self.message,
        }

    def event(self) -> dict[str, Any]:
        """The record on the SSE stream, also under the predecessor's `request_id` name."""
        return {"request_id": self.id, **self.record()}

    def result(self) -> dict[str, Any]:
        """The decision in the shape Claude Code's permission prompt tool must return."""
        if self.status == "allowed":
            return {"behavior": "allow", "updatedInput": self.input}
        return {"behavior": "deny", "message": self.message or "Permission denied."}


def timestamp(epoch: float) -> str:
    """RFC 3339 in UTC with milliseconds: `2026-11-24T04:05:06.789Z`."""
    moment = datetime.fromtimestamp(epoch, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
