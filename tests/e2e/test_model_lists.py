"""One model-list shape that both official SDKs parse (CONTRACT.md §2.1)."""

from __future__ import annotations

import anthropic
import openai


def test_both_sdks_parse_the_model_list(proxy: str) -> None:
    listed = anthropic.Anthropic(base_url=proxy + "/api", api_key="dummy").models.list()
    anthropic_ids = [m.id for m in listed.data]
    assert "claude-opus-5-5" in anthropic_ids
    assert listed.data[0].display_name and listed.data[0].created_at.year >= 2025
    openai_models = openai.OpenAI(base_url=proxy + "/api/v1", api_key="dummy").models.list()
    assert [m.id for m in openai_models.data] == anthropic_ids
    assert all(m.owned_by == "anthropic" and m.created > 0 for m in openai_models.data)
    one = openai.OpenAI(base_url=proxy + "/api/v1", api_key="dummy").models.retrieve(
        "claude-opus-5-5"
    )
    assert one.id == "claude-opus-5-5"
