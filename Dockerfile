# syntax=docker/dockerfile:1
# leakguard container image: one bundled ESM file on a distroless Node.js 24 base.
#   docker build -t ghcr.io/leakguard/leakguard:0.1.0 .
# The runtime stage holds nothing but the bundle (dist/) and its source maps; it runs as the distroless
# `nonroot` user (65532) and writes nowhere but /tmp, so a read-only root filesystem works.
# test/packaging/image.test.ts reproduces the runtime stage from the COPY lines below.
# The base images are build arguments so the e2e harness can build this file against local stand-ins
# (test/e2e/provision/build-images.sh); the defaults are the upstream images every release uses.
ARG BUILD_BASE=node:24-bookworm-slim
ARG RUNTIME_BASE=gcr.io/distroless/nodejs24-debian12:nonroot

# The bundle is plain JavaScript: a multi-arch build runs this stage once, on the builder's platform.
FROM --platform=$BUILDPLATFORM ${BUILD_BASE} AS build
WORKDIR /src
ENV CI=true npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build before the sources are copied.
RUN npm ci --ignore-scripts
COPY tsconfig.json ./
COPY scripts/ scripts/
COPY src/ src/
RUN node scripts/build.mjs

FROM ${RUNTIME_BASE} AS runtime
WORKDIR /app
# dist/ is the whole program: the entry (leakguard.mjs), its lazily loaded chunks and source maps.
COPY --from=build /src/dist/ /app/
USER 65532:65532
# Peak RSS of a run over 1,000 pods (npm run bench runs the bundle with these flags and this
# environment, against the in-memory cluster and against 1,000 kwok pods): ~160 and ~230 MB with
# V8's and glibc's defaults, 106 and 116 MB with them.
#  - --max-semi-space-size=1: a small young generation keeps the heap near its live data;
#  - --no-opt: no TurboFan, whose compile jobs allocate on background threads (a run is mostly I/O
#    and one-pass parsing);
#  - --expose-gc: the run collects garbage between pages of pods and before the memory history
#    arrives, so those peaks do not stack (src/cli/wiring.ts, exposedGc);
#  - MALLOC_ARENA_MAX=1: one malloc arena, not one per thread that ever allocated (~10 MB).
# Source maps stay in the image but are only loaded when asked for (NODE_OPTIONS=--enable-source-maps),
# since parsing them costs ~50 MB at start.
ENV NODE_ENV=production MALLOC_ARENA_MAX=1 TMPDIR=/tmp
LABEL org.opencontainers.image.title="leakguard" \
      org.opencontainers.image.description="Detects memory leaks in Kubernetes operators and remediates them safely" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="https://github.com/leakguard/leakguard"
ENTRYPOINT ["/nodejs/bin/node", "--max-semi-space-size=1", "--no-opt", "--expose-gc", "/app/leakguard.mjs"]
CMD ["run", "--config", "/etc/leakguard/config.yaml"]
