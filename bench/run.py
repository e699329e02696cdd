"""The benchmark: every target side by side, in one run, against one fast fake upstream.

    make bench            (installs the peers, then runs this)
    python -m bench.run   (when everything is installed)

Writes bench/RESULTS.md, bench/latency.png, and the summary table in README.md.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench import report, workloads
from bench import targets as targets_module
from bench.targets import CHAT, MESSAGE, ROOT, Target, credentials_home, targets

UPSTREAM_PORT = 18700
LEAK_TARGETS = ("ccproxy",)


def measure(target: Target, scratch: Path) -> dict[str, Any]:
    print(f"== {target.name}", flush=True)
    starts = []
    for attempt in range(3):  # a cold start is one sample; take the median of three
        if attempt:
            target.stop()
            time.sleep(1)
        starts.append(target.start(scratch / f"{target.port}.log"))
    result: dict[str, Any] = {"cold_start_s": sorted(starts)[1]}
    time.sleep(2)
    result["idle_rss_mb"] = workloads.rss_mb(target.pids())
    result["sequential"] = asdict(workloads.sequential(target, target.messages_path, MESSAGE))
    if target.chat_path:
        result["sequential_chat"] = asdict(workloads.sequential(target, target.chat_path, CHAT))
    result["streaming"] = asdict(workloads.streaming(target, target.messages_path))
    result["throughput"] = {
        f"c{c}{'_slow' if slow else ''}": asdict(
            workloads.throughput(target, target.messages_path, c, slow, scratch)
        )
        for slow in (False, True)
        for c in (32, 128)
    }
    result["peak_rss_mb"] = workloads.rss_mb(target.pids(), "VmHWM")
    if target.name in LEAK_TARGETS:
        result["leak"] = leak(target)
    if target.help_command:
        result["help_s"] = workloads.help_seconds(target.help_command)
    target.stop()
    print(json.dumps(result), flush=True)
    return result


def leak(target: Target) -> dict[str, float]:
    """RSS after 5k and after 50k requests: growth beyond noise would be a leak."""
    failures = workloads.load(target, target.messages_path, 5_000)
    after_5k = workloads.rss_mb(target.pids())
    failures += workloads.load(target, target.messages_path, 45_000)
    return {
        "after_5k_mb": after_5k,
        "after_50k_mb": workloads.rss_mb(target.pids()),
        "failures": failures,
    }


def main() -> None:
    scratch = Path(tempfile.mkdtemp(prefix="ccproxy-bench-"))
    home = credentials_home(scratch / "home")
    if targets_module._listening(UPSTREAM_PORT):
        sys.exit(f"port {UPSTREAM_PORT} is taken; stop whatever listens there first")
    upstream = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("upstream.py")), str(UPSTREAM_PORT)]
    )
    try:
        time.sleep(1)
        results = {}
        only = set(sys.argv[1].split(",")) if len(sys.argv) > 1 else None
        for target in targets(UPSTREAM_PORT, home):
            if only and target.name not in only and target.name != "direct (upstream)":
                continue
            try:
                results[target.name] = measure(target, scratch)
            finally:
                target.stop()
    finally:
        upstream.terminate()
    (ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    report.write(results)


if __name__ == "__main__":
    main()
