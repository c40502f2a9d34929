#!/usr/bin/env bash
# Unit tests for the SPA: installs npm deps when missing/stale, then runs Vitest once.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/ensure-deps.sh disable=SC1091
. scripts/ensure-deps.sh
npx --no-install tsc --noEmit -p tsconfig.json
exec npx --no-install vitest run "$@"
