"""A minimal blocking HTTP/1.1 client over one keep-alive socket, cheap enough not to blur what
it measures. Benchmark code only."""

from __future__ import annotations

import re
import socket
import time
from dataclasses import dataclass, field

_STAMP = re.compile(rb"t=(\d+);")


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes
    sent_ns: int
    first_ns: int  # first byte of the body
    last_ns: int  # last byte of the body
    event_delays_ns: list[int] = field(default_factory=list)  # arrival minus upstream send time


class Connection:
    def __init__(self, port: int, host: str = "127.0.0.1") -> None:
        self.address = (host, port)
        self.sock = self._connect()
        self.buffer = b""

    def _connect(self) -> socket.socket:
        sock = socket.create_connection(self.address, timeout=60)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    def close(self) -> None:
        self.sock.close()

    def post(self, path: str, body: bytes, headers: dict[str, str] | None = None) -> Reply:
        lines = [
            f"POST {path} HTTP/1.1",
            f"Host: {self.address[0]}:{self.address[1]}",
            "Content-Type: application/json",
            f"Content-Length: {len(body)}",
        ]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        request = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        sent = time.monotonic_ns()
        try:
            self.sock.sendall(request)
            return self._read(sent)
        except (ConnectionError, OSError):
            self.sock = self._connect()  # the server closed a kept-alive connection: retry once
            self.buffer = b""
            sent = time.monotonic_ns()
            self.sock.sendall(request)
            return self._read(sent)

    def _recv(self) -> bytes:
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("server closed the connection")
        return data

    def _read(self, sent: int) -> Reply:
        while b"\r\n\r\n" not in self.buffer:
            self.buffer += self._recv()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        headers = {k.strip().lower(): v.strip() for k, v in (h.split(":", 1) for h in header_lines)}
        reply = Reply(int(status_line.split()[1]), headers, b"", sent, 0, 0)
        if "content-length" in headers:
            length = int(headers["content-length"])
            while len(self.buffer) < length:
                self.buffer += self._recv()
            reply.body, self.buffer = self.buffer[:length], self.buffer[length:]
            reply.first_ns = reply.last_ns = time.monotonic_ns()
        else:
            self._read_chunked(reply)
        if headers.get("connection", "").lower() == "close":
            self.sock.close()
            self.sock = self._connect()
            self.buffer = b""
        return reply

    def _read_chunked(self, reply: Reply) -> None:
        body = bytearray()
        scanned = 0
        while True:
            while b"\r\n" not in self.buffer:
                self.buffer += self._recv()
            size_line, rest = self.buffer.split(b"\r\n", 1)
            size = int(size_line.split(b";")[0], 16)
            while len(rest) < size + 2:
                rest += self._recv()
            now = time.monotonic_ns()
            if size and not reply.first_ns:
                reply.first_ns = now
            body += rest[:size]
            self.buffer = rest[size + 2 :]
            for stamp in _STAMP.finditer(body, scanned):
                reply.event_delays_ns.append(now - int(stamp.group(1)))
                scanned = stamp.end()
            if size == 0:
                reply.last_ns = now
                reply.body = bytes(body)
                return
