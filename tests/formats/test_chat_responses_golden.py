"""Chat Completions <-> Responses conversion against the golden files in tests/data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ccproxy.formats import chat
from ccproxy.formats.convert import chat_to_responses
from ccproxy.formats.convert.context import ConversionError
from tests.formats import golden


@pytest.mark.parametrize("path", golden.cases("chat_responses/requests"), ids=lambda p: p.stem)
def test_request(path: Path) -> None:
    case = golden.load(path)
    req = chat.parse_request(case["chat"])
    try:
        converted = chat_to_responses.request(
            req, case.get("model", "gpt-5.4"), summaries=case.get("summaries", True)
        )
    except ConversionError as exc:
        golden.check(path, case, "error", {"message": exc.message, "param": exc.param})
        return
    golden.check(path, case, "responses", converted)


@pytest.mark.parametrize("path", golden.cases("chat_responses/responses"), ids=lambda p: p.stem)
def test_response(path: Path) -> None:
    case = golden.load(path)
    converted = chat_to_responses.response(
        case["responses"], golden.response_context(case, "gpt-5.4")
    )
    golden.check(path, case, "chat", converted)


@pytest.mark.parametrize("path", golden.cases("chat_responses/errors"), ids=lambda p: p.stem)
def test_error(path: Path) -> None:
    case = golden.load(path)
    given = case["upstream"]
    raw = given if isinstance(given, str) else json.dumps(given)
    golden.check(path, case, "chat", chat_to_responses.error(case["status"], raw.encode()))


@pytest.mark.parametrize(
    "path",
    golden.cases("chat_responses/streams", "*.responses.sse"),
    ids=lambda p: p.name.split(".")[0],
)
def test_stream(path: Path) -> None:
    name = path.name.split(".")[0]
    case = golden.load(path.with_name(f"{name}.ctx.json"))
    stream = chat_to_responses.Stream(golden.response_context(case, "gpt-5.4"))
    out = golden.replay(stream, path)
    golden.check_text(path.with_name(f"{name}.chat.sse"), out.decode())
