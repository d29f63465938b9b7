# The relay with the built client, for production. The runner is a separate
# process (it needs a Docker engine): run `node dist/server/runner.mjs` (after
# `npm run build`) on a host with Docker, pointing TANDEM_RELAY_URL at this relay.
#
#   docker build -t tandem .
#   docker run -p 8080:8080 -v tandem-data:/data tandem
FROM node:20-bookworm-slim AS build
# better-sqlite3 compiles from source.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/server ./dist/server
COPY --from=build /app/client/dist ./client/dist
ENV HOST=0.0.0.0 PORT=8080 TANDEM_DATA_DIR=/data TANDEM_CLIENT_DIR=/app/client/dist
RUN mkdir -p /data && chown node:node /data
VOLUME /data
USER node
EXPOSE 8080
HEALTHCHECK CMD node -e "fetch('http://127.0.0.1:8080/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/server/relay.mjs"]
