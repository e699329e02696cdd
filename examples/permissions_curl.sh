#!/usr/bin/env bash
# Answer SDK-mode permission requests with plain curl (`ccproxy permission-handler` does the
# same interactively):
#   permissions_curl.sh                    list the requests waiting for a decision
#   permissions_curl.sh allow ID           let Claude Code use the tool
#   permissions_curl.sh deny ID [REASON]   refuse; REASON is shown to Claude
#   permissions_curl.sh history            the latest decisions: who or which rule, and when
set -euo pipefail
url="${CCPROXY_URL:-http://127.0.0.1:8000}"
key="${CCPROXY_TOKEN:-dummy}"

respond() {
  curl -sS "$url/permissions/$1/respond" -H "x-api-key: $key" \
    -H "content-type: application/json" -d "$2"
  echo
}

case "${1:-pending}" in
  pending) curl -sS "$url/permissions" -H "x-api-key: $key"; echo ;;
  history) curl -sS "$url/permissions/history?limit=${2:-20}" -H "x-api-key: $key"; echo ;;
  allow) respond "$2" '{"allowed": true, "by": "permissions_curl.sh"}' ;;
  deny)
    reason="${3:-Denied from the command line.}"
    body=$(python3 -c 'import json, sys; print(json.dumps({"allowed": False,
      "message": sys.argv[1], "by": "permissions_curl.sh"}))' "$reason")
    respond "$2" "$body" ;;
  *) echo "usage: $0 [pending | allow ID | deny ID [REASON] | history [N]]" >&2; exit 2 ;;
esac
