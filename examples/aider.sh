#!/usr/bin/env bash
# aider (an OpenAI-only tool) on your Claude subscription: point its OpenAI base URL at ccproxy.
# Any prompt works; the model name may be an OpenAI one (mapped) or a Claude one.
set -euo pipefail
url="${CCPROXY_URL:-http://127.0.0.1:8000}"
export OPENAI_API_BASE="$url/api/v1"
export OPENAI_API_KEY="${CCPROXY_TOKEN:-dummy}"
exec aider --model "openai/${CCPROXY_MODEL:-claude-sonnet-5-5}" "$@"
