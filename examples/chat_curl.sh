#!/usr/bin/env bash
# OpenAI Chat Completions on Claude with plain curl, streamed (data: lines, then data: [DONE]).
set -euo pipefail
url="${CCPROXY_URL:-http://127.0.0.1:8000}"
key="${CCPROXY_TOKEN:-dummy}"

curl -sSN "$url/api/v1/chat/completions" \
  -H "Authorization: Bearer $key" -H "content-type: application/json" \
  -d '{"model": "gpt-4o", "stream": true, "stream_options": {"include_usage": true},
       "messages": [{"role": "user", "content": "Say hello."}]}'
