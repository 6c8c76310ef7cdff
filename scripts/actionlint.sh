#!/usr/bin/env bash
# Lints .github/workflows with actionlint, built once from the Go module proxy into a cache outside
# the repository (keyed by version; override the cache with LEAKGUARD_TOOLS_CACHE).
set -euo pipefail
version="v1.7.12"
cache="${LEAKGUARD_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/leakguard-tools}/actionlint-$version"
if [ ! -x "$cache/actionlint" ]; then
  command -v go >/dev/null || { echo "actionlint: Go is needed to build actionlint $version (go install)" >&2; exit 1; }
  echo "actionlint: building $version into $cache (go install, once)" >&2
  mkdir -p "$cache"
  GOBIN="$cache" CGO_ENABLED=0 GOFLAGS=-buildvcs=false go install -trimpath -ldflags "-s -w" "github.com/rhysd/actionlint/cmd/actionlint@$version"
fi
cd "$(dirname "$0")/.."
exec "$cache/actionlint" "$@"
