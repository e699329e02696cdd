"""Golden files: a case's expected output lives next to its input, in tests/data.

Run the suite with `UPDATE_GOLDEN=1` to (re)write expected outputs, then read the diff before
committing: a golden file is a claim about the right answer, not a snapshot of whatever came out.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Protocol

from ccproxy.formats import sse
from ccproxy.formats.convert.context import ResponseContext

DATA = Path(__file__).resolve().parents[1] / "data"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def cases(folder: str, pattern: str = "*.json") -> list[Path]:
    return sorted((DATA / folder).glob(pattern))


def load(path: Path) -> dict[str, Any]:
    case: dict[str, Any] = json.loads(path.read_text())
    return case


def check(path: Path, case: dict[str, Any], key: str, actual: Any) -> None:
    """Compare `actual` with `case[key]`, or record it there when updating."""
    if UPDATE:
        case[key] = actual
        path.write_text(json.dumps(case, indent=2, ensure_ascii=False) + "\n")
        return
    assert key in case, f"{path.name} has no expected {key!r}: run with UPDATE_GOLDEN=1 and review"
    assert actual == case[key]


def check_text(path: Path, actual: str) -> None:
    if UPDATE:
        path.write_text(actual)
        return
    assert path.exists(), f"{path.name} is missing: run with UPDATE_GOLDEN=1 and review"
    assert actual == path.read_text()


def response_context(case: dict[str, Any], model: str) -> ResponseContext:
    """The fixed id and clock of every golden response, with the case's own `ctx` on top."""
    given = {"id": "chatcmpl-test", "created": 1790000000, "model": model, **case.get("ctx", {})}
    return ResponseContext(**given)


class ChunkStream(Protocol):
    def feed(self, event: str, data: dict[str, Any]) -> list[bytes]: ...

    def finish(self) -> list[bytes]: ...


def replay(stream: ChunkStream, path: Path) -> bytes:
    """What `stream` writes for the recorded upstream events in `path`, its ending included."""
    decoder = sse.Decoder()
    out = b""
    for event in decoder.feed(path.read_bytes()) + decoder.finish():
        out += b"".join(stream.feed(event.event, json.loads(event.data)))
    return out + b"".join(stream.finish())
