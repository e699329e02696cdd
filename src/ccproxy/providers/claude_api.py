"""The Claude API over the user's OAuth token (UPSTREAMS.md §1).

Only three things change on the way through: the credentials (ours in, the client's out), the
`anthropic-beta` list (the two OAuth betas added), and `system` (the identity block inserted when
the client did not send one). Everything else is forwarded as the client sent it.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from typing import Any
from urllib.parse import urlsplit

import httpx

from ccproxy.auth.tokens import ClaudeTokens
from ccproxy.auth.vendors import CLAUDE_LOGIN_HINT
from ccproxy.config import ClaudeSettings
from ccproxy.errors import AuthenticationRequired, UpstreamTimeout, UpstreamUnavailable
from ccproxy.formats.convert.context import ModelTraits
from ccproxy.providers import catalog

log = logging.getLogger(__name__)

IDENTITY_TEXT = "You are Claude Code, Anthropic's official CLI for Claude."
IDENTITY_PREFIXES = (
    "You are Claude Code, Anthropic's official CLI for Claude",
    "You are a Claude agent, built on Anthropic's Claude Agent SDK",
)
BILLING_PREFIX = "x-anthropic-billing-header:"
OAUTH_BETAS = ("oauth-2025-04-20", "claude-code-20250219")
DEFAULT_VERSION = b"2023-06-01"

# Headers never forwarded: hop-by-hop, the client's credentials (ours replace them), headers we
# recompute, and anything that would tell the upstream about the client's network.
_DROPPED = frozenset(
    {
        b"connection", b"proxy-connection", b"keep-alive", b"te", b"trailer",
        b"transfer-encoding", b"upgrade", b"proxy-authenticate", b"proxy-authorization",
        b"host", b"content-length", b"accept-encoding", b"forwarded", b"origin", b"cookie",
        b"authorization", b"x-api-key", b"anthropic-beta", b"anthropic-version", b"content-type",
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
    return dump_json(payload)


def translated_body(body: dict[str, Any]) -> bytes:
    """The bytes of a request the proxy built itself, identity block included."""
    if (system := identity_system(body.get("system"))) is not None:
        body = {**body, "system": system}
    return dump_json(body)


def dump_json(payload: dict[str, Any]) -> bytes:
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    try:
        return text.encode()
    except UnicodeEncodeError:  # a lone surrogate from a \ud8xx escape: keep it escaped
        return json.dumps(payload, separators=(",", ":")).encode()


def merge_betas(values: list[bytes]) -> bytes:
    """The client's betas in their order, de-duplicated, then the OAuth betas it lacks (§1.3)."""
    betas: dict[str, None] = {}
    for value in values:
        for item in value.decode("latin-1").split(","):
            if item := item.strip():
                betas.setdefault(item, None)
    for beta in OAUTH_BETAS:
        betas.setdefault(beta, None)
    return ",".join(betas).encode("latin-1")


def upstream_headers(client: list[tuple[bytes, bytes]], token: str) -> list[tuple[bytes, bytes]]:
    """Client headers minus what must not travel, plus our credentials and the merged betas."""
    named_by_connection = {
        name.strip().lower().encode("latin-1")
        for key, value in client
        if key == b"connection"
        for name in value.decode("latin-1").split(",")
    }
    betas: list[bytes] = []
    version = DEFAULT_VERSION
    headers: list[tuple[bytes, bytes]] = []
    for key, value in client:
        if key == b"anthropic-beta":
            betas.append(value)
        elif key == b"anthropic-version":
            version = value
        elif key in _DROPPED or key in named_by_connection or key.startswith(b"x-forwarded-"):
            continue
        else:
            headers.append((key, value))
    headers.append((b"authorization", b"Bearer " + token.encode("latin-1")))
    headers.append((b"anthropic-version", version))
    headers.append((b"anthropic-beta", merge_betas(betas)))
    headers.append((b"content-type", b"application/json"))
    if not any(key == b"accept" for key, _ in headers):
        headers.append((b"accept", b"application/json"))
    return headers


class ClaudeAPI:
    """Sends prepared requests to `{CLAUDE__API_BASE_URL}` with the user's OAuth token."""

    name = "claude_api"

    def __init__(self, settings: ClaudeSettings, http: httpx.AsyncClient, tokens: ClaudeTokens):
        self.base_url = settings.api_base_url.rstrip("/")
        self.host = urlsplit(self.base_url).netloc or self.base_url
        self.tokens = tokens
        self._http = http
        self._timeout = httpx.Timeout(
            connect=settings.connect_timeout, read=settings.read_timeout, write=60.0, pool=60.0
        )
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
        self, path: str, query: bytes, headers: list[tuple[bytes, bytes]], body: bytes
    ) -> httpx.Response:
        """POST to the upstream; an open (streaming) response the caller must close.

        A 401 is answered by one refresh and one resend; nothing has reached the client yet.
        """
        url = self.base_url + path + ("?" + query.decode("latin-1") if query else "")
        token = await self.tokens.bearer()
        response = await self._post(url, upstream_headers(headers, token), body)
        if response.status_code == 401 and self.tokens.can_refresh():
            await response.aclose()
            token = await self.tokens.refresh(token)
            response = await self._post(url, upstream_headers(headers, token), body)
        if response.status_code == 403:
            await _reject_revoked(response)
        self._note_rate_limits(response)
        return response

    async def get(self, path: str) -> httpx.Response:
        """A small authenticated GET (account profile); read in full."""
        token = await self.tokens.bearer()
        headers = [
            (b"authorization", b"Bearer " + token.encode("latin-1")),
            (b"anthropic-beta", OAUTH_BETAS[0].encode()),
            (b"anthropic-version", DEFAULT_VERSION),
        ]
        try:
            return await self._http.get(
                self.base_url + path, headers=headers, timeout=self._timeout
            )
        except httpx.TimeoutException as exc:
            raise UpstreamTimeout(f"{self.host} did not answer in time") from exc
        except httpx.HTTPError as exc:
            raise UpstreamUnavailable(f"cannot reach {self.host}: {type(exc).__name__}") from exc

    async def _post(
        self, url: str, headers: list[tuple[bytes, bytes]], body: bytes
    ) -> httpx.Response:
        request = self._http.build_request(
            "POST", url, headers=headers, content=body, timeout=self._timeout
        )
        try:
            return await self._http.send(request, stream=True)
        except httpx.ConnectTimeout as exc:
            raise UpstreamTimeout(f"timed out connecting to {self.host}") from exc
        except httpx.TimeoutException as exc:
            raise UpstreamTimeout(f"{self.host} did not answer in time") from exc
        except httpx.HTTPError as exc:
            raise UpstreamUnavailable(f"cannot reach {self.host}: {_describe(exc)}") from exc

    def _note_rate_limits(self, response: httpx.Response) -> None:
        limits = {k: v for k, v in response.headers.items() if k.startswith("anthropic-ratelimit-")}
        if limits:
            self.rate_limits = limits


async def _reject_revoked(response: httpx.Response) -> None:
    """Anthropic answers a revoked token with 403; only a new login helps, so say that."""
    body = await response.aread()
    if b"revoked" in body:
        raise AuthenticationRequired(
            f"the Claude OAuth token has been revoked; {CLAUDE_LOGIN_HINT}"
        )


def _describe(exc: httpx.HTTPError) -> str:
    detail = str(exc).strip()
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
