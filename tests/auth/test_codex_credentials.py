"""Reading the Codex CLI's auth.json: expiry from the access JWT, the account from the tokens."""

from __future__ import annotations

import json
from pathlib import Path

from ccproxy.auth.codex import describe, parse_codex_credential
from tests.fakes.openai_oauth import ACCOUNT_ID, jwt

CLAIMS = {"https://api.openai.com/auth": {"chatgpt_account_id": "acc-from-jwt"}}


def test_expiry_comes_from_the_access_token() -> None:
    access = jwt({"exp": 1_800_000_000, **CLAIMS})
    credential = parse_codex_credential({"tokens": {"access_token": access, "refresh_token": "r"}})
    assert credential is not None
    assert credential.expires_at == 1_800_000_000 and credential.refresh_token == "r"
    opaque = parse_codex_credential({"tokens": {"access_token": "opaque"}})
    assert opaque is not None and opaque.expires_at is None and opaque.refresh_token is None


def test_the_account_comes_from_the_id_token_then_the_access_token_then_the_file() -> None:
    id_token = jwt({"https://api.openai.com/auth": {"chatgpt_account_id": "acc-id-token"}})
    access = jwt(CLAIMS)
    both = {"id_token": id_token, "access_token": access, "account_id": "acc-stored"}
    assert parse_codex_credential({"tokens": both}).account_id == "acc-id-token"  # type: ignore[union-attr]
    access_only = {"access_token": access, "account_id": "acc-stored"}
    assert parse_codex_credential({"tokens": access_only}).account_id == "acc-from-jwt"  # type: ignore[union-attr]
    stored = {"access_token": "opaque", "account_id": "acc-stored"}
    assert parse_codex_credential({"tokens": stored}).account_id == "acc-stored"  # type: ignore[union-attr]


def test_files_without_a_chatgpt_login_hold_no_credential() -> None:
    assert parse_codex_credential({"OPENAI_API_KEY": "sk-x", "tokens": None}) is None
    assert parse_codex_credential({"tokens": {"access_token": 5}}) is None


def test_describe_reports_problems_and_facts_but_no_token(tmp_path: Path) -> None:
    path = tmp_path / "auth.json"
    missing = describe(path, now=0)
    assert missing["source"] == "none" and "ccproxy auth login-openai" in missing["error"]
    path.write_text("{broken")
    assert describe(path, now=0)["valid"] is False
    access = jwt({"exp": 1000, **CLAIMS})
    id_token = jwt({"email": "a@b.c", "https://api.openai.com/auth": {
        "chatgpt_account_id": ACCOUNT_ID, "chatgpt_plan_type": "pro"}})  # fmt: skip
    tokens = {"id_token": id_token, "access_token": access, "refresh_token": "rt-secret"}
    path.write_text(json.dumps({"tokens": tokens}))
    described = describe(path, now=2000)
    assert described["expired"] is True and described["valid"] is True  # refreshable
    assert (described["plan"], described["email"]) == ("pro", "a@b.c")
    assert described["account_id"] == ACCOUNT_ID and described["expires_in_seconds"] == -1000
    assert "rt-secret" not in str(described) and access not in str(described)
