# syntax=docker/dockerfile:1
# lakegres: PostgreSQL wire protocol on 5332 over a DuckLake lakehouse.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
COPY src ./src
# npm ci runs the "prepare" script, which compiles TypeScript into dist/.
RUN npm ci --no-audit --no-fund \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    LAKEGRES_HOST=0.0.0.0 \
    LAKEGRES_PORT=5332 \
    LAKEGRES_DATA_DIR=/var/lib/lakegres \
    LAKEGRES_HTTP_PORT=8080
RUN groupadd --system --gid 5332 lakegres \
 && useradd --system --uid 5332 --gid lakegres --home-dir /var/lib/lakegres --shell /usr/sbin/nologin lakegres \
 && mkdir -p /var/lib/lakegres && chown lakegres:lakegres /var/lib/lakegres
WORKDIR /app
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --from=build --chown=root:root /app/package.json ./package.json
USER lakegres
VOLUME ["/var/lib/lakegres"]
EXPOSE 5332 8080
# /ready answers 200 once the server accepts connections (see docs/CONFIGURATION.md, --http-port).
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.LAKEGRES_HTTP_PORT||8080)+'/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Listening on 0.0.0.0 requires passwords: set LAKEGRES_PASSWORD (or mount a users file and set LAKEGRES_USERS_FILE).
ENTRYPOINT ["node", "dist/cli.js"]
