"""Upstreams: the only code that talks to a vendor. Each provider turns a prepared request into an
upstream response and maps transport failures to `ccproxy.errors` types."""
