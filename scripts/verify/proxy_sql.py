#!/usr/bin/env python3
"""Hold the backend's SQL to what RDS Proxy does with it (docs/ecomm-architecture.md, "Through RDS Proxy").

  proxy_sql.py --terraform terraform --src backend/src [--chart RENDERED.yaml]

Reads every SQL string literal of the serving code (Rust sources; SQLite-only files skipped) and:
  * session_pinning_filters = EXCLUDE_VARIABLE_SETS (terraform/rds_proxy.tf) is safe only while every
    SET is transaction-scoped: a session-level SET, RESET or set_config(..., false) fails, since the
    proxy would hand that setting to other clients' transactions;
  * a statement that pins the client session to one database connection (session advisory lock,
    LISTEN, PREPARE/EXECUTE/DEALLOCATE, DISCARD, cursors, temporary objects, nextval/setval) fails
    unless it is one of the pins the connection budget and the pinned-sessions alarm count
    (EXPECTED_PINS);
  * startup `options` on a PgConnectOptions fail: RDS Proxy refuses a connection that carries them
    ("RDS Proxy currently doesn't support command-line options"), unless they are sent only when
    `startup_options` (ECOMM_DB_STARTUP_OPTIONS) is on and the rendered chart (--chart) sets it to
    "false" on every Deployment that connects to the database (the serving pods, through the proxy;
    the migration Job connects directly and may send them).
"""
import argparse
import glob
import os
import re
import sys

import hcl2
import yaml

# What may pin, and why the budget allows for it.
EXPECTED_PINS = {
    "pg_try_advisory_lock": "the reconciler's lease: one session per cluster, pinned on purpose (the lock lives on it)",
    "PgListener": "LISTEN catalog_changes: one session per pod",
}
SESSION_SET = re.compile(r"^\s*(SET\s+(SESSION\s+)?(?!LOCAL\b|TRANSACTION\b)[a-z_.]+\s*(=|TO\b)|RESET\s+(ALL|[a-z_.]+)\s*$)", re.I)
SET_CONFIG_SESSION = re.compile(r"set_config\s*\([^)]*,\s*false\s*\)", re.I)
PINS = re.compile(r"\b(pg_advisory_lock(_shared)?|pg_try_advisory_lock(_shared)?|LISTEN|PREPARE|EXECUTE|DEALLOCATE|"
                  r"DISCARD|DECLARE|CREATE\s+TEMP(ORARY)?|nextval|setval)\b", re.I)
LITERAL = re.compile(r'r?#*"((?:[^"\\]|\\.)*)"#*', re.S)


def pinning_filters(tf_dir):
    for path in glob.glob(os.path.join(tf_dir, "*.tf")):
        with open(path) as f:
            doc = hcl2.load(f)
        for item in doc.get("resource", []):
            for kind, named in item.items():
                if kind.strip('"') == "aws_db_proxy_default_target_group":
                    for res in named.values():
                        for cfg in res.get("connection_pool_config", []):
                            return [x.strip('"') for x in cfg.get("session_pinning_filters", [])]
    return []


# `.options(` inside `if ….startup_options { … }`: sent only when the setting is on.
GATED_OPTIONS = re.compile(r"if\s+[\w.]*startup_options\s*\{[^}]*\.options\(", re.S)


def proxied_pods_sending_options(rendered):
    """Deployments with a database host whose ECOMM_DB_STARTUP_OPTIONS is not "false"."""
    bad = []
    with open(rendered) as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    for d in docs:
        if d.get("kind") != "Deployment":
            continue
        for c in d["spec"]["template"]["spec"].get("containers", []):
            env = {e["name"]: e.get("value") for e in c.get("env", [])}
            if "ECOMM_DB_HOST" in env and env.get("ECOMM_DB_STARTUP_OPTIONS") != "false":
                bad.append(f"{d['metadata']['name']}/{c['name']} "
                           f"(ECOMM_DB_STARTUP_OPTIONS={env.get('ECOMM_DB_STARTUP_OPTIONS')!r})")
    return bad


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--terraform", required=True)
    ap.add_argument("--src", required=True)
    ap.add_argument("--chart", metavar="RENDERED", help="the rendered chart the serving pods come from")
    a = ap.parse_args()
    filters = pinning_filters(a.terraform)
    print(f"  session_pinning_filters = {filters}")
    errors, notes = [], []
    files = sorted(p for p in glob.glob(os.path.join(a.src, "**", "*.rs"), recursive=True) if "sqlite" not in os.path.basename(p))
    for path in files:
        text = open(path).read()
        where = lambda pos: f"{os.path.relpath(path)}:{text.count(chr(10), 0, pos) + 1}"  # noqa: E731
        if "PgListener::" in text:
            notes.append(f"{where(text.index('PgListener::'))}: pins ({EXPECTED_PINS['PgListener']})")
        if "PgConnectOptions" in text and ".options(" in text:
            at = f"{where(text.index('.options('))}: startup `options` on the connection"
            if not GATED_OPTIONS.search(text):
                errors.append(at + ": RDS Proxy refuses them; send them only `if db.startup_options` "
                              "(the application role carries the timeouts: ALTER ROLE ... SET)")
            elif not a.chart:
                errors.append(at + ": gated by startup_options, but no --chart to show the proxied pods turn it off")
            else:
                bad = proxied_pods_sending_options(a.chart)
                for b in bad:
                    errors.append(f"{at}: {b} sends startup options through RDS Proxy, which refuses them "
                                  "(backend.database.startupOptions: false)")
                if not bad:
                    notes.append(at + ": only with ECOMM_DB_STARTUP_OPTIONS on; the chart's serving pods turn it off")
        for m in LITERAL.finditer(text):
            for stmt in m.group(1).split(";"):
                if SESSION_SET.match(stmt) or SET_CONFIG_SESSION.search(stmt):
                    what = f"{where(m.start())}: session-level {stmt.strip()[:60]!r}"
                    if "EXCLUDE_VARIABLE_SETS" in filters:
                        errors.append(what + ": with EXCLUDE_VARIABLE_SETS the proxy would hand it to other "
                                      "clients' transactions; use SET LOCAL inside the transaction")
                    else:
                        notes.append(what + ": pins the session")
                elif re.match(r"^\s*SET\s+(LOCAL|TRANSACTION)\b", stmt, re.I):
                    notes.append(f"{where(m.start())}: transaction-scoped {stmt.strip()[:50]!r}: "
                                 + ("not pinned (EXCLUDE_VARIABLE_SETS)" if "EXCLUDE_VARIABLE_SETS" in filters else "pins"))
                for p in PINS.finditer(stmt):
                    if not re.match(r"^\s*(SELECT|WITH|INSERT|UPDATE|DELETE|LISTEN|PREPARE|EXECUTE|DEALLOCATE|DISCARD|"
                                    r"DECLARE|CREATE)\b", stmt, re.I):
                        continue  # not SQL (a log message, a doc string)
                    name = p.group(1)
                    if name in EXPECTED_PINS:
                        notes.append(f"{where(m.start())}: pins ({EXPECTED_PINS[name]})")
                    else:
                        errors.append(f"{where(m.start())}: {name} pins the client session to one database "
                                      "connection through RDS Proxy: not in the connection budget or the pinned-sessions alarm")
    print(f"  {len(files)} files read")
    for n in notes:
        print("  note " + n)
    for e in errors:
        print("  FAIL " + e)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
