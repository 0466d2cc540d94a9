# syntax=docker/dockerfile:1
# Roost API image: compiled JavaScript on Node, production dependencies only, run as `node`.
# scripts/check-build.sh repeats these steps without Docker; change both together.

# Node 24 LTS: security support runs to April 2028 (22's ends April 2027), and dependencies
# such as @whatwg-node already declare Node >= 22.15. bookworm-slim: Debian 12 with glibc, as on
# the development machines (prebuilt @node-rs/argon2), without compilers or curl.
# Pin a digest (node:24-bookworm-slim@sha256:...) where builds must be reproducible.
ARG NODE_IMAGE=node:24-bookworm-slim

# ── deps: every dependency, as `npm ci` installs them for development ──────────────────
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
# The root postinstall (scripts/prisma-generate.mjs) generates the Prisma client into
# src/generated, so the schema and Prisma's config must be here before `npm ci`.
# Dependencies' install scripts run as package.json "allowScripts" approves.
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma/schema.prisma ./prisma/
COPY scripts/prisma-generate.mjs ./scripts/
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund

# ── build: tsc → dist/ (src/, the generated client, prisma/seed.ts) ────────────────────
FROM deps AS build
COPY . .
RUN npm run build

# ── prod-deps: the same tree without dev dependencies ───────────────────────────────────
FROM deps AS prod-deps
# --legacy-peer-deps: @prisma/client's optional peers (the prisma CLI, typescript) would
# otherwise stay as "devOptional", about 250 MB the running app never loads.
RUN npm prune --omit=dev --legacy-peer-deps --ignore-scripts --no-audit --no-fund

# ── runtime ─────────────────────────────────────────────────────────────────────────────
FROM ${NODE_IMAGE} AS runtime
# Set here only: in the stages above it would make npm skip the dev dependencies the build needs.
ENV NODE_ENV=production
WORKDIR /app
# package.json carries "type": "module", which makes Node load dist/**/*.js as ESM.
COPY package.json ./
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The app applies migrations at start from ../../prisma/migrations relative to
# dist/src/infra/migrations.js, that is dist/prisma/migrations.
COPY prisma/migrations ./dist/prisma/migrations
# Files stay owned by root: the app reads them and writes nothing here (without SMTP_URL, e-mail
# goes to files in the temporary folder).
USER node
EXPOSE 4000
# Liveness only (/readyz also checks PostgreSQL and Redis); slim images have no curl.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT || 4000}/healthz`, { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exec form: SIGTERM reaches node itself (main.ts drains, then exits 0).
CMD ["node", "dist/src/main.js"]
