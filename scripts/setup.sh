#!/usr/bin/env bash
# npm run setup — the real servers the tests talk to, installed once per machine (.ci/run runs it):
#   prometheus, promtool   Debian package `prometheus` (its packaged service is not started)
#   victoria-metrics       Debian package `victoria-metrics`
#   docker-registry        Debian package `docker-registry` (the CNCF distribution registry, for chart lookups)
#   thanos                 built from the Go module proxy into ~/.cache (test/support/build-thanos.sh)
# `npm test` itself installs nothing: without these, the tests that need them are skipped, and say so.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
command -v prometheus >/dev/null && command -v promtool >/dev/null || missing+=(prometheus)
command -v victoria-metrics >/dev/null || missing+=(victoria-metrics)
command -v docker-registry >/dev/null || missing+=(docker-registry)
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  # One apt at a time, also with another checkout's setup (the lock file is shared).
  flock /tmp/leakguard-apt.lock sh -ec "
    $sudo apt-get update -q -o DPkg::Lock::Timeout=300
    $sudo env RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=300 --no-install-recommends ${missing[*]}
  "
fi
bash test/support/build-thanos.sh >/dev/null
echo "setup: prometheus, promtool, victoria-metrics, docker-registry and thanos are ready" >&2
