#!/usr/bin/env bash
# What metrics and the access log cost per request. Plain ccproxy and ccproxy with
# OBSERVABILITY__METRICS_ENABLED/LOGS_ENABLED run side by side against the bench upstream and
# are loaded at the same time (wrk, 10 s, 16 connections each). Both proxies share CPU 0 and
# the upstream and wrk have CPU 1, so the proxies compete for one core on equal terms and the
# VM's noise hits both alike. Printed per round: each one's requests/s and CPU ms per request,
# and their ratio.
#   bash bench/observability_overhead.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
scratch=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null' EXIT
taskset -c 1 build/bench/runner/bin/python bench/upstream.py 18990 > "$scratch/upstream.log" 2>&1 &
pids+=($!)
mkdir -p "$scratch/home/.claude"
python3 - "$scratch/home" <<'PY'
import json, sys, time
json.dump({"claudeAiOauth": {"accessToken": "sk-ant-oat01-bench", "refreshToken": "r",
           "expiresAt": int(time.time() * 1000) + 86_400_000, "scopes": ["user:inference"],
           "subscriptionType": "max"}}, open(f"{sys.argv[1]}/.claude/.credentials.json", "w"))
PY
body=$(.venv/bin/python -c 'import json; from bench.workloads import MESSAGE; print(json.dumps(json.dumps(MESSAGE)))')
printf 'wrk.method = "POST"\nwrk.body = %s\nwrk.headers["content-type"] = "application/json"\nwrk.headers["x-api-key"] = "dummy"\n' "$body" > "$scratch/wrk.lua"

serve() {  # PORT [ENV=VALUE ...]; prints the pid
    local port=$1; shift
    env HOME="$scratch/home" CLAUDE__API_BASE_URL=http://127.0.0.1:18990 SERVER__LOG_LEVEL=WARNING \
        "$@" taskset -c 0 .venv/bin/ccproxy --port "$port" > "$scratch/$port.log" 2>&1 &
    echo $!
}
ready() { for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$1/health" && return; sleep 0.1; done; }
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
load() { taskset -c 1 wrk -t1 -c16 -d"$2" -s "$scratch/wrk.lua" "http://127.0.0.1:$1/api/v1/messages"; }

plain=$(serve 18991); pids+=("$plain")
observed=$(serve 18992 OBSERVABILITY__METRICS_ENABLED=true OBSERVABILITY__LOGS_ENABLED=true \
    OBSERVABILITY__DUCKDB_PATH="$scratch/access_log.duckdb"); pids+=("$observed")
ready 18991; ready 18992
load 18991 3s > /dev/null & load 18992 3s > /dev/null; wait %%  # warm both up

for round in $(seq "$rounds"); do
    p0=$(cpu "$plain"); o0=$(cpu "$observed")
    load 18991 10s > "$scratch/plain.txt" & load 18992 10s > "$scratch/observed.txt"; wait %%
    p1=$(cpu "$plain"); o1=$(cpu "$observed")
    python3 - "$scratch" "$p0" "$p1" "$o0" "$o1" <<'PY'
import re, sys
scratch, p0, p1, o0, o1 = sys.argv[1], *map(int, sys.argv[2:])
def run(name, ticks):
    out = open(f"{scratch}/{name}.txt").read()
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return rate, ticks * 10 / requests  # clock ticks are 10 ms
(pr, pc), (orate, oc) = run("plain", p1 - p0), run("observed", o1 - o0)
print(f"plain {pr:.0f} req/s {pc:.3f} cpu ms/req | observed {orate:.0f} req/s {oc:.3f} cpu ms/req"
      f" | throughput {orate / pr - 1:+.1%}, cpu per request {oc / pc - 1:+.1%}")
PY
done
