"""The access log's columns, and each entry as one line of CSV that DuckDB's `read_csv` loads.

The line is built with one f-string on the event loop. The csv module takes twice as long, and
formatting on the writer thread would hold the GIL there, which stalls the event loop for far
longer than the formatting costs: whenever it wants the GIL back after a system call, it may
wait up to the interpreter's switch interval (5 ms). Times go in as integer microseconds, since
DuckDB parses integers faster than timestamps and Python formats them faster than floats.
"""

from __future__ import annotations

from ccproxy.observability.entry import AccessEntry

COLUMNS = (
    ("request_id", "VARCHAR"), ("timestamp", "TIMESTAMP"), ("method", "VARCHAR"),
    ("path", "VARCHAR"), ("route", "VARCHAR"), ("provider", "VARCHAR"),
    ("client_format", "VARCHAR"), ("model_requested", "VARCHAR"), ("model", "VARCHAR"),
    ("stream", "BOOLEAN"), ("status_code", "INTEGER"), ("duration_ms", "DOUBLE"),
    ("ttfb_ms", "DOUBLE"), ("input_tokens", "BIGINT"), ("output_tokens", "BIGINT"),
    ("cache_read_tokens", "BIGINT"), ("cache_write_tokens", "BIGINT"), ("cost_usd", "DOUBLE"),
    ("cost_source", "VARCHAR"), ("error_type", "VARCHAR"), ("session_id", "VARCHAR"),
    ("user_agent", "VARCHAR"),
)  # fmt: skip
NAMES = tuple(name for name, _ in COLUMNS)

# How the CSV's fields become the columns: the microsecond integers are converted back.
_IN_CSV = {"timestamp": "BIGINT", "duration_ms": "BIGINT", "ttfb_ms": "BIGINT"}
_CONVERTED = {
    "timestamp": "make_timestamp(timestamp)",
    "duration_ms": "duration_ms / 1000",
    "ttfb_ms": "ttfb_ms / 1000",
}
_CSV_TYPES = ", ".join(f"'{name}': '{_IN_CSV.get(name, kind)}'" for name, kind in COLUMNS)
# An empty field is NULL: every empty value here means "unknown" anyway.
INSERT_FROM_CSV = (
    f"INSERT INTO access_log SELECT {', '.join(_CONVERTED.get(name, name) for name in NAMES)}"
    " FROM read_csv(?, auto_detect = false, header = false, delim = ',', new_line = '\\n',"
    f" quote = '\"', escape = '\"', nullstr = '', columns = {{{_CSV_TYPES}}})"
)


def csv_line(entry: AccessEntry) -> str:
    """One CSV line, in NAMES order. Route, provider, client format and cost source are this
    proxy's own words, the method an HTTP token and the request id hex: none needs quoting."""
    e = entry
    ttfb = "" if e.ttfb_ms is None else int(e.ttfb_ms * 1000)
    cost = "" if e.cost_usd is None else repr(e.cost_usd)
    return (
        f"{e.request_id},{int(e.timestamp * 1_000_000)},{e.method},{_text(e.path)},"
        f"{e.route or ''},{e.provider or ''},{e.client_format or ''},"
        f"{_text(e.model_requested)},{_text(e.model_used)},{e.stream:d},{e.status_code},"
        f"{int(e.duration_ms * 1000)},{ttfb},{e.input_tokens},{e.output_tokens},"
        f"{e.cache_read_tokens},{e.cache_write_tokens},{cost},{e.cost_source or ''},"
        f"{_text(e.error_type)},{_text(e.session_id)},{_text(e.user_agent)}\n"
    )


def _text(value: str | None) -> str:
    """A quoted field. NUL is dropped: DuckDB's reader rejects it, and no model name, path or
    user agent means anything by it."""
    if not value:
        return ""
    if "\x00" in value:
        value = value.replace("\x00", "")
    return '"' + value.replace('"', '""') + '"'
