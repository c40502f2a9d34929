#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster on a free loopback port: `ecomm-lab pg` (lab/src/pg.rs), built
# first when missing or stale (its compiler output shown only when the build fails).
#   scripts/pg-temp.sh start DIR   -> prints postgres://postgres@127.0.0.1:PORT/postgres
#   scripts/pg-temp.sh stop DIR
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(cargo build -q --locked --manifest-path "$root/Cargo.toml" -p ecomm-lab 2>&1) || { echo "$out" >&2; exit 1; }
exec "${CARGO_TARGET_DIR:-$root/target}/debug/ecomm-lab" pg "$@"
