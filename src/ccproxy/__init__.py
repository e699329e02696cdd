"""ccproxy: a local reverse proxy that serves vendor APIs on the user's own AI subscriptions."""

__version__ = "0.3.0"
