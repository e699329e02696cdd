"""Credential files shared with the vendors' CLIs: read, lock, and rewrite them safely.

Rewrites keep every key we do not know (the CLIs add their own), go through a temporary file in the
same directory and `os.replace`, so a reader never sees half a file, and leave the file mode 0600.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import functools
import json
import logging
import os
import stat
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ccproxy.errors import ProxyError

log = logging.getLogger(__name__)


class CredentialFileError(Exception):
    """A credential file exists but cannot be read as the expected JSON object."""


@dataclass(frozen=True)
class Credential:
    """An OAuth access token and what is known about it, whichever vendor issued it."""

    access_token: str
    refresh_token: str | None = None
    expires_at: float | None = None  # epoch seconds; None when the source does not say
    scopes: tuple[str, ...] = ()
    subscription_type: str | None = None
    source: Literal["file", "env"] = "file"
    account_id: str | None = None  # ChatGPT's account, sent with every Codex request

    def expires_within(self, seconds: float, now: float) -> bool:
        return self.expires_at is not None and self.expires_at - now < seconds

    def is_expired(self, now: float) -> bool:
        return self.expires_within(0, now)


def parse_claude_credential(data: dict[str, Any]) -> Credential | None:
    """The `claudeAiOauth` entry of a Claude CLI credentials file, if it holds a token."""
    oauth = data.get("claudeAiOauth")
    if not isinstance(oauth, dict) or not isinstance(oauth.get("accessToken"), str):
        return None
    expires_at_ms = oauth.get("expiresAt")
    refresh = oauth.get("refreshToken")
    scopes = oauth.get("scopes")
    subscription = oauth.get("subscriptionType")
    return Credential(
        access_token=oauth["accessToken"],
        refresh_token=refresh if isinstance(refresh, str) and refresh else None,
        expires_at=expires_at_ms / 1000 if isinstance(expires_at_ms, int | float) else None,
        scopes=tuple(s for s in scopes if isinstance(s, str)) if isinstance(scopes, list) else (),
        subscription_type=subscription if isinstance(subscription, str) else None,
    )


def apply_claude_refresh(data: dict[str, Any], token: dict[str, Any], now: float) -> dict[str, Any]:
    """The file content after a token response; keys we do not set stay exactly as they were."""
    oauth = dict(data.get("claudeAiOauth") or {})
    oauth["accessToken"] = token["access_token"]
    # Refresh tokens rotate; a response without one means the stored one is still the one to use.
    if token.get("refresh_token"):
        oauth["refreshToken"] = token["refresh_token"]
    expires_in = token.get("expires_in")
    if isinstance(expires_in, int | float):
        oauth["expiresAt"] = int((now + expires_in) * 1000)
    else:  # unknown lifetime: use the token until the upstream refuses it
        oauth.pop("expiresAt", None)
    if isinstance(token.get("scope"), str) and token["scope"].strip():
        oauth["scopes"] = token["scope"].split()
    return {**data, "claudeAiOauth": oauth}


def read_json_object(path: Path) -> dict[str, Any] | None:
    """The file's JSON object, or None when the file does not exist."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CredentialFileError(f"cannot read {path}: {exc.strerror}") from exc
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise CredentialFileError(f"{path} is not valid JSON") from exc
    if not isinstance(data, dict):
        raise CredentialFileError(f"{path} does not hold a JSON object")
    return data


def private_dir(path: Path) -> None:
    """Create `path` mode 0700. One that exists keeps its mode (it may be the user's home or the
    vendor CLI's own directory), but one that others can enter is reported once."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    _warn_if_shared(str(path))


@functools.cache
def _warn_if_shared(path: str) -> None:
    mode = os.stat(path).st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning(
            "%s holds credentials and is mode %o: other users can list it; `chmod 700 %s` "
            "makes it private", path, stat.S_IMODE(mode), path,
        )  # fmt: skip


def write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    """Replace `path` with `data` in one step, mode 0600; follows a symlinked path to its target."""
    target = Path(os.path.realpath(path))
    private_dir(target.parent)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2, ensure_ascii=False)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_directory(target.parent)


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fingerprint(path: Path) -> tuple[int, int, int] | None:
    """Changes whenever the file is rewritten; None when it does not exist."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


@contextlib.asynccontextmanager
async def file_lock(path: Path, timeout: float = 30.0) -> AsyncIterator[None]:
    """An exclusive `flock` on a sibling `.lock` file, shared by every ccproxy process.

    Polls instead of blocking so the event loop keeps serving while another process refreshes.
    """
    lock_path = path.with_name(path.name + ".lock")
    try:
        private_dir(lock_path.parent)
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise ProxyError(f"cannot create the lock file {lock_path}: {exc.strerror}") from exc
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise ProxyError(
                        f"timed out waiting for the lock on {path}", status=503
                    ) from None
                await asyncio.sleep(0.02)
        yield
    finally:
        os.close(fd)
