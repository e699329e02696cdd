"""Prometheus metrics from access entries, and the upstreams' usage-limit headers as gauges.

Requests only add to plain counters here; the metric families are built when `/metrics` is
scraped. prometheus-client's own metric objects take a lock and check their labels on every
update, which cost more per request than the rest of the recording together.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from ccproxy.observability.entry import AccessEntry

SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)
TOKEN_TYPES = ("input", "output", "cache_read", "cache_write")
# provider -> its last usage-limit headers (name -> value), read at scrape time.
LimitSource = Callable[[], Mapping[str, Mapping[str, str]]]


class Histogram:
    """Bucket counts (not cumulative), their sum and count."""

    __slots__ = ("buckets", "count", "total")

    def __init__(self) -> None:
        self.buckets = [0] * (len(SECONDS) + 1)  # the last is +Inf
        self.total = 0.0
        self.count = 0

    def observe(self, seconds: float) -> None:
        self.buckets[bisect_left(SECONDS, seconds)] += 1
        self.total += seconds
        self.count += 1

    def cumulative(self) -> list[tuple[str, float]]:
        pairs, running = [], 0
        for bound, count in zip((*map(str, SECONDS), "+Inf"), self.buckets, strict=True):
            running += count
            pairs.append((bound, float(running)))
        return pairs


class Metrics:
    content_type = CONTENT_TYPE_LATEST

    def __init__(self, limits: LimitSource, in_flight: Callable[[], int] = lambda: 0) -> None:
        self.limits = limits
        self.in_flight = in_flight
        self.requests: defaultdict[tuple[str, str, str, str], int] = defaultdict(int)
        self.duration: defaultdict[tuple[str, str], Histogram] = defaultdict(Histogram)
        self.first_token: defaultdict[tuple[str, str], Histogram] = defaultdict(Histogram)
        self.tokens = dict.fromkeys(TOKEN_TYPES, 0)
        self.cost = 0.0
        self.errors: defaultdict[tuple[str, str], int] = defaultdict(int)
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(_Families(self))

    def record(self, entry: AccessEntry) -> None:
        provider, route = entry.provider or "none", entry.route or "unmatched"
        model = entry.model_used or entry.model_requested or ""
        self.requests[provider, route, model, str(entry.status_code)] += 1
        self.duration[provider, route].observe(entry.duration_ms / 1000)
        if entry.ttfb_ms is not None:
            self.first_token[provider, route].observe(entry.ttfb_ms / 1000)
        tokens = self.tokens
        tokens["input"] += entry.input_tokens
        tokens["output"] += entry.output_tokens
        tokens["cache_read"] += entry.cache_read_tokens
        tokens["cache_write"] += entry.cache_write_tokens
        if entry.cost_usd:
            self.cost += entry.cost_usd
        if entry.error_type:
            self.errors[provider, entry.error_type] += 1

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class _Families(Collector):
    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def collect(self) -> Iterator[Metric]:
        m = self._metrics
        requests = CounterMetricFamily("ccproxy_requests", "Requests served.",
                                       labels=("provider", "route", "model", "status"))  # fmt: skip
        for labels, count in m.requests.items():
            requests.add_metric(labels, count)
        yield requests
        yield _histogram("ccproxy_request_duration_seconds",
                         "Request duration, until the last byte.", m.duration)  # fmt: skip
        yield _histogram("ccproxy_time_to_first_token_seconds",
                         "Time until the first response body byte.", m.first_token)  # fmt: skip
        tokens = CounterMetricFamily("ccproxy_tokens", "Tokens, by type.", labels=("type",))
        for kind, count in m.tokens.items():
            tokens.add_metric((kind,), count)
        yield tokens
        yield CounterMetricFamily("ccproxy_cost_usd", "API-equivalent cost in US dollars.",
                                  value=m.cost)  # fmt: skip
        errors = CounterMetricFamily("ccproxy_errors", "Requests that ended in an error.",
                                     labels=("provider", "error_type"))  # fmt: skip
        for error_labels, count in m.errors.items():
            errors.add_metric(error_labels, count)
        yield errors
        yield GaugeMetricFamily("ccproxy_in_flight_requests", "Requests being served now.",
                                value=m.in_flight())  # fmt: skip
        yield _limits(m.limits())


def _histogram(
    name: str, documentation: str, series: Mapping[tuple[str, str], Histogram]
) -> HistogramMetricFamily:
    family = HistogramMetricFamily(name, documentation, labels=("provider", "route"))
    for labels, histogram in series.items():
        family.add_metric(labels, histogram.cumulative(), sum_value=histogram.total)
    return family


def _limits(source: Mapping[str, Mapping[str, str]]) -> GaugeMetricFamily:
    """`ccproxy_upstream_limit{provider, header}`: each numeric usage-limit header last seen
    (Anthropic `anthropic-ratelimit-*`, Codex `x-codex-*`)."""
    family = GaugeMetricFamily(
        "ccproxy_upstream_limit", "The upstream's last usage-limit headers (numeric ones).",
        labels=("provider", "header"),
    )  # fmt: skip
    for provider, headers in source.items():
        for name, value in headers.items():
            try:
                family.add_metric((provider, name), float(value))
            except ValueError:
                continue  # "allowed", dates and the like
    return family
