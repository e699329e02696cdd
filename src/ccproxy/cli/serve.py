"""`ccproxy serve`: load settings, bind the socket, warn about risky set-ups, run uvicorn."""

from __future__ import annotations

import errno
import ipaddress
import logging
import socket
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from ccproxy.config import Settings

log = logging.getLogger("ccproxy")


@dataclass(frozen=True)
class ServeOptions:
    host: str | None = None
    port: int | None = None
    config: Path | None = None
    log_level: str | None = None

    def over(self, base: ServeOptions) -> ServeOptions:
        """These options, falling back to `base` for any not given."""
        return replace(base, **{k: v for k, v in self.__dict__.items() if v is not None})

    def server_overrides(self) -> dict[str, Any]:
        given = {"host": self.host, "port": self.port, "log_level": self.log_level}
        return {k: v for k, v in given.items() if v is not None}


def serve(options: ServeOptions) -> None:
    from pydantic import ValidationError

    from ccproxy.config import ConfigFileError, load_settings

    try:
        settings = load_settings(options.config, server=options.server_overrides())
    except ConfigFileError as exc:
        _fail(str(exc))
    except ValidationError as exc:
        _fail("invalid configuration:\n" + _validation_lines(exc), code=2)
    configure_logging(settings.server.log_level)
    sock = bind(settings.server.host, settings.server.port)
    host, port = sock.getsockname()[:2]
    _warn_if_exposed(settings.server.host, settings.security.auth_token is not None)
    _run(settings, sock, host, port)


def _run(settings: Settings, sock: socket.socket, host: str, port: int) -> None:
    import uvicorn

    from ccproxy.server.app import create_app

    shown = f"[{host}]" if ":" in host else host
    log.info("ccproxy listening on http://%s:%d", shown, port)
    log.info("Anthropic clients: ANTHROPIC_BASE_URL=http://%s:%d/api", shown, port)
    config = uvicorn.Config(
        create_app(settings),
        log_config=None,
        log_level=settings.server.log_level.lower(),
        access_log=settings.server.log_level == "DEBUG",
        server_header=False,
        lifespan="on",
    )
    uvicorn.Server(config).run(sockets=[sock])


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
            _fail(f"{host}:{port} is already in use; start ccproxy on another port with --port")
        _fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
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


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
        force=True,
    )
    # httpx logs every upstream request at INFO; that is the access log's job, not theirs.
    for noisy in ("httpx", "httpcore", "hpack"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _validation_lines(exc: Any) -> str:
    lines = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"])
        lines.append(f"  {where}: {error['msg']}")
    return "\n".join(lines)


def _fail(message: str, code: int = 1) -> Any:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)
