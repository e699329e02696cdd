"""A stand-in browser for `BROWSER=…`: follows the login page's redirects like a browser would,
and appends the final status and page to the file named by FAKE_BROWSER_LOG."""

from __future__ import annotations

import os
import sys

import httpx

reply = httpx.get(sys.argv[1], follow_redirects=True, timeout=30)
with open(os.environ["FAKE_BROWSER_LOG"], "a", encoding="utf-8") as log:
    log.write(f"{reply.status_code} {reply.url}\n{reply.text}\n")
