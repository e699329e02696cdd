"""The one handler for OAuth redirects, used by the login listeners and the server's
`GET /oauth/callback`: it checks the state, hands the code to the waiting login, and answers the
browser with a page telling the user to return to the terminal."""

from __future__ import annotations

import asyncio
import html
from collections.abc import Mapping


class LoginFailed(Exception):
    """The login cannot finish; the message says why and what to do."""


class LoginCallbacks:
    """Logins waiting for their redirect, by OAuth `state`; each state can be used once."""

    def __init__(self) -> None:
        self._pending: dict[str, asyncio.Future[str]] = {}

    def expect(self, state: str) -> asyncio.Future[str]:
        future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._pending[state] = future
        return future

    def forget(self, state: str) -> None:
        self._pending.pop(state, None)

    def handle(self, params: Mapping[str, str]) -> tuple[int, str]:
        """(HTTP status, HTML page) for a redirect carrying `code` and `state` (or `error`)."""
        state = params.get("state", "")
        future = self._pending.pop(state, None)
        if future is None or future.done():
            return 400, page(
                "This login link is unknown or was already used",
                "Start the login again from the terminal (ccproxy auth login).",
            )
        if error := params.get("error"):
            reason = params.get("error_description") or error
            future.set_exception(LoginFailed(f"the login was refused: {reason}"))
            return 400, page("The login was refused", reason)
        code = params.get("code")
        if not code:
            future.set_exception(LoginFailed("the redirect carried no authorization code"))
            return 400, page("The login did not finish", "The redirect carried no code.")
        future.set_result(code)
        return 200, page("You are logged in", "You can close this tab and return to the terminal.")


def page(title: str, text: str) -> str:
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>ccproxy login</title></head>"
        "<body style='font-family:sans-serif;max-width:32em;margin:4em auto'>"
        f"<h1>{html.escape(title)}</h1><p>{html.escape(text)}</p></body></html>"
    )
