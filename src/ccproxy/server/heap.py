"""Garbage-collector settings for a serving process.

CPython's full collection walks every tracked object, and a started proxy holds about 120,000 of
them (modules, classes, settings) that will live as long as it does. Under load those walks took
about 60 ms each, and with the default thresholds the collector as a whole cost a tenth of the
CPU of each request. Freezing what exists once the app is built takes those objects out of
every later collection; a larger first-generation threshold means fewer, larger young
collections and fewer in-flight requests' objects promoted to the old generations by accident.
"""

from __future__ import annotations

import gc

# Objects allocated (net) between young collections; CPython's default is 700.
YOUNG_THRESHOLD = 10_000


def settle() -> None:
    """Call once the app is built, just before serving."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)


def release() -> None:
    """Call once serving is over: frozen objects are never freed, and native extensions that
    count their live objects at exit (DuckDB's bindings) would report every one as leaked."""
    gc.unfreeze()
