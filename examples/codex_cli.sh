#!/usr/bin/env bash
# The Codex CLI through ccproxy, without touching ~/.codex/config.toml: a custom provider whose
# base_url is ccproxy's /codex, given on the command line. The CLI then needs no login of its own,
# only a key for the provider (any value, or the ccproxy client token when one is set).
set -euo pipefail
url="${CCPROXY_URL:-http://127.0.0.1:8000}"
export CCPROXY_TOKEN="${CCPROXY_TOKEN:-dummy}"
exec codex exec --skip-git-repo-check \
  -c model_provider=ccproxy \
  -c "model_providers.ccproxy={name=\"ccproxy\", base_url=\"$url/codex\", wire_api=\"responses\", env_key=\"CCPROXY_TOKEN\"}" \
  -c "model=\"${CCPROXY_MODEL:-gpt-5.4}\"" \
  "${1:-Say hello in five words.}"
