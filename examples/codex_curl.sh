#!/usr/bin/env bash
# Your ChatGPT subscription with plain curl: a streamed Responses request on /codex (event: and
# data: lines, ending with response.completed). A chat-style "messages" array works in place of
# "input".
set -euo pipefail
url="${CCPROXY_URL:-http://127.0.0.1:8000}"
key="${CCPROXY_TOKEN:-dummy}"

curl -sSN "$url/codex/v1/responses" \
  -H "Authorization: Bearer $key" -H "content-type: application/json" \
  -d '{"model": "gpt-5.4", "stream": true, "instructions": "Answer briefly.",
       "input": [{"role": "user", "content": "Say hello."}]}'
