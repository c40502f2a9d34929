#!/usr/bin/env bash
# `make chaos`: every resilience drill (docs/resilience.md) on a local stack — a temporary Postgres
# with a synchronous standby, PgBouncer in front of it (the twin of RDS Proxy), supervised backend
# replicas (one per core) and nginx — reconciled by SQL and scored; reports in reports/.
#   scripts/chaos.sh [DRILL] [ecomm-lab drill options...]     (default: all)
# Installs what it needs (nginx, pgbouncer, apache2-utils, fonts-dejavu-core) and builds the release binaries.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-target}
drill=${1:-all}; shift || true

need=()
[ -x /usr/sbin/nginx ] || need+=(nginx)
[ -x /usr/sbin/pgbouncer ] || need+=(pgbouncer)
[ -x /usr/bin/ab ] || need+=(apache2-utils)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
if [ ${#need[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >/dev/null ||
    { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >/dev/null; }
fi
# Builds when missing or stale (a no-op otherwise), so the drills never run an old binary.
cargo build --release --locked -p ecomm -p ecomm-lab
if [ -f frontend/package.json ] && [ ! -f frontend/dist/index.html ] && command -v npm >/dev/null; then
  npm --prefix frontend run build --silent >/dev/null 2>&1 || echo "chaos: storefront build skipped"
fi
# 1,000 req/s (spike: 5,000): well below what kill-half holds on 2 cores, so every drill has
# headroom (docs/resilience.md); pass --rate N to change it.
# One replica per core (at least 2): replicas on one machine share its cores and each keeps its own
# catalog index, so more of them cost capacity (docs/resilience.md); LAB_REPLICAS overrides.
replicas=${LAB_REPLICAS:-$(( $(nproc) > 2 ? $(nproc) : 2 ))}
exec "$target/release/ecomm-lab" drill "$drill" --ecomm-bin "$target/release/ecomm" --rate 1000 \
  --replicas "$replicas" "$@"
