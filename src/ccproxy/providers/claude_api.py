"""The Claude API over the user's OAuth token (UPSTREAMS.md §1).

Only three things change on the way through: the credentials (ours in, the client's out), the
`anthropic-beta` list (the two OAuth betas added), and `system` (the identity block inserted when
the client did not send one). Everything else is forwarded as the client sent it.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any
from urllib.parse import urlsplit

from ccproxy.auth.tokens import ClaudeTokens
from ccproxy.auth.vendors import CLAUDE_LOGIN_HINT
from ccproxy.config import ClaudeSettings
from ccproxy.errors import AuthenticationRequired
from ccproxy.formats.convert.context import ModelTraits
from ccproxy.http import Client, Headers, Timeouts, Upstream, client_header_value
from ccproxy.jsonbytes import dump
from ccproxy.providers import catalog
from ccproxy.providers.accounts import CLAUDE_RULES, Account, AccountPool, send_with_failover
from ccproxy.providers.overload import send_retrying

log = logging.getLogger(__name__)

IDENTITY_TEXT = "You are Claude Code, Anthropic's official CLI for Claude."
IDENTITY_PREFIXES = (
    "You are Claude Code, Anthropic's official CLI for Claude",
    "You are a Claude agent, built on Anthropic's Claude Agent SDK",
)
BILLING_PREFIX = "x-anthropic-billing-header:"
OAUTH_BETAS = ("oauth-2025-04-20", "claude-code-20250219")
DEFAULT_VERSION = "2023-06-01"

# Headers never forwarded: hop-by-hop, the client's credentials (ours replace them), headers we
# recompute, and anything that would tell the upstream about the client's network.
_DROPPED = frozenset(
    {
        "connection", "proxy-connection", "keep-alive", "te", "trailer", "transfer-encoding",
        "upgrade", "proxy-authenticate", "proxy-authorization", "host", "content-length",
        "accept-encoding", "forwarded", "origin", "cookie", "authorization", "x-api-key",
        "anthropic-beta", "anthropic-version", "content-type",
    }
)  # fmt: skip


def identity_system(system: Any) -> Any | None:
    """`system` with the identity block inserted, or None when it needs no change (§1.4)."""
    if system is None or system == "":
        return [_identity_block()]
    if isinstance(system, str):
        return [_identity_block(), {"type": "text", "text": system}]
    if not isinstance(system, list):
        return None  # not a shape we can extend; the upstream will judge it
    index = 0
    while index < len(system) and _is_billing_block(system[index]):
        index += 1
    if index < len(system) and _is_identity_block(system[index]):
        return None
    return [*system[:index], _identity_block(), *system[index:]]


def _identity_block() -> dict[str, str]:
    return {"type": "text", "text": IDENTITY_TEXT}


def _text_of(block: Any) -> str | None:
    if (
        isinstance(block, dict)
        and block.get("type") == "text"
        and isinstance(block.get("text"), str)
    ):
        return str(block["text"])
    return None


def _is_billing_block(block: Any) -> bool:
    text = _text_of(block)
    return text is not None and text.startswith(BILLING_PREFIX)


def _is_identity_block(block: Any) -> bool:
    text = _text_of(block)
    return text is not None and text.lstrip().startswith(IDENTITY_PREFIXES)


def prepare_body(raw: bytes, payload: dict[str, Any], model: str | None = None) -> bytes:
    """The bytes to send upstream for a client's body (`payload` is `raw` parsed): the client's
    own bytes, unless `system` lacks the identity block or the model name must change."""
    system = identity_system(payload.get("system"))
    if system is None and (model is None or model == payload.get("model")):
        return raw
    if system is not None:
        payload["system"] = system
    if model is not None:
        payload["model"] = model
    return dump(payload)


def translated_body(body: dict[str, Any]) -> bytes:
    """The bytes of a request the proxy built itself, identity block included."""
    if (system := identity_system(body.get("system"))) is not None:
        body = {**body, "system": system}
    return dump(body)


def merge_betas(values: list[str]) -> str:
    """The client's betas in their order, de-duplicated, then the OAuth betas it lacks (§1.3)."""
    betas: dict[str, None] = {}
    for value in values:
        for item in value.split(","):
            if item := item.strip():
                betas.setdefault(item, None)
    for beta in OAUTH_BETAS:
        betas.setdefault(beta, None)
    return ",".join(betas)


def upstream_headers(client: list[tuple[bytes, bytes]], token: str) -> list[tuple[str, str]]:
    """Client headers (as ASGI gives them) minus what must not travel, plus our credentials and
    the merged betas."""
    decoded = [(key.decode("latin-1"), value.decode("latin-1")) for key, value in client]
    named_by_connection = {
        name.strip().lower()
        for key, value in decoded
        if key == "connection"
        for name in value.split(",")
    }
    betas: list[str] = []
    version = DEFAULT_VERSION
    headers: list[tuple[str, str]] = []
    for key, value in decoded:
        if key == "anthropic-beta":
            betas.append(client_header_value(key, value))
        elif key == "anthropic-version":
            version = client_header_value(key, value)
        elif key in _DROPPED or key in named_by_connection or key.startswith("x-forwarded-"):
            continue
        else:
            headers.append((key, client_header_value(key, value)))
    headers.append(("authorization", "Bearer " + token))
    headers.append(("anthropic-version", version))
    headers.append(("anthropic-beta", merge_betas(betas)))
    headers.append(("content-type", "application/json"))
    if not any(key == "accept" for key, _ in headers):
        headers.append(("accept", "application/json"))
    return headers


class ClaudeAPI:
    """Sends prepared requests to `{CLAUDE__API_BASE_URL}` with the user's OAuth token."""

    name = "claude_api"

    def __init__(
        self, settings: ClaudeSettings, http: Client, tokens: ClaudeTokens | list[ClaudeTokens]
    ):
        self.base_url = settings.api_base_url.rstrip("/")
        self.host = urlsplit(self.base_url).netloc or self.base_url
        self.accounts = AccountPool(tokens if isinstance(tokens, list) else [tokens], CLAUDE_RULES)
        self.tokens = self.accounts.main.tokens  # the main login: profile checks, health
        self._http = http
        self._timeouts = Timeouts(connect=settings.connect_timeout, read=settings.read_timeout)
        self._overload_retries = settings.overload_retries
        self.rate_limits: dict[str, str] = {}
        self._model_map = settings.model_map
        self._trait_overrides = {
            model: override.model_dump(exclude_none=True)
            for model, override in settings.model_traits.items()
        }

    def resolve_model(self, name: str) -> str:
        """The Claude model a client's name stands for (`CLAUDE__MODEL_MAP`, then built-ins)."""
        return catalog.resolve_model(name, self._model_map)

    def traits(self, model: str) -> ModelTraits:
        found = catalog.traits(model)
        override = self._trait_overrides.get(model)
        return dataclasses.replace(found, **override) if override else found

    async def send(
        self,
        path: str,
        query: bytes,
        headers: list[tuple[bytes, bytes]],
        body: bytes,
        *,
        session: str | None = None,
    ) -> Upstream:
        """POST to the upstream; an open response the caller must read or close.

        `session` keeps a conversation on one login (its prompt cache); without it the Claude
        CLI's `x-claude-code-session-id` header does. A 429 moves the request to the next login.
        """
        url = self.base_url + path + ("?" + query.decode("latin-1") if query else "")
        session = session or _header(headers, b"x-claude-code-session-id")
        return await send_with_failover(
            self.accounts, session, lambda account: self._send_as(account, url, headers, body)
        )

    async def _send_as(
        self,
        account: Account[ClaudeTokens],
        url: str,
        headers: list[tuple[bytes, bytes]],
        body: bytes,
    ) -> Upstream:
        """One login's attempt. A 401 is answered by one refresh and one resend; nothing has
        reached the client yet."""
        tokens = account.tokens
        token = await tokens.bearer()
        response = await send_retrying(
            lambda: self._post(url, upstream_headers(headers, token), body),
            self._overload_retries,
        )
        if response.status == 401 and tokens.can_refresh():
            response.close()
            token = await tokens.refresh(token)
            response = await self._post(url, upstream_headers(headers, token), body)
        if response.status == 403:
            await _reject_revoked(response)
        if limits := self.accounts.note(account, response):
            self.rate_limits = limits
        return response

    async def get(self, path: str) -> Upstream:
        """A small authenticated GET (the account profile)."""
        token = await self.tokens.bearer()
        headers = [
            ("authorization", "Bearer " + token),
            ("anthropic-beta", OAUTH_BETAS[0]),
            ("anthropic-version", DEFAULT_VERSION),
        ]
        return await self._http.send(
            "GET",
            self.base_url + path,
            host=self.host,
            headers=headers,
            body=None,
            timeouts=self._timeouts,
        )

    async def _post(self, url: str, headers: Headers, body: bytes) -> Upstream:
        return await self._http.send(
            "POST", url, host=self.host, headers=headers, body=body, timeouts=self._timeouts
        )


def session_key(payload: dict[str, Any]) -> str | None:
    """What keeps a conversation on one login: `metadata.user_id`, which the Claude CLI fills
    with its device and session ids (a JSON string) and other clients with a user id."""
    metadata = payload.get("metadata")
    user = metadata.get("user_id") if isinstance(metadata, dict) else None
    return user if isinstance(user, str) and user else None


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> str | None:
    for key, value in headers:
        if key.lower() == name:
            return value.decode("latin-1")
    return None


async def _reject_revoked(response: Upstream) -> None:
    """Anthropic answers a revoked token with 403; only a new login helps, so say that."""
    if b"revoked" in await response.read():
        raise AuthenticationRequired(
            f"the Claude OAuth token has been revoked; {CLAUDE_LOGIN_HINT}"
        )
