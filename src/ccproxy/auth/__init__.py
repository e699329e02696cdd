"""Vendor credentials: OAuth constants, credential files, and tokens that refresh themselves.

Knows nothing of the server or the providers; raises `ccproxy.errors` types the server renders.
"""
