#!/usr/bin/env bash
# Claude Code through ccproxy: the proxy adds your subscription's OAuth token, so Claude Code itself
# needs no login, only a dummy key (or the ccproxy client token when one is set).
set -euo pipefail
url="${CCPROXY_URL:-http://127.0.0.1:8000}"
export ANTHROPIC_BASE_URL="$url/api"
export ANTHROPIC_API_KEY="${CCPROXY_TOKEN:-dummy}"
exec claude -p "${1:-Say hello in five words.}" --output-format text
