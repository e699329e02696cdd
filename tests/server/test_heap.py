"""The collector settings a serving process takes once its app is built."""

from __future__ import annotations

import subprocess
import sys


def test_settle_freezes_what_exists_and_raises_the_young_threshold() -> None:
    # In a process of its own: frozen objects stay frozen for the rest of a process's life.
    check = (
        "import gc\n"
        "from ccproxy.server import app, heap\n"
        "assert gc.get_freeze_count() == 0\n"
        "heap.settle()\n"
        "assert gc.get_freeze_count() > 10_000, gc.get_freeze_count()\n"
        "assert gc.get_threshold()[0] == heap.YOUNG_THRESHOLD\n"
    )
    subprocess.run([sys.executable, "-c", check], check=True, timeout=60)
