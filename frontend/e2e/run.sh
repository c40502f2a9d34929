#!/usr/bin/env bash
# End-to-end suite: real backend(s) on a throwaway Postgres, Debian chromium driven by playwright-core,
# and nginx running frontend/nginx.conf in front of two backend replicas; then a quick Lighthouse pass
# (SEO and accessibility, e2e/lighthouse.mjs) on replica A.
#
#   frontend/e2e/run.sh
#
# Environment:
#   ECOMM_BIN               backend binary (default target/debug/ecomm, relative to the repo root)
#   ECOMM_E2E_DATABASE_URL  use this Postgres instead of starting one with scripts/pg-temp.sh
#   ECOMM_E2E_PRODUCTS      products to seed (default 200)
#   ECOMM_E2E_JOURNEYS      subset to run, e.g. "1,3" (default all)
#   ECOMM_E2E_KEEP=1        keep the temp dir (logs, database) after the run
#   ECOMM_E2E_SKIP_APT=1    never call apt-get (fail if chromium/nginx are missing)
#
# Writes screenshots, timings.json and server logs to frontend/e2e/artifacts/. Exits non-zero on any
# failure, including a browser console error.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
FRONT=$(dirname "$HERE")
ROOT=$(dirname "$FRONT")
ART="$HERE/artifacts"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ecomm-e2e.XXXXXX")
chmod 755 "$WORK"   # the postgres user (pg-temp.sh runs initdb as it) must reach $WORK/pg
PIDS=()
PG_DIR=""
log() { printf '[e2e] %s\n' "$*" >&2; }

# shellcheck disable=SC2329  # invoked by the EXIT trap
cleanup() {
  local rc=$?
  set +e
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null; done
  if [ -n "$PG_DIR" ]; then "$ROOT/scripts/pg-temp.sh" stop "$PG_DIR" >/dev/null 2>&1; fi
  mkdir -p "$ART/logs"
  cp "$WORK"/*.log "$ART/logs/" 2>/dev/null
  if [ "${ECOMM_E2E_KEEP:-0}" = 1 ]; then log "kept $WORK"; else rm -rf "$WORK"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

wait_http() { # URL, seconds
  local url=$1 deadline=$((SECONDS + ${2:-30}))
  until curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; do
    if [ $SECONDS -ge $deadline ]; then log "timed out waiting for $url"; return 1; fi
    sleep 0.3
  done
}

# ---- tools -------------------------------------------------------------------------------------
need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need_apt+=(nginx)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "${ECOMM_E2E_SKIP_APT:-0}" = 1 ] || [ "$(id -u)" != 0 ]; then
    log "missing ${need_apt[*]}: run 'apt-get install -y chromium nginx' as root"; exit 1
  fi
  log "apt-get install ${need_apt[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need_apt[@]}" >"$WORK/apt.log" 2>&1 || {
    DEBIAN_FRONTEND=noninteractive apt-get update -q >>"$WORK/apt.log" 2>&1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need_apt[@]}" >>"$WORK/apt.log" 2>&1
  }
fi
NGINX_BIN=$(command -v nginx || echo /usr/sbin/nginx)

cd "$FRONT"
# shellcheck source=scripts/ensure-deps.sh disable=SC1091
. scripts/ensure-deps.sh
if [ ! -f dist/index.html ] || [ -n "$(find src public index.html package.json package-lock.json vite.config.ts -newer dist/index.html -print -quit)" ]; then
  log "building the SPA"
  npm run build --silent >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log" >&2; exit 1; }
fi

BIN=${ECOMM_BIN:-target/debug/ecomm}
case "$BIN" in /*) ;; *) BIN="$ROOT/$BIN" ;; esac
[ -x "$BIN" ] || { log "backend binary $BIN not found (cargo build -p ecomm, or set ECOMM_BIN)"; exit 1; }

rm -rf "$ART"
mkdir -p "$ART"

# ---- database + data ---------------------------------------------------------------------------
T0=$SECONDS
if [ -n "${ECOMM_E2E_DATABASE_URL:-}" ]; then
  DB=$ECOMM_E2E_DATABASE_URL
else
  PG_DIR="$WORK/pg"
  DB=$("$ROOT/scripts/pg-temp.sh" start "$PG_DIR") || { log "pg-temp.sh failed"; cat "$PG_DIR"/*.log >&2 2>/dev/null; exit 1; }
fi
MEDIA="file://$WORK/media"
ADMIN_EMAIL=admin-e2e@example.com
ADMIN_PASSWORD=admin-e2e-password
export ECOMM_LOG_FORMAT=json
"$BIN" migrate --database-url "$DB" >"$WORK/migrate.log" 2>&1 || { cat "$WORK/migrate.log" >&2; exit 1; }
"$BIN" seed --products "${ECOMM_E2E_PRODUCTS:-200}" --database-url "$DB" --storage-url "$MEDIA" >"$WORK/seed.log" 2>&1 || { cat "$WORK/seed.log" >&2; exit 1; }
ECOMM_ADMIN_PASSWORD="$ADMIN_PASSWORD" "$BIN" admin create --email "$ADMIN_EMAIL" --database-url "$DB" >"$WORK/admin.log" 2>&1 || { cat "$WORK/admin.log" >&2; exit 1; }
log "database ready in $((SECONDS - T0))s"

# ---- two backend replicas (same database and media) -------------------------------------------
# The card goes from the browser to the payment stand-in, as to Stripe: one stand-in (replica A's)
# serves both replicas, so that a payment made through either is found by the other.
PA=$(free_port); PB=$(free_port)
ECOMM_STRIPE_SECRET_KEY="sk_test_standin_e2e$(python3 -c 'import secrets; print(secrets.token_hex(12))')"
export ECOMM_STRIPE_SECRET_KEY
"$BIN" serve --addr "127.0.0.1:$PA" --database-url "$DB" --storage-url "$MEDIA" --static-dir "$FRONT/dist" --payments test --test-gateway-ledger "$WORK/test-gateway.jsonl" >"$WORK/backend-a.log" 2>&1 &
PID_A=$!; PIDS+=("$PID_A")
ECOMM_STRIPE_API_BASE="http://127.0.0.1:$PA/test-gateway" \
"$BIN" serve --addr "127.0.0.1:$PB" --database-url "$DB" --storage-url "$MEDIA" --static-dir "$FRONT/dist" --payments test --test-gateway-ledger "$WORK/test-gateway.jsonl" >"$WORK/backend-b.log" 2>&1 &
PIDS+=("$!")
wait_http "http://127.0.0.1:$PA/health/ready" 60
wait_http "http://127.0.0.1:$PB/health/ready" 60

# ---- nginx with the repo's nginx.conf ----------------------------------------------------------
NG="$WORK/nginx"
mkdir -p "$NG/conf"
ln -s "$FRONT/dist" "$NG/html"
cp /etc/nginx/mime.types "$NG/conf/mime.types"
cat >"$NG/conf/test-gateway.conf" <<EOF
location /test-gateway/ {
    proxy_pass http://127.0.0.1:$PA;
    proxy_set_header Host \$host;
}
EOF
cat >"$NG/conf/upstream.conf" <<EOF
upstream ecomm_backend {
    server 127.0.0.1:$PA max_fails=1 fail_timeout=10s;
    server 127.0.0.1:$PB max_fails=1 fail_timeout=10s;
    keepalive 8;
    keepalive_timeout 10s;  # below the backend's idle timeout (ECOMM_HEADER_TIMEOUT_SECS, 20 s)
}
EOF
if python3 -c 'import socket; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("0.0.0.0",8080))' 2>/dev/null; then
  NGINX_PORT=8080
  cp "$FRONT/nginx.conf" "$NG/conf/nginx.conf"   # verbatim
else
  # 8080 is taken (e.g. `make run`): same file, only the listen port changed
  NGINX_PORT=$(free_port)
  log "port 8080 busy: nginx.conf copy listens on $NGINX_PORT instead"
  sed "s/listen 8080 default_server;/listen $NGINX_PORT default_server;/" "$FRONT/nginx.conf" >"$NG/conf/nginx.conf"
fi
"$NGINX_BIN" -t -q -p "$NG" -c "$NG/conf/nginx.conf" -e stderr
"$NGINX_BIN" -p "$NG" -c "$NG/conf/nginx.conf" -e stderr -g 'daemon off;' >"$WORK/nginx-access.log" 2>"$WORK/nginx-error.log" &
PIDS+=("$!")
wait_http "http://127.0.0.1:$NGINX_PORT/health" 20

# ---- journeys ----------------------------------------------------------------------------------
set +e
# The quick Lighthouse pass: SEO and accessibility at 100 on the home, catalog and product pages.
# Before the journeys: journey 4 kills replica A.
log "lighthouse (SEO, accessibility) on backend A"
LH_URL="http://127.0.0.1:$PA" LH_MODE=quick LH_REPORTS="$ART/lighthouse" node "$HERE/lighthouse.mjs"
lh=$?
log "backend A :$PA, backend B :$PB, nginx :$NGINX_PORT — running journeys"
E2E_DIRECT_URL="http://127.0.0.1:$PA" \
E2E_NGINX_URL="http://127.0.0.1:$NGINX_PORT" \
E2E_ADMIN_EMAIL="$ADMIN_EMAIL" E2E_ADMIN_PASSWORD="$ADMIN_PASSWORD" \
E2E_ARTIFACTS="$ART" E2E_JOURNEYS="${ECOMM_E2E_JOURNEYS:-1,2,3,5,4}" \
E2E_REPLICA_A_PID="$PID_A" E2E_REPLICA_A_ADDR="127.0.0.1:$PA" E2E_REPLICA_B_ADDR="127.0.0.1:$PB" \
E2E_NGINX_ACCESS_LOG="$WORK/nginx-access.log" \
  node "$HERE/journeys.mjs"
rc=$?
[ "$lh" = 0 ] || rc=1
set -e
log "total $((SECONDS - T0))s; artifacts in $ART"
exit $rc
