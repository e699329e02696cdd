"""Responses <-> Anthropic conversion (a Responses client on Claude) against the golden files in
tests/data/responses_anthropic."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ccproxy.formats.convert import responses_anthropic_reply as reply
from ccproxy.formats.convert import responses_anthropic_request
from ccproxy.formats.convert.context import ConversionError, RequestContext
from ccproxy.formats.convert.responses_anthropic_stream import Stream
from tests.formats import golden
from tests.formats.traits import CLASSIC, MODERN

TRAITS = {"classic": CLASSIC, "modern": MODERN}
FOLDER = "responses_anthropic"


def reply_context(case: dict[str, Any]) -> reply.ReplyContext:
    """The fixed id and clock of every golden response, the case's request echoed."""
    return reply.ReplyContext(
        id="resp_test",
        created=1790000000,
        model="claude-test",
        echo=reply.echoed(case.get("request", {})),
        **case.get("ctx", {}),
    )


@pytest.mark.parametrize("path", golden.cases(f"{FOLDER}/requests"), ids=lambda p: p.stem)
def test_request(path: Path) -> None:
    case = golden.load(path)
    ctx = RequestContext("claude-test", TRAITS[case.get("traits", "classic")])
    try:
        converted = responses_anthropic_request.request(case["responses"], ctx)
    except ConversionError as exc:
        golden.check(path, case, "error", {"message": exc.message, "param": exc.param})
        return
    golden.check(path, case, "anthropic", converted.body)


@pytest.mark.parametrize("path", golden.cases(f"{FOLDER}/responses"), ids=lambda p: p.stem)
def test_response(path: Path) -> None:
    case = golden.load(path)
    golden.check(path, case, "responses", reply.response(case["anthropic"], reply_context(case)))


@pytest.mark.parametrize(
    "path", golden.cases(f"{FOLDER}/streams", "*.anthropic.sse"), ids=lambda p: p.name.split(".")[0]
)
def test_stream(path: Path) -> None:
    name = path.name.split(".")[0]
    ctx_file = path.with_name(f"{name}.ctx.json")
    case = golden.load(ctx_file) if ctx_file.exists() else {}
    out = golden.replay(Stream(reply_context(case)), path)
    golden.check_text(path.with_name(f"{name}.responses.sse"), out.decode())
