"""What the benchmark measures: how to start each target and where its routes are."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.client import Connection

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "build" / "bench"
MESSAGE = {
    "model": "claude-bench",
    "max_tokens": 16,
    "messages": [{"role": "user", "content": "hi"}],
}
CHAT = {"model": "claude-bench", "messages": [{"role": "user", "content": "hi"}]}


@dataclass
class Target:
    name: str
    port: int
    messages_path: str  # Anthropic pass-through
    chat_path: str | None  # OpenAI Chat -> Anthropic
    command: list[str] = field(default_factory=list)  # empty: the upstream itself
    env: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=lambda: {"x-api-key": "dummy"})
    help_command: list[str] = field(default_factory=list)
    process: subprocess.Popen[bytes] | None = None

    def start(self, log: Path) -> float:
        """Start it and return seconds until its first 200 to a real request (cold start)."""
        if not self.command:
            return 0.0
        if _listening(self.port):
            raise RuntimeError(f"port {self.port} is taken by another process; stop it first")
        started = time.monotonic()
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                self.command,
                env={**os.environ, **self.env},
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=self.env.get("HOME", str(ROOT)),
                start_new_session=True,
            )
        deadline = started + 180
        while time.monotonic() < deadline:
            try:
                if (
                    Connection(self.port)
                    .post(self.messages_path, json.dumps(MESSAGE).encode(), self.headers)
                    .status
                    == 200
                ):
                    return time.monotonic() - started
            except OSError:
                pass
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited; see {log}")
            time.sleep(0.02)
        raise RuntimeError(f"{self.name} did not answer within 180 s; see {log}")

    def pids(self) -> list[int]:
        """The target's process and all its descendants."""
        if self.process is None:
            return []
        found, frontier = [self.process.pid], [self.process.pid]
        while frontier:
            parent = frontier.pop()
            try:
                children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
            except OSError:
                continue
            found += map(int, children)
            frontier += map(int, children)
        return found

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def credentials_home(path: Path) -> Path:
    """A home with a Claude credentials file good for a day, as the proxies expect."""
    (path / ".claude").mkdir(parents=True, exist_ok=True)
    oauth = {
        "accessToken": "sk-ant-oat01-bench",
        "refreshToken": "sk-ant-ort01-bench",
        "expiresAt": int(time.time() * 1000) + 86_400_000,
        "scopes": ["user:inference"],
        "subscriptionType": "max",
    }
    credentials = path / ".claude" / ".credentials.json"
    credentials.write_text(json.dumps({"claudeAiOauth": oauth}))
    credentials.chmod(0o600)
    return path


def targets(upstream_port: int, home: Path) -> list[Target]:
    upstream = f"http://127.0.0.1:{upstream_port}"
    ccproxy_env = {
        "HOME": str(home),
        "CLAUDE__API_BASE_URL": upstream,
        "SERVER__LOG_LEVEL": "WARNING",
    }
    ccproxy = str(ROOT / ".venv" / "bin" / "ccproxy")
    old = str(BUILD / "ccproxy-api" / "bin" / "ccproxy")
    litellm = str(BUILD / "litellm" / "bin" / "litellm")
    litellm_config = home / "litellm.yaml"
    litellm_config.write_text(
        "model_list:\n  - model_name: claude-bench\n    litellm_params:\n"
        f"      model: anthropic/claude-bench\n      api_base: {upstream}\n      api_key: dummy\n"
        "  - model_name: claude-bench-slow\n    litellm_params:\n"
        "      model: anthropic/claude-bench-slow\n"
        f"      api_base: {upstream}\n      api_key: dummy\n"
    )
    return [
        Target("direct (upstream)", upstream_port, "/v1/messages", None),
        Target(
            "ccproxy",
            upstream_port + 1,
            "/api/v1/messages",
            "/api/v1/chat/completions",
            [ccproxy, "serve", "--port", str(upstream_port + 1)],
            ccproxy_env,
            help_command=[ccproxy, "--help"],
        ),
        Target(
            "ccproxy --workers 2",
            upstream_port + 2,
            "/api/v1/messages",
            "/api/v1/chat/completions",
            [ccproxy, "serve", "--port", str(upstream_port + 2), "--workers", "2"],
            ccproxy_env,
        ),
        Target(
            "ccproxy + metrics + logs",
            upstream_port + 5,
            "/api/v1/messages",
            "/api/v1/chat/completions",
            [ccproxy, "serve", "--port", str(upstream_port + 5)],
            {
                **ccproxy_env,
                "OBSERVABILITY__METRICS_ENABLED": "true",
                "OBSERVABILITY__LOGS_ENABLED": "true",
                "OBSERVABILITY__DUCKDB_PATH": str(home / "bench-access-log.duckdb"),
            },
        ),
        Target(
            "ccproxy-api 0.2.10",
            upstream_port + 3,
            "/claude/v1/messages",
            "/claude/v1/chat/completions",
            [old, "serve"],
            {
                "HOME": str(home),
                "NO_COLOR": "1",
                "SERVER__PORT": str(upstream_port + 3),
                # offline: only the Claude API plugins, no version check at start-up
                "ENABLED_PLUGINS": '["claude_api","oauth_claude"]',
                "SCHEDULER__VERSION_CHECK_ENABLED": "false",
                "PLUGINS__CLAUDE_API__BASE_URL": upstream,
            },
            help_command=[old, "--help"],
        ),
        Target(
            "LiteLLM 1.106.0",
            upstream_port + 4,
            "/v1/messages",
            "/v1/chat/completions",
            [litellm, "--config", str(litellm_config), "--port", str(upstream_port + 4)],
            {
                "HOME": str(home),
                "LITELLM_LOCAL_MODEL_COST_MAP": "True",
                "LITELLM_TELEMETRY": "False",
                "LITELLM_DANGEROUSLY_PERMIT_WEAK_OR_UNSET_MASTER_KEY": "true",
            },
            help_command=[litellm, "--help"],
        ),
    ]
