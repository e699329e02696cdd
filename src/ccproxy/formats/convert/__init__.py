"""Converters between wire formats, one module per direction.

Each exposes `request()`, `response()`, `error()` and a `Stream` state machine (`feed()` an upstream
event, `finish()` at the end). Pure: ids, timestamps and model facts come in through a context.
"""
