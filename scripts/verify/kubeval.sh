#!/usr/bin/env bash
# kubernetes-validate --strict for one Kubernetes version, but FAIL on unknown kinds and removed
# APIs (kubernetes-validate only warns on them) unless the kind is an allow-listed CRD.
set -uo pipefail
K8S_VERSION=$1; shift
ALLOWED_CRDS='^(karpenter\.sh/v1 NodePool|karpenter\.k8s\.aws/v1 EC2NodeClass|secrets-store\.csi\.x-k8s\.io/v1 SecretProviderClass|templates\.gatekeeper\.sh/v1 ConstraintTemplate|constraints\.gatekeeper\.sh/v1beta1 K8s[A-Za-z]+)$'
rc=0
out=$(kubernetes-validate -k "$K8S_VERSION" --strict --quiet "$@" 2>&1) || rc=1
[[ -n "$out" ]] && printf '%s\n' "$out" | grep -v '^INFO' >&2
while IFS= read -r line; do
  if [[ $line =~ Couldn\'t\ find\ schema\ for\ kind\ ([A-Za-z0-9]+)\ with\ api\ version\ ([^ ]+)\ for ]]; then
    kind=${BASH_REMATCH[1]} api=${BASH_REMATCH[2]}
    if [[ ! "$api $kind" =~ $ALLOWED_CRDS ]]; then
      echo "ERROR unknown kind or removed API for Kubernetes $K8S_VERSION: $api $kind (not an allow-listed CRD)" >&2
      rc=1
    fi
  fi
done <<<"$out"
exit $rc
