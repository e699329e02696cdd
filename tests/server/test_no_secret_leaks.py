"""No token, refresh token or client key in the server's log (at DEBUG), the access log, any
answer (errors included) or what the `ccproxy auth` commands print. A real `ccproxy serve` is
driven through a token refresh, both providers, streams and client mistakes, then everything it
said or wrote is searched for every secret the fakes ever issued."""

from __future__ import annotations

import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import anthropic
import duckdb
import httpx
import openai

from tests.cli.serving import Serving, ccproxy
from tests.conftest import CODEX_PROMPT, claude_urls
from tests.fakes.anthropic_api import FakeAnthropic
from tests.fakes.chatgpt_backend import PATH, FakeChatGPT
from tests.fakes.claude_account import ClaudeAccount
from tests.fakes.live import LiveServer
from tests.fakes.openai_oauth import FakeOpenAIOAuth

CLIENT_TOKEN = "ccp-client-secret-7f3a9"
MESSAGE = {
    "model": "claude-sonnet-5-5",
    "max_tokens": 5,
    "messages": [{"role": "user", "content": "hi"}],
}


def test_no_secret_reaches_a_log_an_answer_or_a_command(
    fake_api: tuple[FakeAnthropic, LiveServer],
    oauth_server: LiveServer,
    account: ClaudeAccount,
    credentials_path: Path,
    chatgpt: tuple[FakeChatGPT, LiveServer],
    openai_oauth: FakeOpenAIOAuth,
    openai_oauth_server: LiveServer,
    codex_auth: dict[str, Any],
    tmp_path: Path,
) -> None:
    first = account.write_credentials(credentials_path, expires_in=-60)  # refreshed on first use
    second_login = tmp_path / "second" / "credentials.json"  # listed by every status
    account.write_credentials(second_login)
    chatgpt[0].prompt = CODEX_PROMPT
    env = _env(fake_api[1], oauth_server, chatgpt[1], openai_oauth_server, tmp_path)
    env["CLAUDE__EXTRA_CREDENTIALS_PATHS"] = str(second_login)
    with Serving(env=env) as server:
        said = list(_exercise(server.url))
        said.append(httpx.get(server.url + "/logs/query?limit=1000", headers=_key()).text)
        said.append(httpx.get(server.url + "/metrics", headers=_key()).text)
    said.append(server.log)
    for command in ("status", "info", "validate"):
        done = ccproxy("auth", command, env=env)
        said += [done.stdout, done.stderr]
    said += _access_log_rows(tmp_path / "log.duckdb")
    secrets = {CLIENT_TOKEN, *first, *_claude_secrets(account), *_codex_secrets(openai_oauth)}
    secrets |= {codex_auth[k] for k in ("id_token", "access_token", "refresh_token")}
    assert account.refresh_calls == 1 and len(secrets) >= 8  # a refresh happened; tokens known
    assert "refreshed the Claude OAuth token" in server.log
    assert '"POST /codex/v1/responses HTTP/1.1" 200' in server.log  # DEBUG logs every request
    text = "\n".join(said)
    leaked = sorted(secret for secret in secrets if secret in text)
    assert leaked == [], f"secrets leaked: {leaked}"
    _assert_private(credentials_path)


def _env(
    api: LiveServer, oauth: LiveServer, chatgpt: LiveServer, openai_oauth: LiveServer, tmp: Path
) -> dict[str, str]:
    prompt = tmp / "prompt.md"
    prompt.write_text(CODEX_PROMPT)
    claude = {f"CLAUDE__{key.upper()}": value for key, value in claude_urls(api, oauth).items()}
    return {
        **claude,
        "SERVER__LOG_LEVEL": "DEBUG",
        "SECURITY__AUTH_TOKEN": CLIENT_TOKEN,
        "OBSERVABILITY__LOGS_ENABLED": "true",
        "OBSERVABILITY__METRICS_ENABLED": "true",
        "OBSERVABILITY__DUCKDB_PATH": str(tmp / "log.duckdb"),
        "CODEX__ENABLED": "true",
        "CODEX__BASE_URL": chatgpt.url + PATH,
        "CODEX__OAUTH_TOKEN_URL": openai_oauth.url + "/oauth/token",
        "CODEX__INSTRUCTIONS_FILE": str(prompt),
        "CODEX__CLI_PATH": "/nonexistent/codex",
    }


def _key(token: str = CLIENT_TOKEN) -> dict[str, str]:
    return {"x-api-key": token}


def _exercise(url: str) -> Iterable[str]:
    """Requests of every kind; yields every answer's headers and body as the client saw them."""
    claude = anthropic.Anthropic(base_url=url + "/api", api_key=CLIENT_TOKEN, max_retries=0)
    yield claude.messages.create(**MESSAGE).model_dump_json()  # type: ignore[call-overload]
    with claude.messages.stream(**MESSAGE) as stream:  # type: ignore[arg-type]
        yield "".join(stream.text_stream)
    chat = openai.OpenAI(base_url=url + "/api/v1", api_key=CLIENT_TOKEN, max_retries=0)
    yield chat.chat.completions.create(
        model="claude-sonnet-5-5", messages=[{"role": "user", "content": "hi"}]
    ).model_dump_json()
    codex = openai.OpenAI(base_url=url + "/codex/v1", api_key=CLIENT_TOKEN, max_retries=0)
    yield codex.responses.create(model="gpt-5.4", input="hi").model_dump_json()
    with httpx.Client(base_url=url, timeout=30) as client:
        for method, path, body, headers in [
            ("POST", "/api/v1/messages", MESSAGE, _key("wrong-key")),  # 401, ours
            ("POST", "/api/v1/messages", {"model": "m"}, _key()),  # 400, the upstream's
            ("POST", "/api/v1/messages", b"{broken", _key()),  # 400, ours
            ("GET", "/api/status", None, _key()),
            ("GET", "/codex/status", None, _key()),
            ("POST", "/codex/responses", {"model": "gpt-5.4"}, _key()),
        ]:
            content = body if isinstance(body, bytes) else None
            json = None if content is not None else body
            answer = client.request(method, path, json=json, content=content, headers=headers)
            assert answer.status_code < 500, (path, answer.text)
            yield f"{answer.status_code} {answer.headers} {answer.text}"


def _claude_secrets(account: ClaudeAccount) -> set[str]:
    return account.access | account.expired | account.revoked | account.refresh_tokens


def _codex_secrets(oauth: FakeOpenAIOAuth) -> set[str]:
    return oauth.access | oauth.refresh_tokens


def _access_log_rows(path: Path) -> list[str]:
    """Every row of every table, as text: DuckDB compresses strings, so the file's bytes alone
    could hide a token."""
    with duckdb.connect(str(path), read_only=True) as db:
        tables = [row[0] for row in db.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        return [str(db.execute(f"SELECT * FROM {table}").fetchall()) for table in tables]


def _assert_private(credentials: Path) -> None:
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
