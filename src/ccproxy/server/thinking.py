"""Claude's signed thinking, remembered per tool call for clients that cannot send it back.

OpenAI-format clients drop thinking blocks, but Claude wants the thinking that preceded a tool call
back when the conversation continues from that call's result. The blocks are kept in memory, keyed
by tool call id, and put back into the next request that contains the call.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

Blocks = list[dict[str, Any]]


class ThinkingMemory:
    """A bounded map of tool call id -> the thinking blocks that came before the call."""

    def __init__(self, capacity: int = 4096) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[str, Blocks] = OrderedDict()

    def remember(self, found: Mapping[str, Blocks]) -> None:
        for tool_id, blocks in found.items():
            self._entries[tool_id] = blocks
            self._entries.move_to_end(tool_id)
        while len(self._entries) > self.capacity:
            self._entries.popitem(last=False)

    def recall(self, tool_id: str) -> Blocks | None:
        return self._entries.get(tool_id)
