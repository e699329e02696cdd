"""Chat Completions <-> Anthropic conversion against the golden files in tests/data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ccproxy.formats import chat
from ccproxy.formats.convert import chat_request, chat_response
from ccproxy.formats.convert.chat_stream import Stream
from ccproxy.formats.convert.context import ConversionError, RequestContext
from tests.formats import golden
from tests.formats.traits import CLASSIC, MODERN

TRAITS = {"classic": CLASSIC, "modern": MODERN}


def request_context(case: dict[str, Any]) -> RequestContext:
    remembered: dict[str, list[dict[str, Any]]] = case.get("remembered", {})
    return RequestContext(
        case.get("model", "claude-test"), TRAITS[case.get("traits", "classic")], remembered.get
    )


@pytest.mark.parametrize("path", golden.cases("chat_anthropic/requests"), ids=lambda p: p.stem)
def test_request(path: Path) -> None:
    case = golden.load(path)
    ctx = request_context(case)
    try:
        converted = chat_request.request(chat.parse_request(case["chat"]), ctx)
    except ConversionError as exc:
        golden.check(path, case, "error", {"message": exc.message, "param": exc.param})
        return
    golden.check(path, case, "anthropic", converted.body)
    assert converted.structured_tool == case.get("structured_tool")


@pytest.mark.parametrize("path", golden.cases("chat_anthropic/responses"), ids=lambda p: p.stem)
def test_response(path: Path) -> None:
    case = golden.load(path)
    converted = chat_response.response(
        case["anthropic"], golden.response_context(case, "claude-test")
    )
    golden.check(path, case, "chat", converted)


@pytest.mark.parametrize("path", golden.cases("chat_anthropic/errors"), ids=lambda p: p.stem)
def test_error(path: Path) -> None:
    case = golden.load(path)
    raw = case["anthropic"] if isinstance(case["anthropic"], str) else json.dumps(case["anthropic"])
    golden.check(path, case, "chat", chat_response.error(case["status"], raw.encode()))


@pytest.mark.parametrize(
    "path",
    golden.cases("chat_anthropic/streams", "*.anthropic.sse"),
    ids=lambda p: p.name.split(".")[0],
)
def test_stream(path: Path) -> None:
    name = path.name.split(".")[0]
    ctx_file = path.with_name(f"{name}.ctx.json")
    case = golden.load(ctx_file) if ctx_file.exists() else {}
    stream = Stream(golden.response_context(case, "claude-test"))
    out = golden.replay(stream, path)
    golden.check_text(path.with_name(f"{name}.chat.sse"), out.decode())
    remembered = case.get("remembered")
    if remembered is not None:
        assert stream.thinking_by_tool_id == remembered
