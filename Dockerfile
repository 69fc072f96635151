# The backend as a container image: Next's standalone output (server.js and only the files it
# traces from node_modules), run by an unprivileged user. See "Deploy with Docker" in the README
# and docs/decisions/021-containers-and-vercel-traces.md.
#   docker build -t wix-app-backend .
#   docker run -p 3000:3000 -e WIX_APP_ID=… -e WIX_APP_SECRET=… -e DATABASE_URL=… wix-app-backend
# The Node.js major must be one package.json's engines and CI's matrix name.
ARG NODE_VERSION=24

FROM node:${NODE_VERSION}-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# The workspace's package manifests, so npm ci links them (their source comes with COPY . . below).
COPY packages/wix-app-backend/package.json ./packages/wix-app-backend/
RUN npm ci --no-audit --no-fund

FROM node:${NODE_VERSION}-slim AS build
WORKDIR /app
# NEXT_OUTPUT=standalone is read by next.config.mjs: only this build emits .next/standalone.
ENV NEXT_TELEMETRY_DISABLED=1 NEXT_OUTPUT=standalone
COPY --from=deps /app/node_modules ./node_modules
COPY . .
RUN npx next build

FROM node:${NODE_VERSION}-slim AS runner
WORKDIR /app
# HOSTNAME: server.js listens on it; 0.0.0.0 makes the port reachable from outside the container.
# DATA_DIR: where embedded PGlite keeps its files when DATABASE_URL is unset: one container
# only, and mount a volume there (-v wix-data:/data) or the data goes with the container.
ENV NODE_ENV=production \
    HOSTNAME=0.0.0.0 \
    PORT=3000 \
    NEXT_TELEMETRY_DISABLED=1 \
    DATA_DIR=/data
# The code stays owned by root (the server cannot rewrite it); only /data is writable.
RUN mkdir /data && chown node:node /data
# server.js with its traced node_modules and both migrations folders (next.config.mjs includes them);
# Next leaves the browser assets out of the standalone folder: copy them next to it.
COPY --from=build /app/.next/standalone ./
COPY --from=build /app/.next/static ./.next/static
USER node
EXPOSE 3000
# /api/health answers 200 once the database answers (503 otherwise); no curl in a slim image.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/api/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "server.js"]
