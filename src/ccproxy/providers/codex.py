"""The ChatGPT backend behind Codex, over the Codex CLI's login (UPSTREAMS.md §3).

The backend only streams; the routes read its stream whole for clients that did not ask for one.
Requests carry the headers the Codex CLI sends; usage-limit headers of every answer are kept.
"""

from __future__ import annotations

import fnmatch
import functools
import json
import logging
import os
import platform
from typing import Any
from urllib.parse import urlsplit

from ccproxy.auth.codex import CodexTokens
from ccproxy.auth.store import Credential
from ccproxy.auth.vendors import OPENAI, OPENAI_LOGIN_HINT
from ccproxy.config_codex import CodexSettings, codex_home
from ccproxy.errors import AuthenticationRequired
from ccproxy.http import Client, Headers, Timeouts, Upstream, client_header_value
from ccproxy.providers import codex_body, codex_models
from ccproxy.providers.accounts import CODEX_RULES, Account, AccountPool, send_with_failover
from ccproxy.providers.codex_prompt import CodexPrompt
from ccproxy.providers.overload import send_retrying

log = logging.getLogger(__name__)

LIMIT_PREFIX = "x-codex-"
# Client headers the backend may see: the Codex CLI's own bookkeeping. Everything else (the
# client's credentials, cookies, SDK telemetry, hop-by-hop headers) stays here.
_PASSED = frozenset({"x-client-request-id", "thread-id"})


class Codex:
    """Sends prepared Responses requests to `{CODEX__BASE_URL}/responses` as the Codex CLI."""

    name = "codex"

    def __init__(
        self,
        settings: CodexSettings,
        http: Client,
        tokens: CodexTokens | list[CodexTokens],
        prompt: CodexPrompt,
    ) -> None:
        self.settings = settings
        self.base_url = settings.base_url.rstrip("/")
        self.host = urlsplit(self.base_url).netloc or self.base_url
        self.accounts = AccountPool(tokens if isinstance(tokens, list) else [tokens], CODEX_RULES)
        self.tokens = self.accounts.main.tokens  # the main login: health
        self.prompt = prompt
        self._http = http
        self._timeouts = Timeouts(connect=settings.connect_timeout, read=settings.read_timeout)
        self.usage_limits: dict[str, str] = {}

    def resolve_model(self, name: str) -> str:
        return codex_models.resolve_model(
            name, self.settings.model_map, self.settings.default_model
        )

    def model_items(self) -> list[dict[str, Any]]:
        return codex_models.model_items(self.settings.models, codex_home() / "models_cache.json")

    async def prepare(
        self, payload: dict[str, Any], model: str, session_id: str | None = None
    ) -> codex_body.Prepared:
        """The backend's body for a Responses-shaped `payload`, with this set-up's prompt and
        refused parameters; `session_id` is the one the path names."""
        return codex_body.prepare(
            payload,
            model=model,
            prompt=await self.prompt_for(model),
            unsupported=self.settings.unsupported_parameters,
            session_id=session_id,
        )

    async def prompt_for(self, model: str) -> str | None:
        """The Codex prompt to inject for `model`, if it is one that gets it."""
        patterns = self.settings.instructions_models
        if not any(fnmatch.fnmatchcase(model, pattern) for pattern in patterns):
            return None
        return await self.prompt.current()

    @property
    def version(self) -> str:
        return self.prompt.cli_version or self.settings.client_version

    async def send(
        self, body: bytes, client: list[tuple[bytes, bytes]], *, session: str, conversation: str
    ) -> Upstream:
        """POST to the backend; an open response the caller must read or close. The session
        keeps a conversation on one login; a usage limit (429) moves it to the next."""
        return await send_with_failover(
            self.accounts,
            session,
            lambda account: self._send_as(account, body, client, (session, conversation)),
        )

    async def _send_as(
        self,
        account: Account[CodexTokens],
        body: bytes,
        client: list[tuple[bytes, bytes]],
        ids: tuple[str, str],
    ) -> Upstream:
        """One login's attempt. A 401 is answered by one refresh and one resend, then by asking
        for a new login."""
        tokens = account.tokens
        credential = await tokens.credential()
        response = await send_retrying(
            lambda: self._post(body, self._headers(client, tokens, credential, *ids)),
            self.settings.overload_retries,
        )
        if response.status == 401 and tokens.can_refresh():
            response.close()
            await tokens.refresh(credential.access_token)
            credential = await tokens.credential()
            response = await self._post(body, self._headers(client, tokens, credential, *ids))
        if response.status == 401:
            detail = (await response.read()).decode("utf-8", "replace")[:200]
            raise AuthenticationRequired(
                f"the ChatGPT backend refused the Codex login in {tokens.path} ({detail}); "
                f"{OPENAI_LOGIN_HINT}"
            )
        if limits := self.accounts.note(account, response):
            self.usage_limits = limits
        return response

    async def _post(self, body: bytes, headers: Headers) -> Upstream:
        return await self._http.send(
            "POST",
            self.base_url + "/responses",
            host=self.host,
            headers=headers,
            body=body,
            timeouts=self._timeouts,
        )

    def _headers(
        self,
        client: list[tuple[bytes, bytes]],
        tokens: CodexTokens,
        credential: Credential,
        session: str,
        conversation: str,
    ) -> list[tuple[str, str]]:
        if not credential.account_id:
            raise AuthenticationRequired(
                f"the Codex login in {tokens.path} names no ChatGPT account; {OPENAI_LOGIN_HINT}"
            )
        headers = [
            ("authorization", "Bearer " + credential.access_token),
            ("chatgpt-account-id", credential.account_id),
            ("openai-beta", "responses=experimental"),
            ("originator", OPENAI.originator),
            ("version", self.version),
            ("user-agent", user_agent(self.version)),
            ("session_id", session),
            ("conversation_id", conversation),
            ("accept", "text/event-stream"),
            ("content-type", "application/json"),
        ]
        for key, value in client:
            name = key.decode("latin-1").lower()
            if name.startswith(LIMIT_PREFIX) or name in _PASSED:
                headers.append((name, client_header_value(name, value.decode("latin-1"))))
        return headers

    def describe_limits(self) -> dict[str, Any]:
        return usage_limits(self.usage_limits)

    def describe_accounts(self) -> list[dict[str, Any]]:
        return self.accounts.describe(usage_limits)


def usage_limits(headers: dict[str, str]) -> dict[str, Any]:
    """The `x-codex-*` usage-limit headers as numbers where they are numbers (§3.9)."""
    parsed: dict[str, Any] = {}
    for name, value in headers.items():
        key = name.removeprefix(LIMIT_PREFIX).replace("-", "_")
        parsed[key] = _number(value)
    return parsed


def _number(value: str) -> Any:
    try:
        number = json.loads(value)
    except ValueError:
        return value
    return number if isinstance(number, int | float) else value


@functools.cache
def user_agent(version: str) -> str:
    """What the Codex CLI sends: `codex_cli_rs/<version> (<OS> <version>; <arch>) <terminal>`."""
    return f"codex_cli_rs/{version} ({_os()}; {platform.machine() or 'unknown'}) {_terminal()}"


def _os() -> str:
    try:
        release = platform.freedesktop_os_release()
        return f"{release.get('NAME', 'Linux')} {release.get('VERSION_ID', '')}".strip()
    except OSError:
        return f"{platform.system() or 'unknown'} {platform.release()}".strip()


def _terminal() -> str:
    program = os.environ.get("TERM_PROGRAM")
    if program:
        version = os.environ.get("TERM_PROGRAM_VERSION")
        return f"{program}/{version}" if version else program
    return os.environ.get("TERM") or "unknown"
