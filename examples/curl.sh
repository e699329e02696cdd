#!/usr/bin/env bash
# Plain HTTP: any Anthropic Messages request works, streamed or not.
set -euo pipefail
url="${CCPROXY_URL:-http://127.0.0.1:8000}"
key="${CCPROXY_TOKEN:-dummy}"
model="${CCPROXY_MODEL:-claude-sonnet-5-5}"

curl -sS "$url/api/v1/messages" \
  -H "x-api-key: $key" -H "content-type: application/json" \
  -d "{\"model\": \"$model\", \"max_tokens\": 100,
       \"messages\": [{\"role\": \"user\", \"content\": \"Say hello.\"}]}"
echo

curl -sSN "$url/api/v1/messages" \
  -H "x-api-key: $key" -H "content-type: application/json" \
  -d "{\"model\": \"$model\", \"max_tokens\": 100, \"stream\": true,
       \"messages\": [{\"role\": \"user\", \"content\": \"Say hello.\"}]}"
