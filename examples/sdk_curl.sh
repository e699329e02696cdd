#!/usr/bin/env bash
# SDK mode with plain curl: Claude Code answers on your subscription, in ccproxy's working
# directory, with its own tools. The second request continues the first one's session.
set -euo pipefail
url="${CCPROXY_URL:-http://127.0.0.1:8000}"
key="${CCPROXY_TOKEN:-dummy}"
session="example-$$"

for question in "${1:-Remember the number 7.}" "${2:-Which number did I ask you to remember?}"; do
  curl -sS "$url/sdk/$session/v1/messages" \
    -H "x-api-key: $key" -H "content-type: application/json" \
    -d "{\"model\": \"claude-sonnet-5-5\", \"max_tokens\": 1000,
         \"messages\": [{\"role\": \"user\", \"content\": \"$question\"}]}"
  echo
done
