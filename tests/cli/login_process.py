"""`ccproxy auth …` as a real process the test can read from and type into."""

from __future__ import annotations

import os
import re
import subprocess
import threading
import time
from types import TracebackType

from tests.cli.serving import BIN

URL = re.compile(r"https?://\S*/oauth/authorize\S*")


class LoginProcess:
    def __init__(self, *args: str, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [str(BIN / "ccproxy"), "auth", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, **env},
        )
        self.err: list[str] = []
        self.out = ""
        self._readers = [
            threading.Thread(target=self._read_err, daemon=True),
            threading.Thread(target=self._read_out, daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    def _read_err(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.err.append(line)

    def _read_out(self) -> None:
        assert self.process.stdout is not None
        self.out = self.process.stdout.read()

    @property
    def stderr(self) -> str:
        return "".join(self.err)

    def url(self, timeout: float = 30) -> str:
        """The authorize URL the command printed."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if found := URL.search(self.stderr):
                return found.group(0)
            if self.process.poll() is not None:
                break
            time.sleep(0.02)
        raise AssertionError(f"no authorize URL printed:\n{self.stderr}")

    def type(self, text: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(text + "\n")
        self.process.stdin.flush()

    def wait(self, timeout: float = 60) -> int:
        code = self.process.wait(timeout)
        for reader in self._readers:
            reader.join(5)
        return code

    def __enter__(self) -> LoginProcess:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.wait()
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()
