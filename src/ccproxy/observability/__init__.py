"""What the proxy did: one AccessEntry per request, and what consumes it (Prometheus metrics,
the DuckDB access log, the live stream behind `/logs/stream` and the dashboard).

Recording never makes a request fail or wait: sinks take the finished entry in memory, and the
access log writes in batches on a thread of its own.
"""
