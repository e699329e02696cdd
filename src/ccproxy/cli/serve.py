"""`ccproxy serve`: load settings, bind the socket, warn about risky set-ups, run uvicorn."""

from __future__ import annotations

import errno
import ipaddress
import json
import logging
import os
import socket
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ccproxy import logs
from ccproxy.cli.common import fail, settings_or_exit

if TYPE_CHECKING:
    from ccproxy.config import Settings

log = logging.getLogger("ccproxy")


@dataclass(frozen=True)
class ServeOptions:
    host: str | None = None
    port: int | None = None
    config: Path | None = None
    log_level: str | None = None
    workers: int | None = None
    code_cwd: str | None = None
    code_permission_mode: str | None = None
    sdk_message_mode: str | None = None
    sdk_enable_pool: bool | None = None
    sdk_pool_size: int | None = None

    @classmethod
    def of(cls, flags: dict[str, Any]) -> ServeOptions:
        """The options among a command's parameters (`locals()` of a typer command)."""
        names = {field.name for field in fields(cls)}
        return cls(**{name: value for name, value in flags.items() if name in names})

    def over(self, base: ServeOptions) -> ServeOptions:
        """These options, falling back to `base` for any not given."""
        return replace(base, **{k: v for k, v in self.__dict__.items() if v is not None})

    def server_overrides(self) -> dict[str, Any]:
        given = {
            "host": self.host,
            "port": self.port,
            "log_level": self.log_level,
            "workers": self.workers,
        }
        return {k: v for k, v in given.items() if v is not None}

    def claude_overrides(self) -> dict[str, Any]:
        code = {"cwd": self.code_cwd, "permission_mode": self.code_permission_mode}
        given: dict[str, Any] = {
            "sdk_message_mode": self.sdk_message_mode,
            "sdk_enable_pool": self.sdk_enable_pool,
            "sdk_pool_size": self.sdk_pool_size,
            "code_options": {k: v for k, v in code.items() if v is not None} or None,
        }
        return {k: v for k, v in given.items() if v is not None}


def serve(options: ServeOptions) -> None:
    settings = settings_or_exit(
        options.config, server=options.server_overrides(), claude=options.claude_overrides()
    )
    logs.configure(settings.server.log_level)
    observed = settings.observability
    if settings.server.workers > 1 and (observed.logs_enabled or observed.dashboard_enabled):
        fail("the access log (and the dashboard, which reads it) needs --workers 1: DuckDB "
             "lets one process write its file")  # fmt: skip
    sock = bind(settings.server.host, settings.server.port)
    host, port = sock.getsockname()[:2]
    if port != settings.server.port:  # port 0: the app must know where it listens (MCP URL)
        options = replace(options, port=port)
        settings = settings.model_copy(
            update={"server": settings.server.model_copy(update={"port": port})}
        )
    _warn_if_exposed(settings.server.host, settings.security.auth_token is not None)
    shown = f"[{host}]" if ":" in host else host
    log.info("ccproxy listening on http://%s:%d", shown, port)
    log.info("Anthropic clients: ANTHROPIC_BASE_URL=http://%s:%d/api", shown, port)
    _run(settings, options, sock)


def _run(settings: Settings, options: ServeOptions, sock: socket.socket) -> None:
    common: dict[str, Any] = {
        "log_config": None,
        "log_level": settings.server.log_level.lower(),
        "access_log": settings.server.log_level == "DEBUG",
        "server_header": False,
        "proxy_headers": False,  # client X-Forwarded-* headers are not trusted nor parsed
        "lifespan": "on",
        "timeout_graceful_shutdown": settings.server.shutdown_grace_seconds,
    }
    if settings.server.workers == 1:
        _run_one(settings, common, sock)
    else:
        _run_workers(settings, options, common, sock)


def _run_one(settings: Settings, common: dict[str, Any], sock: socket.socket) -> None:
    import uvicorn

    from ccproxy.server import heap
    from ccproxy.server.app import create_app, end_streams

    class Server(uvicorn.Server):
        async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
            end_streams(app)  # or uvicorn would wait for their clients to leave
            await super().shutdown(sockets)

    app = create_app(settings)
    heap.settle()
    try:
        Server(uvicorn.Config(app, **common)).run(sockets=[sock])
    finally:
        heap.release()


def _run_workers(
    settings: Settings, options: ServeOptions, common: dict[str, Any], sock: socket.socket
) -> None:
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from ccproxy.server.app import WORKER_SETTINGS, create_app

    if settings.claude.code_options.permission_mode != "bypassPermissions":
        log.warning(
            "with %d workers each process keeps its own permission requests: a handler sees "
            "only those of the worker it reached; use one worker to approve SDK-mode tools",
            settings.server.workers,
        )
    # Each worker process loads the settings again, from the same sources and flags.
    loaded_from = {
        "config": str(options.config) if options.config else None,
        "server": options.server_overrides(),
        "claude": options.claude_overrides(),
    }
    os.environ[WORKER_SETTINGS] = json.dumps(loaded_from)
    config = uvicorn.Config(
        f"{create_app.__module__}:worker_app",
        factory=True,
        workers=settings.server.workers,
        **common,
    )
    Multiprocess(config, sockets=[sock]).run()


def bind(host: str, port: int) -> socket.socket:
    """A listening socket, or a one-line error and exit 1 when the address cannot be used."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            fail(f"{host}:{port} is already in use; start ccproxy on another port with --port")
        fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
    sock.set_inheritable(True)
    return sock


def _warn_if_exposed(host: str, has_token: bool) -> None:
    if has_token or _is_loopback(host):
        return
    banner = "!" * 78
    log.warning(
        "\n%s\nccproxy is listening on %s with NO client token: anyone who can reach this\n"
        "address can use your subscriptions. Set SECURITY__AUTH_TOKEN (see `ccproxy\n"
        "generate-token`) or bind to 127.0.0.1.\n%s",
        banner, host, banner,
    )  # fmt: skip


def _is_loopback(host: str) -> bool:
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError:
        return False
    return all(ipaddress.ip_address(info[4][0]).is_loopback for info in infos)
