"""Capturing the Codex CLI's instruction prompt: run `codex exec` once against a throw-away
loopback server and keep what it sends (UPSTREAMS.md §3.4).

The CLI runs in a temporary home with a custom provider pointing at that server, so it neither
reads the user's Codex set-up nor reaches the network; it is given a deadline and its whole
process group is killed afterwards, whatever happened.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import tempfile
from pathlib import Path
from typing import Any

from aiohttp import web

SEPARATOR = "\n\n"


class CaptureFailed(Exception):
    """The CLI did not send a prompt we could read; the message says what happened."""


async def cli_version(cli: str, timeout: float = 15.0) -> str:
    """The version `codex --version` prints (`codex-cli 0.169.0` -> `0.169.0`); offline."""
    with tempfile.TemporaryDirectory(prefix="ccproxy-codex-") as home:
        output = await _run([cli, "--version"], _environment(Path(home)), timeout)
    words = output.decode("utf-8", "replace").split()
    if not words:
        raise CaptureFailed(f"`{cli} --version` printed nothing")
    return words[-1]


async def _run(command: list[str], env: dict[str, str], timeout: float) -> bytes:
    try:
        process = await asyncio.create_subprocess_exec(
            *command,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError as exc:
        raise CaptureFailed(f"cannot run {command[0]}: {exc.strerror}") from exc
    try:
        output, _ = await asyncio.wait_for(process.communicate(), timeout)
    except TimeoutError:
        raise CaptureFailed(f"`{' '.join(command)}` did not finish in {timeout:g} s") from None
    finally:
        await _kill(process)
    return output


async def capture_prompt(cli: str, *, model: str, timeout: float) -> str:
    """The instruction prompt `codex exec` sends for `model`; CaptureFailed otherwise."""
    server = _CaptureServer()
    url = await server.start()
    try:
        with tempfile.TemporaryDirectory(prefix="ccproxy-codex-") as home:
            body = await _exec(cli, Path(home), url, model, timeout, server.body)
    finally:
        await server.stop()
    return prompt_from_body(body)


async def _exec(
    cli: str, home: Path, url: str, model: str, timeout: float, body: asyncio.Future[bytes]
) -> bytes:
    codex_home = home / ".codex"
    codex_home.mkdir()
    (codex_home / "config.toml").write_text(_config(url, model), encoding="utf-8")
    errors = home / "stderr.log"
    with errors.open("wb") as stderr:
        try:
            process = await asyncio.create_subprocess_exec(
                cli, "exec", "--skip-git-repo-check", "hi",
                env=_environment(home), cwd=home, stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL, stderr=stderr, start_new_session=True,
            )  # fmt: skip
        except OSError as exc:
            raise CaptureFailed(f"cannot run {cli}: {exc.strerror}") from exc
    try:
        return await _first_request(process, body, timeout, errors)
    finally:
        await _kill(process)


async def _first_request(
    process: asyncio.subprocess.Process, body: asyncio.Future[bytes], timeout: float, errors: Path
) -> bytes:
    exited: asyncio.Future[Any] = asyncio.ensure_future(process.wait())
    waiting: set[asyncio.Future[Any]] = {body, exited}
    try:
        await asyncio.wait(waiting, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        exited.cancel()
    if body.done():
        return body.result()
    if process.returncode is not None:
        tail = errors.read_text("utf-8", "replace").strip().splitlines()[-3:]
        raise CaptureFailed(
            f"codex exited with {process.returncode} before sending a request: "
            + (" / ".join(tail) or "no output")
        )
    raise CaptureFailed(f"codex sent no request within {timeout:g} s")


def _config(url: str, model: str) -> str:
    # Top-level keys must come before the first table, or they are read as the table's keys.
    return (
        f"model = {json.dumps(model)}\n"
        'model_provider = "capture"\n'
        "check_for_update_on_startup = false\n"
        "[analytics]\n"
        "enabled = false\n"
        "[model_providers.capture]\n"
        'name = "ccproxy prompt capture"\n'
        f"base_url = {json.dumps(url)}\n"
        'wire_api = "responses"\n'
        'env_key = "CCPROXY_CAPTURE_KEY"\n'
    )


def _environment(home: Path) -> dict[str, str]:
    """Only what the CLI needs: no proxy settings, no API keys, no user configuration."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "CODEX_HOME": str(home / ".codex"),
        "CCPROXY_CAPTURE_KEY": "capture",
        "LANG": os.environ.get("LANG", "C.UTF-8"),
    }


async def _kill(process: asyncio.subprocess.Process) -> None:
    """Kill the CLI and everything it started (it runs in its own session)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        await process.wait()


def prompt_from_body(raw: bytes) -> str:
    """The prompt in a captured request: `instructions` (older CLIs), else the first
    developer message (0.169 and later)."""
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise CaptureFailed("the captured request is not JSON") from exc
    instructions = body.get("instructions") if isinstance(body, dict) else None
    if isinstance(instructions, str) and instructions.strip():
        return instructions
    for item in body.get("input") or [] if isinstance(body, dict) else []:
        if isinstance(item, dict) and item.get("role") == "developer":
            text = _text_of(item.get("content"))
            if text.strip():
                return text
    raise CaptureFailed("the captured request carries no instructions")


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    parts = content if isinstance(content, list) else []
    return SEPARATOR.join(
        str(p["text"]) for p in parts if isinstance(p, dict) and isinstance(p.get("text"), str)
    )


class _CaptureServer:
    """A loopback HTTP server that takes the first POST …/responses and answers it with a
    minimal, valid Responses stream."""

    def __init__(self) -> None:
        self._runner: web.AppRunner | None = None
        self.body: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()

    async def start(self) -> str:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        return f"http://127.0.0.1:{port}/v1"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.method != "POST" or not request.path.endswith("/responses"):
            return web.Response(status=404)
        body = await request.read()
        if not self.body.done():
            self.body.set_result(body)
        response = web.StreamResponse(headers={"content-type": "text/event-stream"})
        await response.prepare(request)
        await response.write(_MINIMAL_STREAM)
        return response


def _minimal_stream() -> bytes:
    response: dict[str, Any] = {"id": "resp_capture", "object": "response", "output": []}
    response["status"] = "in_progress"
    part = {"type": "output_text", "text": "ok", "annotations": []}
    item = {"id": "msg_capture", "type": "message", "role": "assistant", "status": "completed"}
    final = {**item, "content": [part]}
    done = {**response, "status": "completed", "output": [final]}
    events: list[dict[str, Any]] = [
        {"type": "response.created", "response": response},
        {"type": "response.output_item.added", "output_index": 0, "item": {**item, "content": []}},
        {"type": "response.output_item.done", "output_index": 0, "item": final},
        {"type": "response.completed", "response": done},
    ]
    return b"".join(
        f"event: {e['type']}\ndata: {json.dumps({**e, 'sequence_number': n})}\n\n".encode()
        for n, e in enumerate(events)
    )


_MINIMAL_STREAM = _minimal_stream()
