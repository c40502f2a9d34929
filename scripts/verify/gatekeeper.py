#!/usr/bin/env python3
"""Evaluate Gatekeeper ConstraintTemplates + Constraints offline with regorus.

Workloads are expanded into the Pods that the API server would admit (Deployment,
StatefulSet, DaemonSet, ReplicaSet, Job -> spec.template; CronJob -> jobTemplate), because
the templates read input.review.object.spec.containers. Each expanded Pod is reviewed as its
controller would create it: owned (ownerReferences, controller: true) by the ReplicaSet / Job /
StatefulSet / DaemonSet, and requested by that controller's service account (userInfo). Objects
written in a file are requested by a member of the deployers group, unless the file names
another requester in a `# request-user: NAME` comment.

  gatekeeper.py --policies DIR --expect allow FILE...   every object must pass
  gatekeeper.py --policies DIR --expect deny  FILE...   every FILE must be denied (and by
      the constraint kind named in its `# expect-denied-by: Kind` comment, if present)
"""
import argparse
import copy
import glob
import json
import os
import re
import sys

import yaml
import hobofan_regorus as regorus

WORKLOADS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ReplicationController"}
# kube-controller-manager runs each controller under its own service account (EKS does).
CONTROLLER = "system:serviceaccount:kube-system:%s"
POD_CREATOR = {  # workload kind -> (controller, owner kind, owner name suffix)
    "Deployment": ("replicaset-controller", "ReplicaSet", "-5d4f8b7c9"),
    "ReplicaSet": ("replicaset-controller", "ReplicaSet", ""),
    "StatefulSet": ("statefulset-controller", "StatefulSet", ""),
    "DaemonSet": ("daemon-set-controller", "DaemonSet", ""),
    "Job": ("job-controller", "Job", ""),
    "CronJob": ("job-controller", "Job", "-29000000"),
    "ReplicationController": ("replication-controller", "ReplicationController", ""),
}
DEPLOYER = {"username": "deployer@example.com", "groups": ["ecomm:deployers", "system:authenticated"]}


def load_docs(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if isinstance(d, dict) and d.get("kind")]


def load_policies(d):
    templates, constraints = {}, []
    for p in sorted(glob.glob(os.path.join(d, "**", "*.yaml"), recursive=True)):
        if "/fixtures/" in p:
            continue
        for doc in load_docs(p):
            if doc["kind"] == "ConstraintTemplate":
                kind = doc["spec"]["crd"]["spec"]["names"]["kind"]
                target = doc["spec"]["targets"][0]
                rego = target["rego"]
                pkg = re.search(r"^package\s+([\w.]+)", rego, re.M).group(1)
                templates[kind] = {"rego": rego, "libs": target.get("libs", []), "pkg": pkg}
            elif doc.get("apiVersion", "").startswith("constraints.gatekeeper.sh/"):
                constraints.append(doc)
    missing = [c["kind"] for c in constraints if c["kind"] not in templates]
    if missing:
        sys.exit(f"constraints without a template: {missing}")
    if not constraints:
        sys.exit("no constraints found")
    return templates, constraints


def expand(obj, user):
    """Yield (object, namespace, userInfo) to review: the object itself plus its pod template."""
    ns = obj.get("metadata", {}).get("namespace", "default")
    yield obj, ns, user
    kind = obj["kind"]
    tpl = None
    if kind in WORKLOADS:
        tpl = obj.get("spec", {}).get("template")
    elif kind == "CronJob":
        tpl = obj.get("spec", {}).get("jobTemplate", {}).get("spec", {}).get("template")
    if tpl:
        pod = {"apiVersion": "v1", "kind": "Pod",
               "metadata": copy.deepcopy(tpl.get("metadata", {})),
               "spec": copy.deepcopy(tpl.get("spec", {}))}
        pod["metadata"].setdefault("name", obj["metadata"]["name"] + "-pod")
        pod["metadata"]["namespace"] = ns
        controller, owner_kind, suffix = POD_CREATOR[kind]
        pod["metadata"]["ownerReferences"] = [{
            "apiVersion": "batch/v1" if owner_kind == "Job" else "apps/v1", "kind": owner_kind,
            "name": obj["metadata"]["name"] + suffix, "controller": True, "blockOwnerDeletion": True}]
        yield pod, ns, {"username": CONTROLLER % controller,
                        "groups": ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"]}


def selector_matches(sel, labels):
    if not sel:
        return True
    for k, v in (sel.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    for e in sel.get("matchExpressions") or []:
        k, op, vals = e["key"], e["operator"], e.get("values", [])
        if op == "In" and labels.get(k) not in vals:
            return False
        if op == "NotIn" and k in labels and labels[k] in vals:
            return False
        if op == "Exists" and k not in labels:
            return False
        if op == "DoesNotExist" and k in labels:
            return False
    return True


def matches(constraint, obj, ns):
    m = constraint.get("spec", {}).get("match", {}) or {}
    group = obj["apiVersion"].split("/")[0] if "/" in obj["apiVersion"] else ""
    kinds = m.get("kinds")
    if kinds and not any((group in k.get("apiGroups", ["*"]) or "*" in k.get("apiGroups", []))
                         and (obj["kind"] in k.get("kinds", []) or "*" in k.get("kinds", []))
                         for k in kinds):
        return False
    if obj["kind"] != "Namespace":
        if m.get("namespaces") and ns not in m["namespaces"]:
            return False
        if ns in (m.get("excludedNamespaces") or []):
            return False
    return selector_matches(m.get("labelSelector"), obj.get("metadata", {}).get("labels") or {})


def evaluate(templates, constraints, obj, ns, user):
    out = []
    for c in constraints:
        if not matches(c, obj, ns):
            continue
        t = templates[c["kind"]]
        eng = regorus.Engine()
        eng.add_policy(f"{c['kind']}.rego", t["rego"])
        for i, lib in enumerate(t["libs"]):
            eng.add_policy(f"{c['kind']}-lib{i}.rego", lib)
        review = {"object": obj, "namespace": ns, "operation": "CREATE",
                  "kind": {"group": "", "version": "v1", "kind": obj["kind"]},
                  "name": obj["metadata"].get("name", ""), "userInfo": user}
        eng.set_input_json(json.dumps({"review": review, "parameters": c.get("spec", {}).get("parameters", {})}))
        res = json.loads(eng.eval_query_as_json(f"data.{t['pkg']}.violation"))
        for r in res.get("result", []):
            for expr in r.get("expressions", []):
                for v in expr.get("value") or []:
                    out.append((c["kind"], c["metadata"]["name"], v.get("msg", str(v))))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--policies", required=True)
    ap.add_argument("--expect", choices=["allow", "deny"], required=True)
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()
    templates, constraints = load_policies(a.policies)
    failed = False
    for f in a.files:
        with open(f) as fh:
            text = fh.read()
        mm = re.search(r"^# expect-denied-by:\s*(\S+)", text, re.M)
        expected_kind = mm.group(1) if mm else None
        mu = re.search(r"^# request-user:\s*(\S+)", text, re.M)
        user = {"username": mu.group(1), "groups": ["system:authenticated"]} if mu else DEPLOYER
        violations, reviewed = [], 0
        for doc in load_docs(f):
            for obj, ns, who in expand(doc, user):
                reviewed += 1
                for kind, name, msg in evaluate(templates, constraints, obj, ns, who):
                    violations.append((kind, name, f"{obj['kind']}/{obj['metadata'].get('name')}", msg))
        for kind, name, ref, msg in violations:
            print(f"  {'DENIED' if a.expect == 'deny' else 'VIOLATION'} [{name}] {ref}: {msg}")
        if a.expect == "allow":
            if violations:
                print(f"FAIL {f}: {len(violations)} violation(s)")
                failed = True
            else:
                print(f"ok   {f}: {reviewed} objects (pod templates expanded) pass {len(constraints)} constraints")
        else:
            kinds = {v[0] for v in violations}
            if not violations:
                print(f"FAIL {f}: expected a denial, got none")
                failed = True
            elif expected_kind and expected_kind not in kinds:
                print(f"FAIL {f}: expected denial by {expected_kind}, got {sorted(kinds)}")
                failed = True
            else:
                print(f"ok   {f}: denied as expected by {sorted(kinds)}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
