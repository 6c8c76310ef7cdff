#!/usr/bin/env bash
# npm run setup — the real servers the tests talk to, installed once per machine (.ci/run runs it):
#   prometheus, promtool   Debian package `prometheus` (its packaged service is not started)
#   victoria-metrics       Debian package `victoria-metrics`
#   docker-registry        Debian package `docker-registry` (the CNCF distribution registry, for chart lookups)
#   htpasswd               Debian package `apache2-utils` (bcrypt users for the registry's htpasswd auth)
#   thanos                 built from the Go module proxy into ~/.cache (test/support/build-thanos.sh)
# `npm test` itself installs nothing: without these, the tests that need them are skipped, and say so.
# Usage: setup.sh [packages|thanos ...]   (default: both; .ci/run builds thanos in the background)
set -euo pipefail
cd "$(dirname "$0")/.."
parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(packages thanos)
for part in "${parts[@]}"; do
  case "$part" in
    packages) bash scripts/apt-install.sh prometheus victoria-metrics docker-registry apache2-utils ;;
    thanos) bash test/support/build-thanos.sh >/dev/null ;;
    *) echo "setup: unknown part '$part' (packages, thanos)" >&2; exit 2 ;;
  esac
done
echo "setup: ${parts[*]} ready" >&2
