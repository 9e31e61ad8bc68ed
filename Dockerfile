# syntax=docker/dockerfile:1
# One image for every Tessera process: `server` (HTTP, the default command), `worker` (Temporal
# worker) and the admin CLI (`docker compose run --rm tessera-server tenants list`). Production
# runs them against a real Temporal cluster and PostgreSQL (see docker-compose.yml); the embedded
# `start` needs the Temporal CLI, which this image does not ship.

FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Runtime dependencies only (typescript, vitest and playwright-core are dev-only and never
# imported by runtime code). --ignore-scripts: every native dependency (argon2, swc, the Temporal
# core bridge) ships prebuilt binaries, and the only other install script belongs to the npm
# package `node`, which would download a second Node that this image does not need.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM node:24-slim
ENV NODE_ENV=production \
    PORT=3000 \
    DATA_DIR=/var/lib/tessera
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY core ./core
COPY activities ./activities
COPY workflows ./workflows
COPY server ./server
COPY ui ./ui
COPY guard ./guard
# The code caches (bin/runtime/code-cache.js), filled while building: every module compiled once by
# loading the CLI, and the workflow bundle built once, so that a container starts without
# stripping types or running webpack. The runtime user owns them to add what the build did not load.
RUN node bin/tessera.js --help >/dev/null \
 && node --input-type=module -e "await (await import('./bin/runtime/worker.ts')).workflowBundle()" \
 && chown -R node:node node_modules/.cache/tessera
# DATA_DIR holds nothing a server or worker needs when DATABASE_URL, TEMPORAL_ADDRESS and
# TESSERA_CODEC_KEYS are set; it exists, owned by the runtime user, for the CLI and `start`.
RUN mkdir -p /var/lib/tessera && chown node:node /var/lib/tessera
USER node
EXPOSE 3000
# Meaningful for `server` only; docker-compose.yml disables it for workers.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/tessera.js"]
CMD ["server"]
