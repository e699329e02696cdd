"""SSE framing: whatever the chunking, whole events come out unchanged and nothing else."""

from __future__ import annotations

import itertools
import json

from hypothesis import given
from hypothesis import strategies as st

from ccproxy.formats import sse
from ccproxy.formats.sse import EventFramer

STREAM = (
    b'event: message_start\ndata: {"type":"message_start"}\n\n'
    b": a comment\n\n"
    b'event: ping\r\ndata: {"type":"ping"}\r\n\r\n'
    b"data: only data\n\n"
    b'event: message_stop\ndata: {"type":"message_stop"}\n\n'
)
EVENT_ENDS = [
    STREAM.index(e) + len(e) for e in (b'start"}\n\n', b"comment\n\n", b"\r\n\r\n", b"data\n\n")
] + [len(STREAM)]


@given(st.lists(st.integers(min_value=0, max_value=len(STREAM)), max_size=12))
def test_any_chunking_yields_whole_events(cuts: list[int]) -> None:
    points = sorted({0, *cuts, len(STREAM)})
    framer = EventFramer()
    emitted = b""
    for start, end in itertools.pairwise(points):
        out = framer.feed(STREAM[start:end])
        emitted += out
        assert len(emitted) in {0, *EVENT_ENDS}  # only ever whole events
    assert emitted == STREAM
    assert framer.pending == b""


def test_unfinished_tail_is_held_back() -> None:
    framer = EventFramer()
    assert framer.feed(b'event: a\ndata: 1\n\nevent: b\ndata: {"par') == b"event: a\ndata: 1\n\n"
    assert framer.pending == b'event: b\ndata: {"par'
    assert framer.feed(b'tial"}\n') == b""
    assert framer.feed(b"\n") == b'event: b\ndata: {"partial"}\n\n'


def test_encode() -> None:
    assert sse.encode("error", {"a": "é"}) == 'event: error\ndata: {"a":"é"}\n\n'.encode()
    assert sse.encode(None, "line1\nline2") == b"data: line1\ndata: line2\n\n"
    assert json.loads(sse.encode("x", [1]).split(b"data: ")[1]) == [1]
