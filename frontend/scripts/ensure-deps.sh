# shellcheck shell=bash
# Sourced: runs `npm ci` when node_modules is missing or older than package-lock.json.
# Must be sourced from the frontend/ directory.
if [ ! -d node_modules ] || [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "frontend: npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi
