"""Where the Codex instruction prompt comes from (CONTRACT.md §6): `CODEX__INSTRUCTIONS_FILE`,
else the prompt captured from the installed `codex` CLI (cached per CLI version), else none.

The capture runs in the background once the server is up: start-up never waits for it, and a
request arriving meanwhile waits a few seconds at most before going without.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Literal

from ccproxy.config import cache_dir
from ccproxy.config_codex import CodexSettings
from ccproxy.providers.codex_capture import CaptureFailed, capture_prompt, cli_version

log = logging.getLogger(__name__)

Source = Literal["file", "cache", "captured", "pending", "none"]
# How long a request waits for a capture still running at start-up.
REQUEST_WAIT_SECONDS = 5.0


class CodexPrompt:
    def __init__(self, settings: CodexSettings) -> None:
        self._settings = settings
        self.text: str | None = None
        self.source: Source = "none"
        self.cli_version: str | None = None  # of the installed CLI, once known
        self.error: str | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Read the configured file, or start looking for a captured prompt in the background;
        says at start-up when requests will go without one."""
        path = self._settings.instructions_path
        if path is not None:
            try:
                self.text, self.source = path.read_text(encoding="utf-8"), "file"
                return
            except OSError as exc:
                log.warning(
                    "CODEX__INSTRUCTIONS_FILE %s cannot be read (%s); trying the codex CLI",
                    path,
                    exc.strerror,
                )
        cli = self.cli()
        if cli is None:
            self.error = "no `codex` CLI found on PATH (CODEX__CLI_PATH)"
            log.warning(
                "Codex: no instruction prompt (no CODEX__INSTRUCTIONS_FILE, %s); requests carry "
                "the client's instructions only",
                self.error,
            )
            return
        self.source = "pending"
        self._task = asyncio.get_running_loop().create_task(self._load(cli))

    def cli(self) -> str | None:
        configured = self._settings.cli_path
        if configured:
            return configured if os.access(configured, os.X_OK) else None
        return shutil.which("codex")

    async def _load(self, cli: str) -> None:
        try:
            self.cli_version = await cli_version(cli)
            cached = self.cache_file(self.cli_version)
            if cached.is_file():
                self.text, self.source = cached.read_text(encoding="utf-8"), "cache"
                return
            self.text = await capture_prompt(
                cli, model=self._settings.default_model, timeout=self._settings.capture_timeout
            )
            self.source = "captured"
            _write_cache(cached, self.text)
            log.info("captured the Codex prompt from codex %s into %s", self.cli_version, cached)
        except (CaptureFailed, OSError) as exc:
            self.source, self.error = "none", str(exc)
            log.warning(
                "Codex: could not capture the instruction prompt (%s); requests carry the "
                "client's instructions only; set CODEX__INSTRUCTIONS_FILE to fix this",
                exc,
            )

    @staticmethod
    def cache_file(version: str) -> Path:
        safe = "".join(c for c in version if c.isalnum() or c in ".-_") or "unknown"
        return cache_dir() / "codex-instructions" / f"{safe}.txt"

    async def current(self) -> str | None:
        """The prompt; while the first capture runs, waits for it a little."""
        if self._task is not None and not self._task.done():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._task), REQUEST_WAIT_SECONDS)
        return self.text

    async def close(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def describe(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "characters": len(self.text) if self.text else 0,
            "cli_version": self.cli_version,
            "error": self.error if self.source == "none" else None,
        }


def _write_cache(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
