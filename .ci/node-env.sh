# Sourced by .ci/run and dev scripts: puts Node.js 24 first on PATH.
# The machine's Node may be older; Node 24 comes from the npm registry package `node@24`,
# installed once into a cache directory outside the repo.
leakguard_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(leakguard_node_major)" -lt 24 ]; then
  LEAKGUARD_NODE_DIR="${LEAKGUARD_CACHE:-$HOME/.cache}/leakguard-node/24"
  if [ ! -x "$LEAKGUARD_NODE_DIR/node_modules/.bin/node" ]; then
    echo "installing Node.js 24 from the npm registry into $LEAKGUARD_NODE_DIR" >&2
    mkdir -p "$LEAKGUARD_NODE_DIR"
    npm install --no-save --no-audit --no-fund --prefix "$LEAKGUARD_NODE_DIR" node@24 >&2
  fi
  # The `node` package's bin is a shim; put the real binary's directory first.
  LEAKGUARD_NODE_BIN="$(dirname "$(readlink -f "$LEAKGUARD_NODE_DIR/node_modules/.bin/node")")"
  export PATH="$LEAKGUARD_NODE_BIN:$PATH"
fi
