#!/usr/bin/env bash
# Installs Debian packages the tests need, unless already installed: one apt at a time on the machine
# (also across checkouts: the lock file is shared), RUNLEVEL=1 so invoke-rc.d starts no packaged
# service (the tests run their own), no recommends.  Usage: apt-install.sh PACKAGE...
set -euo pipefail
missing=()
for p in "$@"; do
  dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
[ ${#missing[@]} -gt 0 ] || exit 0
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "apt-install: ${missing[*]}" >&2
flock /tmp/leakguard-apt.lock sh -ec "
  $sudo apt-get update -q -o DPkg::Lock::Timeout=300
  $sudo env RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q -o DPkg::Lock::Timeout=300 --no-install-recommends ${missing[*]}
"
