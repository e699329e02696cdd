"""API-equivalent cost from the pinned price table (prices.json, shipped with the package), or
from a table the user gives (`OBSERVABILITY__PRICES_FILE`). Nothing is ever downloaded."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

_DATED = re.compile(r"-\d{8}$")


@dataclass(frozen=True)
class Price:
    input: float
    output: float
    cache_write: float
    cache_read: float


class Prices:
    def __init__(self, table: dict[str, Price]) -> None:
        self.table = table
        # Longest first, so `claude-opus-4-1` wins over `claude-opus-4` for a dated 4.1 name.
        self._prefixes = sorted(table, key=len, reverse=True)
        self._found: dict[str, Price | None] = {}

    @classmethod
    def load(cls, path: Path | None = None) -> Prices:
        text = path.read_text() if path else files(__package__).joinpath("prices.json").read_text()
        models = json.loads(text)["models"]
        return cls({name: Price(**rates) for name, rates in models.items()})

    def find(self, model: str | None) -> Price | None:
        """Exact name, then without a date suffix, then the longest listed prefix."""
        if not model:
            return None
        if model in self._found:
            return self._found[model]
        price = self._search(model)
        if len(self._found) < 10_000:  # model names come from clients: bound the memory
            self._found[model] = price
        return price

    def _search(self, model: str) -> Price | None:
        if (price := self.table.get(model)) is not None:
            return price
        undated = _DATED.sub("", model)
        if (price := self.table.get(undated)) is not None:
            return price
        for name in self._prefixes:
            if undated.startswith(name + "-"):
                return self.table[name]
        return None

    def cost(
        self, model: str | None, input: int, output: int, cache_read: int, cache_write: int
    ) -> float | None:
        price = self.find(model)
        if price is None:
            return None
        total = (input * price.input + output * price.output + cache_read * price.cache_read
                 + cache_write * price.cache_write)  # fmt: skip
        return round(total / 1_000_000, 8)
