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
  * Pod Identity: each association's namespace/service account exists in the rendered chart;
  * values Terraform owns (terraform/chart_values.tf: the WAF ACL's ARN, the RDS Proxy and instance
    hosts) come from Terraform: the render carries the placeholder of each Terraform attribute
    (verify renders with `--emit-values`' document, as deploy.yml does with the real one), no
    values file given with --values sets them by hand, deploy.yml fetches the document and passes
    it after values-prod.yaml to every `helm upgrade`, and the deploy role may read exactly it;
  * RDS Proxy: in the database subnets (the chart's database egress), TLS required, and its pool
    (max_connections_percent of max_connections) holds the chart's HPA maximum x the backend's
    pool size plus the pinned sessions, with room left for the migration Job.

  tf_chart.py --terraform terraform --emit-values OUT.yaml   writes that placeholder document.
"""
import argparse
import glob
import ipaddress
import os
import re
import shlex
import sys

import hcl2
import yaml

POD_IDENTITY_AGENT = ipaddress.ip_network("169.254.170.23/32")
# What backend/src/store/media.rs does with the bucket: put, get, head (a missing key answers 404 only
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
    blocks = {"module": {}, "variable": {}, "locals": {}, "data": [], "resource": []}
    for path in sorted(p for d in dirs if d for p in glob.glob(os.path.join(d, "*.tf"))):
        with open(path) as f:
            doc = unquote(hcl2.load(f))
        for m in doc.get("module", []):
            blocks["module"].update(m)
        for v in doc.get("variable", []):
            blocks["variable"].update(v)
        for loc in doc.get("locals", []):
            blocks["locals"].update({k: v for k, v in loc.items() if not k.startswith("__")})
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


# Values Terraform owns: chart key -> (resource type, attribute) it must come from.
TERRAFORM_OWNED = {
    "ingress.wafv2AclArn": ("aws_wafv2_web_acl", "arn"),
    "backend.database.host": ("aws_db_proxy", "endpoint"),
    "backend.database.direct.host": ("aws_db_instance", "address"),
}
REF = re.compile(r"^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z_]+)\}$")


def leaves(tree, prefix=""):
    for k, v in (tree or {}).items():
        if str(k).startswith("__"):
            continue
        path = f"{prefix}.{k}" if prefix else str(k)
        if isinstance(v, dict):
            yield from leaves(v, path)
        else:
            yield path, v


def placeholder(ref):
    """What the chart renders for a Terraform attribute that exists only after apply."""
    m = REF.match(str(ref))
    if not m:
        return None
    rtype, name, attr = m.groups()
    if attr == "arn" and rtype == "aws_wafv2_web_acl":
        return f"arn:aws:wafv2:us-east-1:000000000000:regional/webacl/terraform/{rtype}.{name}.{attr}"
    return f"{rtype}-{name}-{attr}.terraform.invalid".replace("_", "-")


def emit_values(tf, out):
    tree = {}
    for path, ref in leaves(tf["locals"].get("chart_values")):
        node = tree
        *parents, last = path.split(".")
        for p in parents:
            node = node.setdefault(p, {})
        node[last] = placeholder(ref) or ref
    with open(out, "w") as f:
        f.write("# Written by scripts/verify/tf_chart.py: terraform/chart_values.tf with a placeholder per\n")
        f.write("# Terraform attribute (deploy.yml passes the real document from SSM Parameter Store).\n")
        yaml.safe_dump(tree, f, sort_keys=True)


def resolve(text, tf):
    """${var.X} and ${local.X} in a Terraform string, from defaults and locals."""
    def sub(m):
        kind, name = m.groups()
        v = tf["variable"].get(name, {}).get("default") if kind == "var" else tf["locals"].get(name)
        return str(v) if v is not None else m.group(0)
    text = re.sub(r"\$\{(?:tostring\()?(var|local)\.([a-z0-9_]+)\)?\}", sub, str(text))
    return int(text) if text.isdigit() else text


def terraform_owned(tf, docs, values_files, workflow, expect):
    resources = {(t, n): r for item in tf["resource"] for t, named in item.items() for n, r in named.items()}
    owned = dict(leaves(tf["locals"].get("chart_values")))
    for key, (rtype, attr) in TERRAFORM_OWNED.items():
        m = REF.match(str(owned.get(key)))
        expect(m and m.group(1) == rtype and m.group(3) == attr and (rtype, m.group(2)) in resources,
               f"Terraform publishes {key} = {rtype}.*.{attr}",
               f"terraform/chart_values.tf: {key} is {owned.get(key)!r}, not the {attr} of a {rtype} Terraform creates")
    params = [r for (t, _), r in resources.items() if t == "aws_ssm_parameter" and "local.chart_values" in str(r.get("value"))]
    expect(len(params) == 1, "the chart values are published in one SSM parameter",
           "no aws_ssm_parameter holds yamlencode(local.chart_values)")
    param_name = resolve(params[0]["name"], tf) if params else None
    for acl_name, acl in ((n, r) for (t, n), r in resources.items() if t == "aws_wafv2_web_acl"):
        expect(acl.get("scope") == "REGIONAL", f"web ACL {acl_name} is REGIONAL (an ALB's)",
               f"web ACL {acl_name} has scope {acl.get('scope')}: an ALB needs REGIONAL")

    # Nothing typed in by hand.
    for vf in values_files:
        given = dict(leaves(yaml.safe_load(open(vf)) or {}))
        for key in owned:
            expect(key not in given, f"{os.path.basename(vf)} leaves {key} to Terraform",
                   f"{vf} sets {key} by hand ({given.get(key)!r}): it comes from Terraform "
                   f"(terraform/chart_values.tf, SSM parameter {param_name}), layered over values-prod.yaml by deploy.yml")

    # The render carries Terraform's values.
    want = {k: placeholder(v) for k, v in owned.items()}
    for d in docs:
        kind, name = d["kind"], d["metadata"]["name"]
        if kind == "Ingress" and want.get("ingress.wafv2AclArn"):
            got = (d["metadata"].get("annotations") or {}).get("alb.ingress.kubernetes.io/wafv2-acl-arn")
            expect(got == want["ingress.wafv2AclArn"], f"Ingress {name}: WAF ACL from Terraform",
                   f"Ingress {name}: wafv2-acl-arn is {got!r}, not Terraform's web ACL ({owned['ingress.wafv2AclArn']})")
        component = pod_labels(d).get("app.kubernetes.io/component")
        key = {"backend": "backend.database.host", "migrate": "backend.database.direct.host"}.get(component)
        if kind in ("Deployment", "Job") and key and want.get(key):
            env = {e["name"]: e.get("value") for c in d["spec"]["template"]["spec"]["containers"] for e in c.get("env", [])}
            expect(env.get("ECOMM_DB_HOST") == want[key], f"{kind} {name}: database host = Terraform's {owned[key]}",
                   f"{kind} {name}: ECOMM_DB_HOST is {env.get('ECOMM_DB_HOST')!r}, not Terraform's {owned[key]}")

    # The deploy role reads exactly that parameter; deploy.yml passes it to every helm upgrade.
    deploy_reads = [st for n, doc in of_type(tf["data"], "aws_iam_policy_document") if n == "github_deploy"
                    for st in doc.get("statement", []) if "ssm:GetParameter" in st.get("actions", [])]
    expect(any(st.get("resources") == ["${aws_ssm_parameter.chart_values.arn}"] for st in deploy_reads),
           "IAM github_deploy: ssm:GetParameter on the chart values parameter only",
           "IAM github_deploy: no ssm:GetParameter on exactly aws_ssm_parameter.chart_values")
    if workflow:
        wf = yaml.safe_load(open(workflow))
        runs = [(st.get("name", "?"), st.get("run", "")) for job in wf.get("jobs", {}).values() for st in job.get("steps", [])]
        env = wf.get("env") or {}
        fetch = [n for n, r in runs if "aws ssm get-parameter" in r and "TF_VALUES" in r]
        expect(fetch and env.get("TF_VALUES_PARAMETER") == param_name,
               f"{workflow}: fetches {param_name} into $TF_VALUES",
               f"{workflow}: no step fetches SSM parameter {param_name} (env TF_VALUES_PARAMETER is {env.get('TF_VALUES_PARAMETER')!r})")
        for n, r in runs:
            if "helm upgrade" not in r:
                continue
            words = shlex.split(r.replace("\\\n", " "), comments=True)
            files = [words[i + 1] for i, w in enumerate(words[:-1]) if w == "-f"]
            ok = files[-2:] == ["$CHART/values-prod.yaml", "$TF_VALUES"]
            expect(ok, f"{workflow} '{n}': -f values-prod.yaml -f $TF_VALUES",
                   f"{workflow} '{n}': helm upgrade passes {files}: Terraform's values must come last, after values-prod.yaml")


def proxy_budget(tf, docs, backend_config, expect):
    """RDS Proxy's pool holds the chart's HPA maximum; the instance keeps room for direct clients."""
    resources = {(t, n): r for item in tf["resource"] for t, named in item.items() for n, r in named.items()}
    proxies = [r for (t, _), r in resources.items() if t == "aws_db_proxy"]
    groups = [r for (t, _), r in resources.items() if t == "aws_db_proxy_default_target_group"]
    expect(len(proxies) == 1 and len(groups) == 1, "one RDS Proxy with its default target group",
           f"{len(proxies)} aws_db_proxy / {len(groups)} default target groups")
    if not (proxies and groups):
        return
    proxy, pool_cfg = proxies[0], (groups[0].get("connection_pool_config") or [{}])[0]
    expect(proxy.get("require_tls") is True and proxy.get("engine_family") == "POSTGRESQL",
           "RDS Proxy: PostgreSQL, TLS required", "RDS Proxy: require_tls must be true (engine POSTGRESQL)")
    expect(proxy.get("vpc_subnet_ids") == "${module.vpc.database_subnets}",
           "RDS Proxy lives in the database subnets (the chart's database egress)",
           f"RDS Proxy subnets are {proxy.get('vpc_subnet_ids')}: the chart's NetworkPolicy lets pods reach the database subnets only")
    ceiling_param = [p for (t, _), r in resources.items() if t == "aws_db_parameter_group"
                     for p in r.get("parameter", []) if p.get("name") == "max_connections"]
    max_conn = resolve(ceiling_param[0]["value"], tf) if ceiling_param else None
    percent = pool_cfg.get("max_connections_percent")
    backends = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Deployment"
                and pod_labels(d).get("app.kubernetes.io/component") == "backend"}
    hpa_max = max([d["spec"]["maxReplicas"] for d in docs if d["kind"] == "HorizontalPodAutoscaler"
                   and d["spec"]["scaleTargetRef"]["name"] in backends] or [0])
    env_pool = {e.get("value") for d in backends.values() for c in d["spec"]["template"]["spec"]["containers"]
                for e in c.get("env", []) if e["name"] == "ECOMM_DB_MAX_CONNECTIONS"}
    m = re.search(r'env = "ECOMM_DB_MAX_CONNECTIONS",\s*default_value_t = (\d+)', open(backend_config).read())
    pool = int(env_pool.pop()) if len(env_pool) == 1 else int(m.group(1)) if m else None
    if not (isinstance(max_conn, int) and isinstance(percent, int) and hpa_max and pool):
        expect(False, "", f"cannot size RDS Proxy: max_connections={max_conn} percent={percent} HPA max={hpa_max} pool={pool}")
        return
    ceiling = max_conn * percent // 100
    demand = hpa_max * pool + 2 * hpa_max + 1
    expect(demand <= ceiling,
           f"RDS Proxy pool {percent}% of {max_conn} = {ceiling} >= {hpa_max} pods x {pool} + {2 * hpa_max + 1} pinned = {demand}",
           f"RDS Proxy pool {percent}% of {max_conn} = {ceiling} < {hpa_max} pods x {pool} connections + {2 * hpa_max + 1} "
           f"pinned (LISTEN per pod on both tracks, the reconciler's lease) = {demand}: raise max_connections_percent "
           "(terraform/rds_proxy.tf) with the HPA maximum")
    expect(max_conn - ceiling >= pool + 6, f"{max_conn - ceiling} connections left for the migration Job and operators",
           f"only {max_conn - ceiling} connections outside the proxy: the migration Job alone needs {pool} + 1, plus 5 reserved")
    loc = tf["locals"]
    expect(loc.get("backend_max_replicas") == hpa_max and loc.get("backend_pool_size") == pool,
           "terraform/rds_proxy.tf's budget names the chart's HPA maximum and pool size",
           f"terraform/rds_proxy.tf budgets {loc.get('backend_max_replicas')} pods x {loc.get('backend_pool_size')}, "
           f"the chart runs up to {hpa_max} x {pool}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--terraform", required=True)
    ap.add_argument("--terraform-extra", help="more .tf files read as if they were in --terraform (fixtures)")
    ap.add_argument("--emit-values", metavar="OUT", help="write Terraform's chart values with placeholders and exit")
    ap.add_argument("--values", action="append", default=[], help="a values file that must not set Terraform's values")
    ap.add_argument("--workflow", help="the deploy workflow that passes Terraform's values to helm")
    ap.add_argument("--backend-config", help="backend/src/config/mod.rs (the pool size default)")
    ap.add_argument("rendered", nargs="?")
    a = ap.parse_args()
    tf = terraform(a.terraform, a.terraform_extra)
    if a.emit_values:
        emit_values(tf, a.emit_values)
        return
    backend_config = a.backend_config or os.path.join(a.terraform, "..", "backend", "src", "config", "mod.rs")
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

    terraform_owned(tf, docs, a.values, a.workflow, expect)
    proxy_budget(tf, docs, backend_config, expect)

    for p in passed:
        print("  ok   " + p)
    for e in errors:
        print("  FAIL " + e)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
