# Sourced by the e2e provisioning and cluster scripts: pinned versions and the binary cache.
# Binaries are built once from source through the Go module proxy into a cache outside the repo.
LEAKGUARD_E2E_K8S_VERSION="${LEAKGUARD_E2E_K8S_VERSION:-v1.34.4}"
LEAKGUARD_E2E_ETCD_VERSION="${LEAKGUARD_E2E_ETCD_VERSION:-v3.6.16}"
LEAKGUARD_E2E_KWOK_VERSION="${LEAKGUARD_E2E_KWOK_VERSION:-v0.8.0}"
LEAKGUARD_E2E_HELM_VERSION="${LEAKGUARD_E2E_HELM_VERSION:-v3.19.5}"
LEAKGUARD_E2E_CACHE="${LEAKGUARD_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/leakguard-e2e}"
LEAKGUARD_E2E_VERSIONS="k8s-${LEAKGUARD_E2E_K8S_VERSION}_etcd-${LEAKGUARD_E2E_ETCD_VERSION}_kwok-${LEAKGUARD_E2E_KWOK_VERSION}_helm-${LEAKGUARD_E2E_HELM_VERSION}"
LEAKGUARD_E2E_BIN="${LEAKGUARD_E2E_BIN:-$LEAKGUARD_E2E_CACHE/$LEAKGUARD_E2E_VERSIONS/bin}"
# The real node's local stand-ins for the Dockerfile's base images (test/e2e/provision/build-images.sh):
# a Debian rootfs (mmdebstrap) with Node.js and npm from the npm registry.
LEAKGUARD_E2E_DEBIAN_SUITE="${LEAKGUARD_E2E_DEBIAN_SUITE:-bookworm}"
LEAKGUARD_E2E_IMAGE_NODE_VERSION="${LEAKGUARD_E2E_IMAGE_NODE_VERSION:-24.21.0}"
LEAKGUARD_E2E_IMAGE_NPM_VERSION="${LEAKGUARD_E2E_IMAGE_NPM_VERSION:-11.19.1}"
