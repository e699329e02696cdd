"""Credential files: parsing, atomic 0600 rewrites keeping unknown keys, the cross-process lock."""

from __future__ import annotations

import asyncio
import json
import os
import stat
from pathlib import Path

import pytest

from ccproxy.auth import store


def test_parse_reads_the_claude_cli_format() -> None:
    data = {
        "claudeAiOauth": {
            "accessToken": "a",
            "refreshToken": "r",
            "expiresAt": 1_700_000_000_500,
            "scopes": ["user:inference"],
            "subscriptionType": "pro",
        }
    }
    credential = store.parse_claude_credential(data)
    assert credential == store.Credential("a", "r", 1_700_000_000.5, ("user:inference",), "pro")
    assert store.parse_claude_credential({}) is None
    assert store.parse_claude_credential({"claudeAiOauth": {"refreshToken": "r"}}) is None
    no_refresh = store.parse_claude_credential(
        {"claudeAiOauth": {"accessToken": "a", "refreshToken": ""}}
    )
    assert (
        no_refresh is not None
        and no_refresh.refresh_token is None
        and no_refresh.expires_at is None
    )


def test_expiry_maths() -> None:
    credential = store.Credential("a", expires_at=1000.0)
    assert not credential.is_expired(999.0) and credential.is_expired(1000.5)
    assert credential.expires_within(120, 881.0) and not credential.expires_within(120, 879.0)
    assert not store.Credential("a").expires_within(120, 1e12)  # unknown expiry: use until refused


def test_apply_refresh_keeps_unknown_keys_and_order() -> None:
    data = {
        "first": 1,
        "claudeAiOauth": {
            "accessToken": "old",
            "refreshToken": "r1",
            "expiresAt": 1,
            "subscriptionType": "max",
            "extra": [1],
        },
        "last": {"x": 2},
    }
    token = {"access_token": "new", "refresh_token": "r2", "expires_in": 3600, "scope": "a b"}
    updated = store.apply_claude_refresh(data, token, now=1000.0)
    assert list(updated) == ["first", "claudeAiOauth", "last"]
    assert updated["claudeAiOauth"] == {
        "accessToken": "new",
        "refreshToken": "r2",
        "expiresAt": 4_600_000,
        "subscriptionType": "max",
        "extra": [1],
        "scopes": ["a", "b"],
    }
    kept = store.apply_claude_refresh(data, {"access_token": "new", "refresh_token": ""}, now=0.0)
    assert kept["claudeAiOauth"]["refreshToken"] == "r1"  # absent or empty: keep the stored one
    assert "expiresAt" not in kept["claudeAiOauth"]  # no lifetime given: none assumed


def test_atomic_write_is_0600_and_leaves_no_temp_files(tmp_path: Path) -> None:
    path = tmp_path / "dir" / "creds.json"
    store.write_json_atomic(path, {"k": "välue"})
    store.write_json_atomic(path, {"k": "second"})
    assert json.loads(path.read_text()) == {"k": "second"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert os.listdir(path.parent) == ["creds.json"]


def test_credential_directories_are_private(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    made = tmp_path / "new" / ".claude"
    store.write_json_atomic(made / ".credentials.json", {"k": 1})
    assert stat.S_IMODE(made.stat().st_mode) == 0o700
    assert caplog.records == []
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    os.chmod(shared, 0o755)
    store.write_json_atomic(shared / "auth.json", {"k": 1})
    store.write_json_atomic(shared / "auth.json", {"k": 2})
    # A directory that already exists keeps its mode (it may be $HOME), with one warning.
    assert stat.S_IMODE(shared.stat().st_mode) == 0o755
    [warning] = caplog.records
    assert f"chmod 700 {shared}" in warning.getMessage()


def test_atomic_write_through_a_symlink_keeps_the_link(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text("{}")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    store.write_json_atomic(link, {"a": 1})
    assert link.is_symlink() and json.loads(real.read_text()) == {"a": 1}


def test_read_json_object_errors(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    assert store.read_json_object(path) is None
    path.write_text("[]")
    with pytest.raises(store.CredentialFileError, match="JSON object"):
        store.read_json_object(path)
    path.write_text("{oops")
    with pytest.raises(store.CredentialFileError, match="not valid JSON"):
        store.read_json_object(path)


async def test_file_lock_excludes_a_second_holder(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    order: list[str] = []

    async def hold(name: str, delay: float) -> None:
        await asyncio.sleep(delay)
        async with store.file_lock(path):
            order.append(f"{name} in")
            await asyncio.sleep(0.1)
            order.append(f"{name} out")

    await asyncio.gather(hold("a", 0), hold("b", 0.02))
    assert order == ["a in", "a out", "b in", "b out"]
