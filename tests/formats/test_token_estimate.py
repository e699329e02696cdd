"""The local count_tokens estimate: the golden cases hold the numbers; here, odd input."""

from __future__ import annotations

from ccproxy.formats import token_estimate


def test_the_estimate_takes_any_json_without_failing() -> None:
    odd = {"messages": [{"content": [{"type": ["x"]}, 5, None, {"type": "image", "source": 1}]}]}
    assert token_estimate.input_tokens(odd) > token_estimate.IMAGE_TOKENS
    assert token_estimate.input_tokens({"messages": "no", "tools": "no"}) >= 0


def test_more_text_is_more_tokens() -> None:
    def ask(text: str) -> dict[str, object]:
        return {"messages": [{"role": "user", "content": text}]}

    assert token_estimate.input_tokens(ask("a" * 400)) == 100 + token_estimate.MESSAGE_TOKENS
    assert token_estimate.input_tokens(ask("a" * 401)) == 101 + token_estimate.MESSAGE_TOKENS
