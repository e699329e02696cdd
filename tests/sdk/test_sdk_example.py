"""examples/sdk_curl.sh and examples/responses_on_claude.py against SDK mode on the fake
Anthropic API."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.e2e.test_examples import EXAMPLES, run_example
from tests.fakes.anthropic_api import FakeAnthropic
from tests.fakes.anthropic_script import REPLY
from tests.sdk.conftest import SdkProxy


def test_sdk_curl_example(
    sdk_proxy: SdkProxy, anthropic_fake: FakeAnthropic, tmp_path: Path
) -> None:
    out = run_example(["bash", str(EXAMPLES / "sdk_curl.sh")], sdk_proxy(), tmp_path)
    first, second = (json.loads(line) for line in out.strip().splitlines())
    for message in (first, second):
        assert REPLY in [b.get("text") for b in message["content"]]
    sent = json.dumps(anthropic_fake.message_requests()[-1].json()["messages"])
    assert "Remember the number 7." in sent and "Which number" in sent


def test_responses_example_on_sdk_mode(sdk_proxy: SdkProxy, tmp_path: Path) -> None:
    script = [sys.executable, str(EXAMPLES / "responses_on_claude.py")]
    proxy = sdk_proxy(sdk_message_mode="ignore")
    out = run_example(script, proxy, tmp_path, {"CCPROXY_PREFIX": "/sdk"})
    assert f"answer: {REPLY} (claude-sonnet-5-5)" in out and f"stream: {REPLY}" in out
    assert "tool call" not in out
