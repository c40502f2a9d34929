#!/usr/bin/env bash
# `make chaos`: every resilience drill (docs/resilience.md) on a local stack — a temporary Postgres,
# 4 supervised backend replicas and nginx — reconciled by SQL and scored; reports in reports/.
#   scripts/chaos.sh [DRILL] [ecomm-lab drill options...]     (default: all)
# Installs what it needs (nginx, apache2-utils, fonts-dejavu-core) and builds release binaries if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-target}
drill=${1:-all}; shift || true

need=()
[ -x /usr/sbin/nginx ] || need+=(nginx)
[ -x /usr/bin/ab ] || need+=(apache2-utils)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
if [ ${#need[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >/dev/null ||
    { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >/dev/null; }
fi
if [ ! -x "$target/release/ecomm" ] || [ ! -x "$target/release/ecomm-lab" ]; then
  cargo build --release --locked -p ecomm -p ecomm-lab
fi
if [ -f frontend/package.json ] && [ ! -f frontend/dist/index.html ] && command -v npm >/dev/null; then
  npm --prefix frontend run build --silent >/dev/null 2>&1 || echo "chaos: storefront build skipped"
fi
exec "$target/release/ecomm-lab" drill "$drill" --ecomm-bin "$target/release/ecomm" "$@"
