# Tandem for production: the relay (with the built client) and, as a second
# target, the runner (it drives the host's Docker engine through its socket).
#
#   scripts/build-base-images                     # the two bases below, offline
#   docker build --network host --target relay  -t tandem .
#   docker build --network host --target runner -t tandem-runner .
#   docker run -d --network host -e HOST=127.0.0.1 -v tandem-data:/data tandem
#
# The bases are built locally (debootstrap + this machine's Node), because no
# image can be pulled here; any Debian bookworm with Node 20 under the same
# names does as well. `--network host` lets `npm ci` reach the registry.
# Production dependencies only in the final images; both run as `node`
# (uid 1000), and the relay keeps its data on the /data volume.
ARG BASE_BUILD=tandem-base:build
ARG BASE_RUN=tandem-base:run

FROM ${BASE_BUILD} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# better-sqlite3 compiles from source against the Node headers in the base
# (its npmrc names them and the CA bundle).
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# What both targets run: the server bundles and their production dependencies.
FROM ${BASE_RUN} AS app
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/server ./dist/server

FROM app AS relay
COPY --from=build /app/client/dist ./client/dist
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 TANDEM_PREVIEW_PORT=8081 \
    TANDEM_DATA_DIR=/data TANDEM_CLIENT_DIR=/app/client/dist
RUN mkdir -p /data && chown node:node /data
VOLUME /data
USER node
EXPOSE 8080 8081
HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/server/relay.mjs"]

# Needs TANDEM_RELAY_URL and TANDEM_RUNNER_TOKEN (the relay's data/runner-token),
# the Docker socket (-v /var/run/docker.sock:/var/run/docker.sock --group-add
# <the socket's gid>), and the sandbox images built on the host
# (scripts/build-images): a runner in a container does not build them.
FROM app AS runner
COPY --from=build /app/runner/images ./runner/images
COPY --from=build /app/runner/workspace/agent.py ./runner/workspace/agent.py
ENV NODE_ENV=production TANDEM_BUILD_IMAGES=0
USER node
CMD ["node", "dist/server/runner.mjs"]
