#!/usr/bin/env bash
# Claude Code on your ChatGPT subscription: ccproxy translates its Anthropic requests for the
# ChatGPT backend (Codex routes on: `ccproxy config codex --enable`). Claude Code's own `claude-*`
# model names go to the default Codex model (CODEX__DEFAULT_MODEL); give `--model gpt-5.4` (or
# another Codex model) to choose. A dummy key will do, or the ccproxy client token when one is set.
set -euo pipefail
url="${CCPROXY_URL:-http://127.0.0.1:8000}"
export ANTHROPIC_BASE_URL="$url/codex"
export ANTHROPIC_API_KEY="${CCPROXY_TOKEN:-dummy}"
exec claude -p "${1:-Say hello in five words.}" --output-format text "${@:2}"
