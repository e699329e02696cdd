"""RESULTS.md, the latency plot and README's summary table, from one run's results."""

from __future__ import annotations

import datetime
import os
import platform
import re
import subprocess
from pathlib import Path
from typing import Any

from bench.targets import ROOT

DIRECT, OURS, OLD, LITELLM = "direct (upstream)", "ccproxy", "ccproxy-api 0.2.10", "LiteLLM 1.106.0"
README_START, README_END = "<!-- bench:start -->", "<!-- bench:end -->"
Results = dict[str, dict[str, Any]]


def machine() -> str:
    cpu = re.search(
        r"Model name:\s+(.*)", subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    )
    memory = re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())
    return (
        f"{cpu.group(1).strip() if cpu else platform.processor()}, {os.cpu_count()} cores, "
        f"{int(memory.group(1)) // 1024 // 1024 if memory else '?'} GiB, "
        f"Linux {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def _added(results: Results, name: str, key: str) -> float | None:
    if key not in results[name] or name == DIRECT:
        return None
    return (
        results[name][key]["median_of_medians_ms"]
        - results[DIRECT]["sequential"]["median_of_medians_ms"]
    )


def rows(results: Results) -> list[tuple[str, dict[str, str]]]:
    def each(fn: Any, fmt: str = "{:.2f}") -> dict[str, str]:
        out = {}
        for name in results:
            try:
                value = fn(name)
            except (KeyError, TypeError):
                value = None
            out[name] = "–" if value is None else fmt.format(value)
        return out

    direct_stream = results[DIRECT]["streaming"]
    throughput = lambda key, field="requests_per_s": lambda n: results[n]["throughput"][key][field]  # noqa: E731
    return [
        (
            "Added latency, Anthropic pass-through (ms)",
            each(lambda n: _added(results, n, "sequential")),
        ),
        (
            "Added latency, OpenAI Chat → Anthropic (ms)",
            each(lambda n: _added(results, n, "sequential_chat")),
        ),
        (
            "Stream: added time to first event (ms)",
            each(
                lambda n: (
                    None
                    if n == DIRECT
                    else results[n]["streaming"]["first_byte_ms"] - direct_stream["first_byte_ms"]
                )
            ),
        ),
        (
            "Stream: added time to last event (ms)",
            each(
                lambda n: (
                    None
                    if n == DIRECT
                    else results[n]["streaming"]["last_byte_ms"] - direct_stream["last_byte_ms"]
                )
            ),
        ),
        (
            "Stream: p99 / worst event delay, upstream write → client (ms)",
            each(
                lambda n: (
                    results[n]["streaming"]["p99_event_delay_ms"],
                    results[n]["streaming"]["worst_event_delay_ms"],
                ),
                "{0[0]:.2f} / {0[1]:.2f}",
            ),
        ),
        ("Throughput c=32 (req/s)", each(throughput("c32"), "{:.0f}")),
        ("Throughput c=128 (req/s)", each(throughput("c128"), "{:.0f}")),
        ("Throughput c=32, upstream 20 ms (req/s)", each(throughput("c32_slow"), "{:.0f}")),
        ("Throughput c=128, upstream 20 ms (req/s)", each(throughput("c128_slow"), "{:.0f}")),
        (
            "Errors in the throughput runs",
            each(lambda n: sum(t["errors"] for t in results[n]["throughput"].values()), "{}"),
        ),
        (
            "CPU per proxied request, c=32 (ms)",
            each(
                lambda n: (
                    None if n == DIRECT else results[n]["throughput"]["c32"]["cpu_ms_per_request"]
                )
            ),
        ),
        (
            "RSS idle / peak (MB)",
            each(
                lambda n: (
                    None if n == DIRECT else (results[n]["idle_rss_mb"], results[n]["peak_rss_mb"])
                ),
                "{0[0]:.0f} / {0[1]:.0f}",
            ),
        ),
        (
            "Cold start to first 200 (s)",
            each(lambda n: None if n == DIRECT else results[n]["cold_start_s"]),
        ),
        ("`--help` wall time (s)", each(lambda n: results[n].get("help_s"))),
        (
            "RSS after 5k / 50k requests (MB)",
            each(
                lambda n: (results[n]["leak"]["after_5k_mb"], results[n]["leak"]["after_50k_mb"]),
                "{0[0]:.1f} / {0[1]:.1f}",
            ),
        ),
    ]


def table(results: Results) -> str:
    names = list(results)
    lines = ["| | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    lines += [
        f"| {label} | " + " | ".join(values[n] for n in names) + " |"
        for label, values in rows(results)
    ]
    return "\n".join(lines)


def bars(results: Results) -> str:
    ours, old, lite = results[OURS], results.get(OLD), results.get(LITELLM)
    checks = [
        ("added latency, pass-through ≤ 1.0 ms", _added(results, OURS, "sequential") <= 1.0),  # type: ignore[operator]
        ("added latency, translated ≤ 1.5 ms", _added(results, OURS, "sequential_chat") <= 1.5),  # type: ignore[operator]
        (
            "stream: first event ≤ 1 ms later than direct",
            ours["streaming"]["first_byte_ms"] - results[DIRECT]["streaming"]["first_byte_ms"]
            <= 1.0,
        ),
        (
            "stream: no event held in the proxy ≥ 1 ms (p99 delay vs direct's p99)",
            ours["streaming"]["p99_event_delay_ms"]
            - results[DIRECT]["streaming"]["p99_event_delay_ms"]
            <= 1.0,
        ),
        ("CPU per request ≤ 1.5 ms", ours["throughput"]["c32"]["cpu_ms_per_request"] <= 1.5),
        ("idle RSS ≤ 60 MB", ours["idle_rss_mb"] <= 60),
        ("cold start ≤ 1 s", ours["cold_start_s"] <= 1.0),
        ("`ccproxy --help` ≤ 0.3 s", ours.get("help_s", 99) <= 0.3),
        (
            "no RSS growth 5k → 50k beyond noise (≤ 5 MB)",
            ours["leak"]["after_50k_mb"] - ours["leak"]["after_5k_mb"] <= 5,
        ),
    ]
    for key in ("c32", "c128", "c32_slow", "c128_slow"):
        mine = ours["throughput"][key]["requests_per_s"]
        if old:
            checks.append(
                (
                    f"throughput {key} ≥ 2.5× ccproxy-api",
                    mine >= 2.5 * old["throughput"][key]["requests_per_s"],
                )
            )
        if lite:
            checks.append(
                (
                    f"throughput {key} ≥ 6× LiteLLM",
                    mine >= 6 * lite["throughput"][key]["requests_per_s"],
                )
            )
    return "\n".join(f"- {'✅' if ok else '❌'} {label}" for label, ok in checks)


def plot(results: Results, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(results)
    fig, ax = plt.subplots(figsize=(9, 4.5))
    width = 0.25
    for offset, (label, key) in enumerate(
        (("p50", "p50_ms"), ("p90", "p90_ms"), ("p99", "p99_ms"))
    ):
        values = [results[n]["sequential"][key] for n in names]
        ax.bar([i + (offset - 1) * width for i in range(len(names))], values, width, label=label)
    ax.set_xticks(range(len(names)), names, rotation=12)
    ax.set_yscale("log")
    ax.set_ylabel("ms per request (log scale)")
    ax.set_title("Sequential Anthropic pass-through latency, one connection")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def write(results: Results) -> None:
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    summary = table(results)
    (ROOT / "bench" / "RESULTS.md").write_text(
        f"# Benchmark results\n\nOne run of `make bench` on {when}: {machine()}.\n\n"
        "Every target talks to the same fake Anthropic upstream (bench/upstream.py) on "
        "loopback; wrk and the upstream share the machine with the target. Added latency is the "
        "target's median (of five round medians, 200 sequential requests each) minus the direct "
        "call's. Streams are 50 text events 5 ms apart; each event carries its upstream write "
        "time, so its delay to the client is measured per event. Peers run with their default "
        "settings (and their default logging).\n\n"
        f"{summary}\n\n## The bar (issue 4), for ccproxy\n\n{bars(results)}\n\n"
        "![latency percentiles](latency.png)\n"
    )
    plot(results, ROOT / "bench" / "latency.png")
    readme = ROOT / "README.md"
    text = readme.read_text()
    if README_START in text:
        head, rest = text.split(README_START, 1)
        _, tail = rest.split(README_END, 1)
        readme.write_text(
            f"{head}{README_START}\n_{when}, {machine()}_\n\n{summary}\n{README_END}{tail}"
        )
