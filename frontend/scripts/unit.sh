#!/usr/bin/env bash
# Static gates and unit tests for the SPA: installs npm deps when missing/stale, then type-checks,
# lints (ESLint: typescript-eslint, react-hooks, jsx-a11y, import-x/no-cycle and the feature
# boundaries), checks formatting (Prettier) and runs Vitest once. Extra arguments go to Vitest.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/ensure-deps.sh disable=SC1091
. scripts/ensure-deps.sh
npx --no-install tsc --noEmit -p tsconfig.json
npx --no-install eslint . --max-warnings 0
npx --no-install prettier --check --log-level warn . || { echo "frontend: run 'npm --prefix frontend run format'" >&2; exit 1; }
exec npx --no-install vitest run "$@"
