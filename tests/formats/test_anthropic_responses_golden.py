"""Anthropic Messages <-> Responses conversion against the golden files in tests/data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ccproxy.formats import token_estimate
from ccproxy.formats.convert import anthropic_to_responses
from ccproxy.formats.convert.context import ConversionError
from tests.formats import golden

FOLDER = "anthropic_responses"


@pytest.mark.parametrize("path", golden.cases(f"{FOLDER}/requests"), ids=lambda p: p.stem)
def test_request(path: Path) -> None:
    case = golden.load(path)
    try:
        converted = anthropic_to_responses.request(
            case["anthropic"], "gpt-5.4", summaries=case.get("summaries", True)
        )
    except ConversionError as exc:
        golden.check(path, case, "error", {"message": exc.message, "param": exc.param})
        return
    golden.check(path, case, "responses", converted)


@pytest.mark.parametrize("path", golden.cases(f"{FOLDER}/responses"), ids=lambda p: p.stem)
def test_response(path: Path) -> None:
    case = golden.load(path)
    converted = anthropic_to_responses.message(case["responses"], "msg_test", "gpt-5.4")
    golden.check(path, case, "anthropic", converted)


@pytest.mark.parametrize("path", golden.cases(f"{FOLDER}/errors"), ids=lambda p: p.stem)
def test_error(path: Path) -> None:
    case = golden.load(path)
    given = case["upstream"]
    raw = given if isinstance(given, str) else json.dumps(given)
    converted = anthropic_to_responses.error(case["status"], raw.encode())
    golden.check(path, case, "anthropic", converted)


@pytest.mark.parametrize(
    "path",
    golden.cases(f"{FOLDER}/streams", "*.responses.sse"),
    ids=lambda p: p.name.split(".")[0],
)
def test_stream(path: Path) -> None:
    name = path.name.split(".")[0]
    out = golden.replay(anthropic_to_responses.Stream("msg_test", "gpt-5.4"), path)
    golden.check_text(path.with_name(f"{name}.anthropic.sse"), out.decode())


@pytest.mark.parametrize("path", golden.cases(f"{FOLDER}/count_tokens"), ids=lambda p: p.stem)
def test_count_tokens(path: Path) -> None:
    case = golden.load(path)
    estimate = {"input_tokens": token_estimate.input_tokens(case["anthropic"])}
    golden.check(path, case, "count_tokens", estimate)
