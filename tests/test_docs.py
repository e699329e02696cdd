"""Docs that must not drift from the code."""

from __future__ import annotations

from scripts.config_docs import DOC, updated


def test_configuration_table_matches_the_settings_schema() -> None:
    current = DOC.read_text()
    assert current == updated(current), "run `python scripts/config_docs.py` and commit the result"
