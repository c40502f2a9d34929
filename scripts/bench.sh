#!/usr/bin/env bash
# `make bench`: builds the release binaries, then `ecomm-lab bench` (lab/src/bench/) — the backend
# on Postgres with 10,000 products against baselines taken in the same run (nginx serving the same
# bytes, pgbench TPC-B on the same cluster), the checkout load, start to ready, memory and the
# storefront vitals; docs/performance.md says how to read each figure. The environment chooses:
#   BENCH_CHECKOUT_ONLY=1   only the checkout part (with BENCH_ORDERS, the volume run)
#   BENCH_1M=only           only the 1,000,000-product part (BENCH_1M=1 adds it)
# and the lab reads the rest itself: BENCH_SECONDS, BENCH_ORDERS, BENCH_PIDSTAT, BENCH_1M,
# BENCH_1M_DB, BENCH_STOREFRONT, VITALS_RUNS (`ecomm-lab bench --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -p ecomm -p ecomm-lab
target=${CARGO_TARGET_DIR:-target}/release
what=all
[ "${BENCH_CHECKOUT_ONLY:-0}" = 1 ] && what=checkout
[ "${BENCH_1M:-0}" = only ] && what=million
exec "$target/ecomm-lab" bench "$what" --ecomm-bin "$target/ecomm" "$@"
