# syntax=docker/dockerfile:1
# Fixbid API image: `docker compose up` (see docker-compose.yml) or
#   docker build -t fixbid . && docker run -e DATABASE_URL=... -e JWT_SECRET=... -e STRIPE_SECRET_KEY=... -e STRIPE_WEBHOOK_SECRET=... -p 3000:3000 fixbid
# Node 20 (>= 20.19), the version the tests run on: the CommonJS build require()s ESM-only packages (NestJS 12).
ARG NODE_VERSION=20

# ---- build: all dependencies, TypeScript compiled to dist/ --------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No install script is needed to compile (package.json's allowScripts only admits argon2 and
# the embedded PostgreSQL binaries, neither used by tsc).
RUN npm ci --ignore-scripts
COPY . .
RUN npm run build

# ---- prod-deps: production dependencies only, argon2's native addon made for this platform --
# The full image has python3/make/g++: argon2's install script tries its prebuilt binary and
# compiles from source when that does not load (it segfaults on some hosts).
FROM node:${NODE_VERSION}-bookworm AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts \
 && npm rebuild argon2 \
 && node -e "require('argon2').hash('probe').then(() => process.exit(0), () => process.exit(1))"

# ---- runtime: slim image, node_modules + dist/ only, non-root -----------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
COPY package.json ./
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Fail the build here, not at the first login, if the addon does not load on the slim image.
RUN node -e "require('argon2')"
# Files stay root-owned, read-only to the server; the image's `node` user (uid 1000) runs it.
USER node
EXPOSE 3000
# Ready = database reachable and migrations applied (the server applies them when it starts).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node itself (not `npm start`, whose prestart would compile): SIGTERM reaches the server's handler.
CMD ["node", "--max-old-space-size=192", "dist/src/main.js"]
