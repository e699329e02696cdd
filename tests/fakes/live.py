"""Run an ASGI app on a real loopback socket in a background thread."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from types import TracebackType

import uvicorn
from starlette.types import ASGIApp

AppForPort = Callable[[int], ASGIApp]


class LiveServer:
    """`with LiveServer(app) as server: server.url` — a real HTTP server on 127.0.0.1.

    `app` may instead be a function of the port, for an app that must know where it listens.
    """

    def __init__(
        self, app: ASGIApp | None = None, *, for_port: AppForPort | None = None, port: int = 0
    ) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.port: int = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        if for_port is not None:
            app = for_port(self.port)
        assert app is not None
        self.app = app
        config = uvicorn.Config(
            app, log_config=None, log_level="warning", lifespan="auto", timeout_graceful_shutdown=2
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("test server did not start")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        """Ask the server to stop without waiting, so several can wind down at once."""
        self.server.should_exit = True

    def join(self) -> None:
        self.thread.join(15)
        self.sock.close()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
        self.join()


class LiveServers:
    """Starts servers on demand and stops them all together at the end of a test."""

    def __init__(self) -> None:
        self.running: list[LiveServer] = []

    def start(
        self, app: ASGIApp | None = None, *, for_port: AppForPort | None = None, port: int = 0
    ) -> LiveServer:
        server = LiveServer(app, for_port=for_port, port=port).__enter__()
        self.running.append(server)
        return server

    def stop_all(self) -> None:
        for server in self.running:
            server.stop()
        for server in self.running:
            server.join()
        self.running.clear()
