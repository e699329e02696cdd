#!/usr/bin/env bash
# What metrics and the access log cost per request: alternates plain ccproxy and ccproxy with
# OBSERVABILITY__METRICS_ENABLED/LOGS_ENABLED against the bench upstream, 8 s of wrk each,
# and prints requests/s and the proxy's CPU ms per request.
#   bash bench/observability_overhead.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
scratch=$(mktemp -d)
build/bench/runner/bin/python bench/upstream.py 18990 > "$scratch/upstream.log" 2>&1 &
upstream=$!
trap 'kill $upstream 2>/dev/null' EXIT
sleep 1
mkdir -p "$scratch/home/.claude"
python3 - "$scratch/home" <<'PY'
import json, sys, time
json.dump({"claudeAiOauth": {"accessToken": "sk-ant-oat01-bench", "refreshToken": "r",
           "expiresAt": int(time.time() * 1000) + 86_400_000, "scopes": ["user:inference"],
           "subscriptionType": "max"}}, open(f"{sys.argv[1]}/.claude/.credentials.json", "w"))
PY
body=$(.venv/bin/python -c 'import json; from bench.workloads import MESSAGE; print(json.dumps(json.dumps(MESSAGE)))')
printf 'wrk.method = "POST"\nwrk.body = %s\nwrk.headers["content-type"] = "application/json"\nwrk.headers["x-api-key"] = "dummy"\n' "$body" > "$scratch/wrk.lua"

measure() {  # NAME [ENV=VALUE ...]
    local name=$1; shift
    env HOME="$scratch/home" CLAUDE__API_BASE_URL=http://127.0.0.1:18990 SERVER__LOG_LEVEL=WARNING \
        "$@" .venv/bin/ccproxy --port 18991 > "$scratch/$name.log" 2>&1 &
    local pid=$!
    for _ in $(seq 100); do curl -s -o /dev/null http://127.0.0.1:18991/health && break; sleep 0.1; done
    wrk -t1 -c32 -d3s -s "$scratch/wrk.lua" http://127.0.0.1:18991/api/v1/messages > /dev/null
    local before after out
    before=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    out=$(wrk -t1 -c32 -d8s -s "$scratch/wrk.lua" http://127.0.0.1:18991/api/v1/messages)
    after=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    local rps requests
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    requests=$(echo "$out" | awk '/requests in/ {print $1}')
    echo "$name requests/s=$rps cpu_ms_per_request=$(python3 -c "print(round(($after - $before) * 10 / $requests, 3))")"
    kill "$pid"; wait "$pid" 2>/dev/null || true
}

for round in $(seq "$rounds"); do
    measure plain
    measure observed OBSERVABILITY__METRICS_ENABLED=true OBSERVABILITY__LOGS_ENABLED=true \
        OBSERVABILITY__DUCKDB_PATH="$scratch/log-$round.duckdb"
done
