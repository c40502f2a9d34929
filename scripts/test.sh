#!/usr/bin/env bash
# `make test`: every test, on a fresh machine. Starts what it needs and stops it afterwards:
# a temporary PostgreSQL 15 cluster, a Garage S3 server, then the backend suites (each API test on
# SQLite and on Postgres), the frontend unit tests, the browser journeys, two short chaos drills (kill half
# the replicas, then a database failover, under load; then reconcile every order by SQL), and the offline cluster checks.
#   scripts/test.sh [backend|frontend|e2e|chaos|verify ...]   (default: all)
# CI runs each part as a job of its own (.github/workflows/ci.yml), so both run the same gates.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
parts=("$@"); [ ${#parts[@]} -eq 0 ] && parts=(backend frontend e2e chaos verify)
want() { local p; for p in "${parts[@]}"; do [ "$p" = "$1" ] && return 0; done; return 1; }

work=$(mktemp -d /tmp/ecomm-test.XXXXXX)
chmod 755 "$work"
target=${CARGO_TARGET_DIR:-$root/target}
lab=$target/debug/ecomm-lab
cleanup() {
  scripts/s3-temp.sh stop "$work/s3" || true
  if [ -x "$lab" ]; then "$lab" pg stop "$work/pg" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

step() { printf '\n==== %s ====\n' "$*"; }
started=$(date +%s)

if want backend || want e2e || want chaos; then
  # Both binaries once, for every part below (the lab starts the cluster; the drill and the
  # journeys run them).
  step "building the server and the lab"
  cargo build --locked -p ecomm -p ecomm-lab
  step "starting a temporary PostgreSQL cluster"
  export ECOMM_TEST_PG_URL; ECOMM_TEST_PG_URL=$("$lab" pg start "$work/pg")
  echo "$ECOMM_TEST_PG_URL"
fi

if want backend; then
  step "starting a Garage S3 server"
  eval "$(scripts/s3-temp.sh start "$work/s3")"
  echo "${ECOMM_TEST_S3_URL:?set by s3-temp.sh}"
  step "backend: format, lints, unit and API tests (SQLite + Postgres + S3)"
  cargo fmt --all -- --check
  cargo clippy --workspace --all-targets --locked -- -D warnings
  cargo test --workspace --locked
  step "backend: API fuzz, short run (schemathesis; make fuzz is the long one)"
  ECOMM_BIN="$target/debug/ecomm" FUZZ_MAX_EXAMPLES=3 FUZZ_MIN_REQUESTS=500 scripts/fuzz.sh
fi

if want frontend && [ -x frontend/scripts/unit.sh ]; then
  step "frontend: type-check, ESLint, Prettier, unit tests"
  frontend/scripts/unit.sh
fi

if want e2e && [ -x frontend/e2e/run.sh ]; then
  step "browser journeys (Chromium) against the backend on Postgres"
  psql "$ECOMM_TEST_PG_URL" -qc "CREATE DATABASE e2e" >/dev/null
  ECOMM_BIN="$target/debug/ecomm" ECOMM_E2E_DATABASE_URL="${ECOMM_TEST_PG_URL%/*}/e2e" frontend/e2e/run.sh
fi

if want chaos; then
  step "chaos: kill half the replicas, then fail the database over, under load; reconcile every acknowledged order by SQL"
  missing=()
  [ -x /usr/sbin/nginx ] || missing+=(nginx)
  [ -x /usr/sbin/pgbouncer ] || missing+=(pgbouncer)
  [ ${#missing[@]} -eq 0 ] || {
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null ||
      { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null; }
  }
  psql "$ECOMM_TEST_PG_URL" -qc "CREATE DATABASE lab" >/dev/null
  # Low rate, short timeline (< 60 s of load): any integrity violation fails the build.
  "$lab" drill kill-half \
    --ecomm-bin "$target/debug/ecomm" --database-url "${ECOMM_TEST_PG_URL%/*}/lab" \
    --products 1000 --rate 40 --warmup 5 --recovery 15 --work-dir "$work/lab" --replicas 2
  # A primary and a synchronous standby of its own (not the test cluster): SIGKILL the primary,
  # promote the standby, move PgBouncer; every acknowledged order must be on the new primary.
  "$lab" drill db-failover --ecomm-bin "$target/debug/ecomm" \
    --products 1000 --rate 40 --warmup 4 --recovery 10 --work-dir "$work/lab-failover" --replicas 2
fi

if want verify && [ -x scripts/verify.sh ]; then
  step "offline checks: chart, policies, Terraform, Dockerfiles, workflows"
  scripts/verify.sh
fi

step "all green in $(( $(date +%s) - started ))s"
