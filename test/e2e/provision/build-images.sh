#!/usr/bin/env bash
# Builds the real node's images locally (nothing is pulled from a registry) into OCI archives in the
# cache, each keyed by the hash of what goes into it, and prints the archives' paths (one per line)
# for `ctr images import`:
#   pause   the pod sandbox image                                  test/e2e/images/pause (static Go)
#   leaker  a container that really leaks, as rook/ceph:v1.14.9    test/e2e/images/leaker (static Go)
#           and the same program as two v1.15.9 builds (LEAKER_MODE in the image): the fix,
#           docker.io/rook/ceph:v1.15.9 (never leaks), and one whose leak the known issue does not
#           explain, ghcr.io/rook/ceph:v1.15.9 (another registry, so the tags do not clash on the node)
#   leakguard  the project's own Dockerfile, built by `buildah bud` on local stand-ins for its bases:
#     - build:   a Debian minbase rootfs (mmdebstrap) + Node.js and npm from the npm registry, like
#                node:24-bookworm-slim (node and npm in /usr/local);
#     - runtime: distroless-like — glibc, libstdc++, CA certificates and tzdata from Debian packages
#                (extracted, no shell, no package manager), Node.js at /nodejs/bin/node, user
#                nonroot (65532), like gcr.io/distroless/nodejs24-debian12:nonroot.
#   The rootfs tarballs are cached by suite, package set, Node/npm versions and recipe; the stand-in
#   images live in buildah's storage, tagged with that key; `bud --layers` reuses the npm ci layer.
# Usage: build-images.sh [pause|leaker|leakguard ...]   (default: all)
set -euo pipefail
shopt -s inherit_errexit
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
# shellcheck source=versions.sh
source "$here/versions.sh"
images="$LEAKGUARD_E2E_CACHE/images"
mkdir -p "$images"

log() { printf '[e2e-images %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# The archive for image $1 with content key $2; older archives of the same image are removed.
archive_path() { echo "$images/$1-${2:0:16}.tar"; }
keep_only() { find "$images" -maxdepth 1 -regextype posix-extended -regex ".*/$1-[0-9a-f]{16}\.tar" ! -path "$2" -delete; }

# A one-layer image holding one static Go program from test/e2e/images/$1, named $2, kept in the
# archive $3-<key>.tar; further arguments go to `buildah config`.
static_go_image() {
  local name="$1" ref="$2" user="$3" archive_name="${4:-$1}"; shift 4 || shift $#
  local src="$repo/test/e2e/images/$name/main.go" key archive
  key="$( (cat "$src"; go version; echo "$ref $user $*") | sha256sum | cut -c1-64)"
  archive="$(archive_path "$archive_name" "$key")"
  if [ -f "$archive" ]; then log "$archive_name: cached"; echo "$archive"; return; fi
  local tmp; tmp="$(mktemp -d)"
  log "$archive_name: go build (static) and buildah commit as $ref"
  (cd "$tmp" && CGO_ENABLED=0 GOFLAGS=-buildvcs=false go build -trimpath -ldflags '-s -w' -o "$tmp/$name" "$src")
  local c; c="$(buildah from scratch)"
  buildah copy --quiet "$c" "$tmp/$name" "/$name" >/dev/null
  buildah config --entrypoint "[\"/$name\"]" --user "$user" "$@" "$c"
  buildah commit --quiet --rm "$c" "$ref" >/dev/null
  buildah push --quiet "$ref" "oci-archive:$archive.tmp:$ref"
  buildah rmi "$ref" >/dev/null
  mv -f "$archive.tmp" "$archive"
  rm -rf "$tmp"
  keep_only "$archive_name" "$archive"
  echo "$archive"
}

build_pause() { static_go_image pause leakguard.local/pause:e2e 65535:65535; }
# Rook's operator image name, so the catalogue's known issue for rook/ceph v1.14.9 matches it.
build_leaker() {
  static_go_image leaker docker.io/rook/ceph:v1.14.9 2016:2016
  static_go_image leaker docker.io/rook/ceph:v1.15.9 2016:2016 leaker-fixed --env LEAKER_MODE=fixed
  static_go_image leaker ghcr.io/rook/ceph:v1.15.9 2016:2016 leaker-unexplained --env LEAKER_MODE=unexplained
}

arch="$(dpkg --print-architecture)"                  # amd64, arm64
case "$arch" in amd64) node_arch=x64 ;; *) node_arch="$arch" ;; esac

# Node.js (bin/node) and npm as published on the npm registry, unpacked into $1.
fetch_node() {
  local dir="$1"
  mkdir -p "$dir/node" "$dir/npm"
  (cd "$dir" && npm pack --silent "node-linux-$node_arch@$LEAKGUARD_E2E_IMAGE_NODE_VERSION" "npm@$LEAKGUARD_E2E_IMAGE_NPM_VERSION" >/dev/null)
  tar -xzf "$dir/node-linux-$node_arch-$LEAKGUARD_E2E_IMAGE_NODE_VERSION.tgz" -C "$dir/node" --strip-components=1 package/bin/node package/LICENSE
  tar -xzf "$dir/npm-$LEAKGUARD_E2E_IMAGE_NPM_VERSION.tgz" -C "$dir/npm" --strip-components=1
}

# The build stage's rootfs: Debian minbase with Node.js and npm in /usr/local.
rootfs_build() {
  local out="$1" tmp="$2"
  mmdebstrap --quiet --format=tar --variant=minbase \
    --customize-hook="mkdir -p \"\$1/usr/local/bin\" \"\$1/usr/local/lib/node_modules\"" \
    --customize-hook="cp '$tmp/node/bin/node' \"\$1/usr/local/bin/node\"" \
    --customize-hook="cp -a '$tmp/npm' \"\$1/usr/local/lib/node_modules/npm\"" \
    --customize-hook="ln -s ../lib/node_modules/npm/bin/npm-cli.js \"\$1/usr/local/bin/npm\"" \
    --customize-hook="ln -s ../lib/node_modules/npm/bin/npx-cli.js \"\$1/usr/local/bin/npx\"" \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/* "$1"/usr/share/doc "$1"/usr/share/man "$1"/usr/share/locale' \
    "$LEAKGUARD_E2E_DEBIAN_SUITE" "$out"
}

# The runtime stage's rootfs: Debian's libraries extracted (no maintainer scripts run, so no shell
# is needed), the CA bundle assembled from the ca-certificates package, users as distroless has them.
rootfs_runtime() {
  local out="$1" tmp="$2"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$tmp/passwd"
  printf 'root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n' >"$tmp/group"
  mmdebstrap --quiet --format=tar --variant=extract --include=libc6,libgcc-s1,libstdc++6,ca-certificates,tzdata,netbase \
    --extract-hook="cp '$tmp/passwd' '$tmp/group' \"\$1/etc/\"" \
    --extract-hook='mkdir -p "$1/etc/ssl/certs" && cat "$1"/usr/share/ca-certificates/mozilla/*.crt >"$1/etc/ssl/certs/ca-certificates.crt"' \
    --extract-hook='mkdir -p "$1/tmp" "$1/home/nonroot" && chmod 1777 "$1/tmp" && chown 65532:65532 "$1/home/nonroot" && chmod 700 "$1/home/nonroot"' \
    --extract-hook="mkdir -p \"\$1/nodejs/bin\" && cp '$tmp/node/bin/node' \"\$1/nodejs/bin/node\" && cp '$tmp/node/LICENSE' \"\$1/nodejs/LICENSE\"" \
    --extract-hook='rm -rf "$1"/var/lib/apt "$1"/var/cache/apt "$1"/var/lib/dpkg "$1"/var/log/* "$1"/usr/share/doc "$1"/usr/share/man "$1"/usr/share/locale' \
    "$LEAKGUARD_E2E_DEBIAN_SUITE" "$out"
}

# A stand-in base image $1 (build|runtime) in buildah's storage; prints its reference.
base_image() {
  local kind="$1" key ref
  key="$( (declare -f fetch_node "rootfs_$kind"; echo "$arch $LEAKGUARD_E2E_DEBIAN_SUITE $LEAKGUARD_E2E_IMAGE_NODE_VERSION $LEAKGUARD_E2E_IMAGE_NPM_VERSION") | sha256sum | cut -c1-16)"
  ref="leakguard.local/base/$kind:$key"
  if buildah images --quiet "$ref" >/dev/null 2>&1; then log "base $kind: cached ($ref)"; echo "$ref"; return; fi
  local rootfs="$images/rootfs-$kind-$key.tar"
  if [ ! -f "$rootfs" ]; then
    local tmp; tmp="$(mktemp -d)"
    log "base $kind: Node.js $LEAKGUARD_E2E_IMAGE_NODE_VERSION and npm $LEAKGUARD_E2E_IMAGE_NPM_VERSION from the npm registry"
    fetch_node "$tmp"
    log "base $kind: mmdebstrap $LEAKGUARD_E2E_DEBIAN_SUITE rootfs"
    "rootfs_$kind" "$rootfs.tmp" "$tmp"
    mv -f "$rootfs.tmp" "$rootfs"
    rm -rf "$tmp"
    keep_only "rootfs-$kind" "$rootfs"
  fi
  log "base $kind: importing $rootfs into buildah as $ref"
  local c; c="$(buildah from scratch)"
  buildah add --quiet "$c" "$rootfs" / >/dev/null
  if [ "$kind" = build ]; then
    buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      --env NODE_VERSION="$LEAKGUARD_E2E_IMAGE_NODE_VERSION" --cmd '["node"]' "$c"
  else
    buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      --env SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt --user 65532 --workingdir /home/nonroot \
      --entrypoint '["/nodejs/bin/node"]' "$c"
  fi
  buildah commit --quiet --rm "$c" "$ref" >/dev/null
  echo "$ref"
}

# The project's image from its own Dockerfile on the stand-in bases, as leakguard.local/leakguard:e2e.
build_leakguard() {
  local build_ref runtime_ref key archive ref=leakguard.local/leakguard:e2e
  build_ref="$(base_image build)"
  runtime_ref="$(base_image runtime)"
  key="$( (echo "$build_ref $runtime_ref"; cd "$repo" && find Dockerfile .dockerignore package.json package-lock.json tsconfig.json scripts src -type f | sort | xargs sha256sum) | sha256sum | cut -c1-64)"
  archive="$(archive_path leakguard "$key")"
  if [ -f "$archive" ]; then log "leakguard: cached"; echo "$archive"; return; fi
  log "leakguard: buildah bud of the project's Dockerfile (BUILD_BASE=$build_ref RUNTIME_BASE=$runtime_ref)"
  # npm's cache is mounted for RUN so `npm ci` reads packages it already has instead of the registry.
  buildah bud --quiet --layers --pull=never --network=host \
    --volume "$(npm config get cache):/root/.npm" \
    --build-arg "BUILD_BASE=$build_ref" --build-arg "RUNTIME_BASE=$runtime_ref" \
    --tag "$ref" --file "$repo/Dockerfile" "$repo" >&2
  buildah push --quiet "$ref" "oci-archive:$archive.tmp:$ref"
  mv -f "$archive.tmp" "$archive"
  keep_only leakguard "$archive"
  echo "$archive"
}

command -v buildah >/dev/null && command -v mmdebstrap >/dev/null \
  || { log "buildah or mmdebstrap is missing: test/e2e/provision/build-binaries.sh runtime installs them"; exit 1; }
components=("$@")
[ ${#components[@]} -gt 0 ] || components=(pause leaker leakguard)
for c in "${components[@]}"; do "build_$c"; done
