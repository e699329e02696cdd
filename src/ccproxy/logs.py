"""Log set-up shared by the command line and server worker processes."""

from __future__ import annotations

import logging


def configure(level: str) -> None:
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
        force=True,
    )
    # Client libraries log every upstream request at INFO; that is the access log's job.
    for noisy in ("aiohttp.client", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
