#!/usr/bin/env python3
"""Hold the rendered chart to the network and IAM that Terraform builds (both read offline).

  tf_chart.py --terraform terraform [--terraform-extra DIR] RENDERED_PROD_CHART.yaml

  * trusted proxies: every backend Deployment's ECOMM_TRUSTED_PROXIES (the backend's
    --trusted-proxies) is exactly the ALB's subnets (terraform/vpc.tf public_subnets, output
    alb_subnet_cidrs), and so are the ipBlocks the ALB is let in from; never the VPC;
  * backend egress: every egress ipBlock of every NetworkPolicy that selects the backend pods is
    inside the VPC (the VPC endpoints' private subnets, the database subnets) or the node's Pod
    Identity agent; nothing on the internet (no 0.0.0.0/0), which only the egress proxy may reach;
  * the subnets the chart names are Terraform's (database, VPC endpoints);
  * IAM: Secrets Manager grants name exact ARNs (no wildcard); the backend's S3 actions are the
    ones it performs (it writes and reads media, never deletes);
  * Pod Identity: each association's namespace/service account exists in the rendered chart.
"""
import argparse
import glob
import ipaddress
import os
import sys

import hcl2
import yaml

POD_IDENTITY_AGENT = ipaddress.ip_network("169.254.170.23/32")
# What backend/src/media.rs does with the bucket: put, get, head (a missing key answers 404 only
# with ListBucket), presign GET. Nothing deletes an object.
BACKEND_S3_ACTIONS = {"s3:GetObject", "s3:PutObject", "s3:ListBucket"}


def unquote(x):
    if isinstance(x, str):
        return x[1:-1] if len(x) >= 2 and x[0] == x[-1] == '"' else x
    if isinstance(x, list):
        return [unquote(i) for i in x]
    if isinstance(x, dict):
        return {unquote(k): unquote(v) for k, v in x.items()}
    return x


def terraform(*dirs):
    blocks = {"module": {}, "variable": {}, "data": [], "resource": []}
    for path in sorted(p for d in dirs if d for p in glob.glob(os.path.join(d, "*.tf"))):
        with open(path) as f:
            doc = unquote(hcl2.load(f))
        for m in doc.get("module", []):
            blocks["module"].update(m)
        for v in doc.get("variable", []):
            blocks["variable"].update(v)
        blocks["data"] += doc.get("data", [])
        blocks["resource"] += doc.get("resource", [])
    return blocks


def of_type(items, kind):
    for item in items:
        for t, named in item.items():
            if t == kind:
                yield from named.items()


def pod_labels(obj):
    return ((obj.get("spec", {}).get("template") or {}).get("metadata") or {}).get("labels") or {}


def selects(selector, labels):
    return all(labels.get(k) == v for k, v in (selector.get("matchLabels") or {}).items())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--terraform", required=True)
    ap.add_argument("--terraform-extra", help="more .tf files read as if they were in --terraform (fixtures)")
    ap.add_argument("rendered")
    a = ap.parse_args()
    tf = terraform(a.terraform, a.terraform_extra)
    vpc = tf["module"]["vpc"]
    public = [ipaddress.ip_network(c) for c in vpc["public_subnets"]]
    private = [ipaddress.ip_network(c) for c in vpc["private_subnets"]]
    database = [ipaddress.ip_network(c) for c in vpc["database_subnets"]]
    vpc_cidr = ipaddress.ip_network(tf["variable"]["vpc_cidr"]["default"])
    namespace = tf["variable"]["app_namespace"]["default"]
    docs = [d for d in yaml.safe_load_all(open(a.rendered)) if d and d.get("kind")]
    errors, passed = [], []

    def expect(ok, good, bad):
        (passed.append(good) if ok else errors.append(bad))

    # Trusted proxies = the ALB subnets.
    backends = [d for d in docs if d["kind"] == "Deployment" and pod_labels(d).get("app.kubernetes.io/component") == "backend"]
    expect(backends, f"{len(backends)} backend Deployments", "no backend Deployment in the rendered chart")
    for d in backends:
        env = {e["name"]: e.get("value") for c in d["spec"]["template"]["spec"]["containers"] for e in c.get("env", [])}
        got = [ipaddress.ip_network(c.strip()) for c in (env.get("ECOMM_TRUSTED_PROXIES") or "").split(",") if c.strip()]
        expect(sorted(got) == sorted(public),
               f"{d['metadata']['name']}: --trusted-proxies = the ALB subnets {[str(n) for n in public]}",
               f"{d['metadata']['name']}: ECOMM_TRUSTED_PROXIES is {[str(n) for n in got]}, but the ALB lives in "
               f"{[str(n) for n in public]} (terraform/vpc.tf public_subnets): any other network may spoof "
               "X-Forwarded-For / -Proto")

    policies = [d for d in docs if d["kind"] == "NetworkPolicy"]
    backend_labels = pod_labels(backends[0]) if backends else {}
    for p in policies:
        spec = p["spec"]
        if not selects(spec.get("podSelector") or {}, backend_labels):
            continue
        name = p["metadata"]["name"]
        for rule in spec.get("ingress") or []:
            blocks = [ipaddress.ip_network(f["ipBlock"]["cidr"]) for f in rule.get("from") or [] if "ipBlock" in f]
            if blocks:
                expect(sorted(blocks) == sorted(public), f"{name}: ingress ipBlocks = the ALB subnets",
                       f"{name}: ingress from {[str(b) for b in blocks]}, not the ALB subnets {[str(n) for n in public]}")
        for rule in spec.get("egress") or []:
            for f in rule.get("to") or []:
                if "ipBlock" not in f:
                    continue
                net = ipaddress.ip_network(f["ipBlock"]["cidr"])
                inside = net.subnet_of(vpc_cidr) or net == POD_IDENTITY_AGENT
                ports = [str(pt.get("port")) for pt in rule.get("ports") or []] or ["any"]
                expect(inside, f"{name}: backend egress to {net}:{','.join(ports)} stays in the VPC",
                       f"{name}: backend egress to {net}:{','.join(ports)} leaves the VPC {vpc_cidr}: the internet is "
                       "reached only through the egress proxy, AWS through the VPC endpoints")

    # The subnets the chart names are Terraform's.
    for p in policies:
        for rule in p["spec"].get("egress") or []:
            ports = {pt.get("port") for pt in rule.get("ports") or []}
            blocks = sorted(ipaddress.ip_network(f["ipBlock"]["cidr"]) for f in rule.get("to") or [] if "ipBlock" in f)
            if 5432 in ports:
                expect(blocks == sorted(database), f"{p['metadata']['name']}: database egress = the database subnets",
                       f"{p['metadata']['name']}: database egress to {[str(b) for b in blocks]}, Terraform's database "
                       f"subnets are {[str(n) for n in database]}")
            if 443 in ports and blocks and all(b.subnet_of(vpc_cidr) for b in blocks):
                expect(blocks == sorted(private), f"{p['metadata']['name']}: HTTPS egress = the VPC endpoints' subnets",
                       f"{p['metadata']['name']}: HTTPS egress to {[str(b) for b in blocks]}, the VPC endpoints live in "
                       f"{[str(n) for n in private]}")

    # IAM: exact secret ARNs, no unused S3 action.
    for name, doc in of_type(tf["data"], "aws_iam_policy_document"):
        for st in doc.get("statement", []):
            actions, resources = st.get("actions", []), st.get("resources", [])
            if any(x.startswith("secretsmanager:") for x in actions):
                wild = [r for r in resources if "*" in r]
                expect(not wild, f"IAM {name}/{st.get('sid')}: secrets named exactly",
                       f"IAM {name}/{st.get('sid')}: Secrets Manager access to {wild} (wildcard): name the secret's ARN")
            if name == "backend" and any(x.startswith("s3:") for x in actions):
                extra = {x for x in actions if x.startswith("s3:")} - BACKEND_S3_ACTIONS
                expect(not extra, f"IAM backend/{st.get('sid')}: S3 actions the backend performs",
                       f"IAM backend/{st.get('sid')}: grants {sorted(extra)}, which the backend never performs")

    # Pod Identity associations point at service accounts the chart creates.
    accounts = {(d["metadata"].get("namespace"), d["metadata"]["name"]) for d in docs if d["kind"] == "ServiceAccount"}
    for name, res in of_type(tf["resource"], "aws_eks_pod_identity_association"):
        ns = namespace if "var.app_namespace" in str(res.get("namespace")) else res.get("namespace")
        key = (ns, res.get("service_account"))
        expect(key in accounts, f"Pod Identity {name}: {key[0]}/{key[1]} exists in the chart",
               f"Pod Identity {name}: {key[0]}/{key[1]} is not a ServiceAccount of the rendered chart")

    for p in passed:
        print("  ok   " + p)
    for e in errors:
        print("  FAIL " + e)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
