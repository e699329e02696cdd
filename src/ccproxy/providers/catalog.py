"""Model catalogues served by the `/…/models` routes, since the subscription upstreams have none.

Release dates marked "approx." are not published precisely; clients use them only for ordering.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Model:
    id: str
    display_name: str
    created_at: str  # RFC 3339
    owned_by: str


CLAUDE_MODELS: tuple[Model, ...] = (
    Model("claude-opus-5-5", "Claude Opus 5.5", "2026-10-01T00:00:00Z", "anthropic"),  # approx.
    Model("claude-sonnet-5-5", "Claude Sonnet 5.5", "2026-10-01T00:00:00Z", "anthropic"),  # approx.
    Model("claude-haiku-5-5", "Claude Haiku 5.5", "2026-10-01T00:00:00Z", "anthropic"),  # approx.
    Model("claude-fable-5-1", "Claude Fable 5.1", "2026-10-01T00:00:00Z", "anthropic"),  # approx.
    Model("claude-opus-5", "Claude Opus 5", "2026-07-24T00:00:00Z", "anthropic"),
    Model("claude-sonnet-5", "Claude Sonnet 5", "2026-07-01T00:00:00Z", "anthropic"),
    Model("claude-opus-4-8", "Claude Opus 4.8", "2026-04-01T00:00:00Z", "anthropic"),  # approx.
    Model("claude-haiku-4-5-20251001", "Claude Haiku 4.5", "2025-10-01T00:00:00Z", "anthropic"),
)
