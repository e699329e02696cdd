"""examples/sdk_curl.sh against SDK mode on the fake Anthropic API."""

from __future__ import annotations

import json
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
