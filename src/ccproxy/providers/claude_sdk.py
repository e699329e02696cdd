"""Claude SDK mode: each request runs through claude-agent-sdk and the `claude` CLI, on the
user's own Claude Code set-up (UPSTREAMS.md §5).

Claude Code options come from the server's configuration only; a request chooses at most the
model, the thinking budget and fewer turns. The run's messages leave this module as plain dicts
(see formats/convert/sdk_to_anthropic), so nothing above it depends on the SDK's types.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import importlib
import logging
import os
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ccproxy.config import ClaudeSettings, ServerSettings
from ccproxy.config_security import SecuritySettings
from ccproxy.errors import UpstreamTimeout, UpstreamUnavailable
from ccproxy.providers.sdk_pool import Pool
from ccproxy.providers.sdk_sessions import Session, Sessions

# claude-agent-sdk is imported where it is used, not here: it loads the whole MCP SDK, which
# took about 1.5 s and 50 MB at every start, whether SDK mode was used or not. The first run
# imports it on a thread (_import_sdk), so that the event loop keeps serving meanwhile.
if TYPE_CHECKING:
    from claude_agent_sdk import ClaudeAgentOptions

log = logging.getLogger(__name__)

# How long an unwanted Claude Code run gets to acknowledge an interrupt.
_INTERRUPT_SECONDS = 3.0
# ccproxy's MCP permission tool as Claude Code names it: mcp__<server key>__<tool>.
PERMISSION_SERVER = "ccproxy"
PERMISSION_TOOL = f"mcp__{PERMISSION_SERVER}__check_permission"
# The client token reaches Claude Code in its environment, which other users cannot read,
# and the MCP config names the variable (Claude Code expands it), not the token itself.
_TOKEN_VARIABLE = "CCPROXY_MCP_TOKEN"


@dataclass(frozen=True)
class RunOptions:
    """What one request may choose."""

    model: str | None = None
    max_thinking_tokens: int | None = None
    max_turns: int | None = None

    @property
    def pool_compatible(self) -> bool:
        # A pooled process is switched to any model; the other two are fixed at its start.
        return self.max_thinking_tokens is None and self.max_turns is None


@dataclass(frozen=True)
class SdkRequest:
    prompt: list[dict[str, Any]]  # the user turn if the session continues
    first_prompt: list[dict[str, Any]]  # the user turn if it starts (history included)
    history: str  # fingerprint of the conversation before this turn
    session_key: str | None
    options: RunOptions


class ClaudeSDK:
    name = "claude_sdk"

    def __init__(
        self, settings: ClaudeSettings, server: ServerSettings, security: SecuritySettings
    ) -> None:
        self.settings = settings
        self.cwd = settings.code_options.cwd or os.getcwd()  # where ccproxy was started
        self.sessions = Sessions(settings.sdk_max_sessions)
        self.pool = Pool(settings.sdk_pool_size, self._connect_default, self.dispose) if (
            settings.sdk_enable_pool) else None  # fmt: skip
        self.spawned = 0
        self.runs = 0
        self._env = _child_environment(server, settings.api_base_url)
        self.permission_url: str | None = None
        if settings.code_options.permission_mode != "bypassPermissions" and server.port:
            self.permission_url = f"{server.local_url}/mcp"
            if security.auth_token is not None:
                self._env[_TOKEN_VARIABLE] = security.auth_token.get_secret_value()
        self._tasks: set[asyncio.Task[None]] = set()

    def start(self) -> None:
        if os.environ.get("ANTHROPIC_API_KEY"):
            log.warning(
                "ANTHROPIC_API_KEY is set: SDK mode's Claude Code will bill that API key, "
                "not your subscription; unset it to use the subscription"
            )
        mode = self.settings.code_options.permission_mode
        if self.permission_url is None and mode != "bypassPermissions":
            log.warning(
                "SDK mode cannot offer the permission tool without a fixed port (port 0): "
                "Claude Code will refuse tools that need approval"
            )
        if self.pool is not None:
            self.pool.fill()

    async def close(self) -> None:
        if self.pool is not None:
            await self.pool.close()
        for session in self.sessions.all():
            if session.client is not None:
                self.dispose(session.client)
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def options(self, run: RunOptions, resume: str | None = None) -> ClaudeAgentOptions:
        from claude_agent_sdk import ClaudeAgentOptions

        code = self.settings.code_options
        turns = [n for n in (run.max_turns, code.max_turns) if n is not None]
        system: Any = None
        if code.append_system_prompt:
            system = {
                "type": "preset",
                "preset": "claude_code",
                "append": code.append_system_prompt,
            }
        return ClaudeAgentOptions(
            cwd=self.cwd,
            permission_mode=code.permission_mode,
            allowed_tools=list(code.allowed_tools),
            disallowed_tools=list(code.disallowed_tools),
            max_turns=min(turns) if turns else None,
            system_prompt=system,
            model=run.model or code.model,
            max_thinking_tokens=(
                run.max_thinking_tokens
                if run.max_thinking_tokens is not None
                else code.max_thinking_tokens
            ),
            cli_path=self.settings.cli_path,
            include_partial_messages=True,
            resume=resume,
            env=dict(self._env),
            stderr=_log_stderr,
            **self._permission_options(),
        )

    def _permission_options(self) -> dict[str, Any]:
        """Claude Code asks ccproxy's MCP tool before a tool use that needs approval."""
        if self.permission_url is None:
            return {}
        server: dict[str, Any] = {"type": "http", "url": self.permission_url}
        if _TOKEN_VARIABLE in self._env:
            server["headers"] = {"Authorization": f"Bearer ${{{_TOKEN_VARIABLE}}}"}
        return {
            "mcp_servers": {PERMISSION_SERVER: server},
            "permission_prompt_tool_name": PERMISSION_TOOL,
        }

    async def connect(self, options: ClaudeAgentOptions) -> Any:
        """A new connected Claude Code process; UpstreamUnavailable if none can start."""
        from claude_agent_sdk import ClaudeSDKClient, ClaudeSDKError

        client = ClaudeSDKClient(options)
        self.spawned += 1
        try:
            # In a task of its own: the SDK keeps a task group open in the task that connects,
            # and a request's task must stay free to end (or be cancelled) on its own.
            await asyncio.get_running_loop().create_task(client.connect())
        except (ClaudeSDKError, OSError) as exc:
            self.dispose(client)
            raise UpstreamUnavailable(f"Claude Code could not be started: {exc}") from exc
        return client

    async def _connect_default(self) -> Any:
        await _import_sdk()
        return await self.connect(self.options(RunOptions()))

    def dispose(self, client: Any) -> None:
        """Stop a process in the background; nobody waits for it."""
        task = asyncio.get_running_loop().create_task(_stop(client))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def begin(self, request: SdkRequest) -> Run:
        """Find the session, get a connected process for it and send the user turn. Errors
        here come before anything was streamed, so they get a proper status."""
        await _import_sdk()
        session, forgotten = self.sessions.find(request.session_key, request.history)
        for old in forgotten:
            if old.client is not None:
                self.dispose(old.client)
        await session.lock.acquire()
        client = None
        try:
            client = await self._client_for(session, request.options)
            prompt = request.prompt if session.started else request.first_prompt
            await client.query(_user_turns(prompt))
        except BaseException:
            if client is not None:
                self.dispose(client)
            session.lock.release()
            raise
        self.runs += 1
        return Run(self, session, client)

    async def _client_for(self, session: Session, run: RunOptions) -> Any:
        """The session's live process, else a pooled one (new conversations), else a new one
        (resuming the session when Claude Code already holds it)."""
        client = session.client
        session.client = None
        if client is None and self.pool is not None and not session.started:
            client = self.pool.take() if run.pool_compatible else None
        if client is None:
            resume = session.cli_session_id
            return await self.connect(self.options(run, resume=resume))
        if run.model:
            from claude_agent_sdk import ClaudeSDKError

            try:
                await client.set_model(run.model)
            except (ClaudeSDKError, OSError) as exc:
                self.dispose(client)
                raise UpstreamUnavailable(f"Claude Code stopped answering: {exc}") from exc
        return client

    def describe(self) -> dict[str, Any]:
        return {
            "provider": self.name,
            "cwd": self.cwd,
            "message_mode": self.settings.sdk_message_mode,
            "permission_mode": self.settings.code_options.permission_mode or "default",
            "permission_tool": PERMISSION_TOOL if self.permission_url else None,
            "permission_url": self.permission_url,
            "pool": self.pool.describe() if self.pool is not None else {"enabled": False},
            "sessions": len(self.sessions),
            "sessions_with_process": self.sessions.with_clients(),
            "processes_started": self.spawned,
            "runs": self.runs,
        }


class Run:
    """One request's turn in a session: iterate `items()`, then `finish()`; `abandon()` when
    the client leaves. The session stays locked until one of those two."""

    def __init__(self, provider: ClaudeSDK, session: Session, client: Any) -> None:
        self._provider = provider
        self.session = session
        self._client = client
        self.result: dict[str, Any] | None = None
        self._released = False

    async def items(self) -> AsyncIterator[dict[str, Any]]:
        from claude_agent_sdk import ClaudeSDKError

        timeout = self._provider.settings.sdk_timeout
        try:
            async with asyncio.timeout(timeout):
                async for message in self._client.receive_response():
                    item = as_item(message)
                    if item is None:
                        continue
                    if item["kind"] == "result":
                        self.result = item
                    yield item
        except TimeoutError:
            self.abandon()
            raise UpstreamTimeout(f"the Claude Code run took longer than {timeout:g} s") from None
        except (ClaudeSDKError, OSError) as exc:
            if self.result is not None:  # the CLI exits non-zero after an error result
                return
            self.abandon()
            raise UpstreamUnavailable(f"Claude Code stopped: {exc}") from exc

    def finish(self, fingerprint: str) -> None:
        """The answer is complete: remember the conversation, keep or stop the process."""
        if self._released:
            return
        cli_session = (self.result or {}).get("session_id")
        if isinstance(cli_session, str) and cli_session:
            self._provider.sessions.answered(self.session, cli_session, fingerprint)
        if self._provider.pool is not None and self._provider.sessions.holds(self.session):
            self.session.client = self._client  # the next turn continues in this process
        else:
            self._provider.dispose(self._client)
        self._release()

    def abandon(self) -> None:
        """Stop the run (the client left, or it failed); the session's transcript on disk
        stays, so a later turn resumes it in a new process."""
        if self._released:
            return
        self._provider.dispose(self._client)
        self._release()

    def _release(self) -> None:
        self._released = True
        self.session.lock.release()


async def _import_sdk() -> None:
    if "claude_agent_sdk" not in sys.modules:
        await asyncio.to_thread(importlib.import_module, "claude_agent_sdk")


async def _stop(client: Any) -> None:
    """Interrupt the run (it may be mid-way), then end the process.

    The interrupt is only waited for a moment and never cancelled from here: the SDK shields
    parts of it, and a run whose reader went with the client's request never answers it.
    `disconnect()` bounds its own waits and escalates to SIGTERM and SIGKILL; a deadline of ours
    around it would cut that escalation short and leave the process running.
    """
    from claude_agent_sdk import ClaudeSDKError

    interrupt = asyncio.ensure_future(client.interrupt())
    await asyncio.wait({interrupt}, timeout=_INTERRUPT_SECONDS)
    try:
        await client.disconnect()
    except (ClaudeSDKError, OSError, RuntimeError) as exc:
        log.warning("Claude Code did not stop cleanly: %r", exc)
    interrupt.cancel()
    with contextlib.suppress(asyncio.CancelledError, ClaudeSDKError, OSError, RuntimeError):
        await interrupt


async def _user_turns(content: list[dict[str, Any]]) -> AsyncIterator[dict[str, Any]]:
    yield {
        "type": "user",
        "message": {"role": "user", "content": content},
        "parent_tool_use_id": None,
    }


def as_item(message: Any) -> dict[str, Any] | None:
    """An SDK message as the plain dict formats/convert/sdk_to_anthropic reads."""
    from claude_agent_sdk import (
        AssistantMessage,
        ResultMessage,
        StreamEvent,
        SystemMessage,
        UserMessage,
    )

    if isinstance(message, StreamEvent):
        return {"kind": "stream", "event": message.event,
                "parent_tool_use_id": message.parent_tool_use_id}  # fmt: skip
    if isinstance(message, AssistantMessage | UserMessage):
        content = message.content
        blocks = [_block(b) for b in content] if isinstance(content, list) else []
        kind = "assistant" if isinstance(message, AssistantMessage) else "user"
        return {"kind": kind, "content": blocks, "parent_tool_use_id": message.parent_tool_use_id}
    if isinstance(message, SystemMessage):
        return {"kind": "system", "subtype": message.subtype, "data": message.data}
    if isinstance(message, ResultMessage):
        return {"kind": "result", **dataclasses.asdict(message)}
    return None  # rate-limit notices and the like


_BLOCK_TYPES = {
    "TextBlock": "text",
    "ThinkingBlock": "thinking",
    "ToolUseBlock": "tool_use",
    "ToolResultBlock": "tool_result",
    "ServerToolUseBlock": "server_tool_use",
    "ServerToolResultBlock": "server_tool_result",
}


def _block(block: Any) -> dict[str, Any]:
    is_instance = dataclasses.is_dataclass(block) and not isinstance(block, type)
    fields = dataclasses.asdict(block) if is_instance else {}
    return {"type": _BLOCK_TYPES.get(type(block).__name__, "unknown"), **fields}


def _child_environment(server: ServerSettings, api_base_url: str) -> dict[str, str]:
    """What the CLI gets on top of the proxy's environment: it inherits everything, except an
    `ANTHROPIC_BASE_URL` that points back at this proxy, which would make a loop."""
    base = os.environ.get("ANTHROPIC_BASE_URL")
    if base and _is_this_server(base, server):
        log.warning("ANTHROPIC_BASE_URL points at ccproxy itself; SDK mode uses %s", api_base_url)
        return {"ANTHROPIC_BASE_URL": api_base_url}
    return {}


def _is_this_server(url: str, server: ServerSettings) -> bool:
    parts = urlsplit(url)
    local = {"127.0.0.1", "localhost", "::1", "0.0.0.0", server.host}
    return parts.hostname in local and (parts.port or 80) == server.port


def _log_stderr(line: str) -> None:
    log.debug("claude: %s", line.rstrip())
