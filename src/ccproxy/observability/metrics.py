"""Prometheus metrics from access entries, and the upstreams' usage-limit headers as gauges."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from ccproxy.observability.entry import AccessEntry

SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)
# provider -> its last usage-limit headers (name -> value), read at scrape time.
LimitSource = Callable[[], Mapping[str, Mapping[str, str]]]
_Children = tuple[Any, Any, Any]


class Metrics:
    content_type = CONTENT_TYPE_LATEST

    def __init__(self, limits: LimitSource) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        labels = ("provider", "route", "model", "status")
        self.requests = Counter("ccproxy_requests", "Requests served.", labels,
                                registry=self.registry)  # fmt: skip
        self.duration = Histogram(
            "ccproxy_request_duration_seconds", "Request duration, until the last byte.",
            ("provider", "route"), buckets=SECONDS, registry=self.registry,
        )  # fmt: skip
        self.first_token = Histogram(
            "ccproxy_time_to_first_token_seconds", "Time until the first response body byte.",
            ("provider", "route"), buckets=SECONDS, registry=self.registry,
        )  # fmt: skip
        self.tokens = Counter("ccproxy_tokens", "Tokens, by type.", ("type",),
                              registry=self.registry)  # fmt: skip
        self.cost = Counter("ccproxy_cost_usd", "API-equivalent cost in US dollars.",
                            registry=self.registry)  # fmt: skip
        self.errors = Counter("ccproxy_errors", "Requests that ended in an error.",
                              ("provider", "error_type"), registry=self.registry)  # fmt: skip
        self.in_flight = Gauge("ccproxy_in_flight_requests", "Requests being served now.",
                               registry=self.registry)  # fmt: skip
        self._token_counters = tuple(
            self.tokens.labels(kind) for kind in ("input", "output", "cache_read", "cache_write")
        )
        self._series: dict[tuple[str, str, str, int], _Children] = {}
        self.limits = limits
        self.registry.register(_Limits(lambda: self.limits()))

    def record(self, entry: AccessEntry) -> None:
        provider, route = entry.provider or "none", entry.route or "unmatched"
        model = entry.model_used or entry.model_requested or ""
        requests, duration, first_token = self._children(provider, route, model,
                                                         entry.status_code)  # fmt: skip
        requests.inc()
        duration.observe(entry.duration_ms / 1000)
        if entry.ttfb_ms is not None:
            first_token.observe(entry.ttfb_ms / 1000)
        counts = (entry.input_tokens, entry.output_tokens, entry.cache_read_tokens,
                  entry.cache_write_tokens)  # fmt: skip
        for counter, count in zip(self._token_counters, counts, strict=True):
            if count:
                counter.inc(count)
        if entry.cost_usd:
            self.cost.inc(entry.cost_usd)
        if entry.error_type:
            self.errors.labels(provider, entry.error_type).inc()

    def _children(self, provider: str, route: str, model: str, status: int) -> _Children:
        """The labelled series of one kind of request, looked up once (`labels()` is costly)."""
        key = (provider, route, model, status)
        found = self._series.get(key)
        if found is None:
            found = (
                self.requests.labels(provider, route, model, str(status)),
                self.duration.labels(provider, route),
                self.first_token.labels(provider, route),
            )
            self._series[key] = found
        return found

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class _Limits(Collector):
    """`ccproxy_upstream_limit{provider, header}`: each numeric usage-limit header last seen
    (Anthropic `anthropic-ratelimit-*`, Codex `x-codex-*`)."""

    def __init__(self, source: LimitSource) -> None:
        self._source = source

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "ccproxy_upstream_limit", "The upstream's last usage-limit headers (numeric ones).",
            labels=("provider", "header"),
        )  # fmt: skip
        for provider, headers in self._source().items():
            for name, value in headers.items():
                try:
                    family.add_metric((provider, name), float(value))
                except ValueError:
                    continue  # "allowed", dates and the like
        yield family

    def describe(self) -> Iterator[GaugeMetricFamily]:
        return iter(())
