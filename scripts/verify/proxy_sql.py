#!/usr/bin/env python3
"""Hold the backend's SQL to what RDS Proxy does with it (docs/ecomm-architecture.md, "Through RDS Proxy").

  proxy_sql.py --terraform terraform --src backend/src [--known-startup-options WHY]

Reads every SQL string literal of the serving code (Rust sources; SQLite-only files skipped) and:
  * session_pinning_filters = EXCLUDE_VARIABLE_SETS (terraform/rds_proxy.tf) is safe only while every
    SET is transaction-scoped: a session-level SET, RESET or set_config(..., false) fails, since the
    proxy would hand that setting to other clients' transactions;
  * a statement that pins the client session to one database connection (session advisory lock,
    LISTEN, PREPARE/EXECUTE/DEALLOCATE, DISCARD, cursors, temporary objects, nextval/setval) fails
    unless it is one of the pins the connection budget and the pinned-sessions alarm count
    (EXPECTED_PINS);
  * startup `options` on a PgConnectOptions fail: RDS Proxy refuses a connection that carries them
    ("RDS Proxy currently doesn't support command-line options"). --known-startup-options downgrades
    this to a printed KNOWN line while the backend change is pending.
"""
import argparse
import glob
import os
import re
import sys

import hcl2

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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--terraform", required=True)
    ap.add_argument("--src", required=True)
    ap.add_argument("--known-startup-options", metavar="WHY")
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
            msg = (f"{where(text.index('.options('))}: startup `options` on the connection: RDS Proxy refuses them "
                   "(move statement_timeout/lock_timeout to ALTER ROLE ... SET)")
            (notes.append("KNOWN " + msg + f" [{a.known_startup_options}]") if a.known_startup_options else errors.append(msg))
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
