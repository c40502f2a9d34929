#!/usr/bin/env python3
"""Run the egress proxy's real configuration (rendered by the chart) in Squid and try to get out.

  egress_proxy.py RENDERED_CHART.yaml

Takes squid.conf from the chart's egress-proxy ConfigMap, starts Squid with it on a free port
(as an unprivileged user when run as root, like the pod), and sends the requests a compromised
backend might: every allow-listed host on 443 must be let through (without internet the proxy then
answers 5xx, with it 200; never the allow-list's 403), anything else refused with 403: other
hosts, a subdomain of an allowed host, an IP address, another port, plain HTTP.
"""
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import yaml

REFUSED = [
    ("CONNECT", "example.com:443"),
    ("CONNECT", "attacker.example:443"),
    ("CONNECT", "1.1.1.1:443"),
    ("GET", "http://example.com/"),
]
UNPRIVILEGED = "10301"


def squid_conf(rendered):
    for doc in yaml.safe_load_all(open(rendered)):
        if doc and doc.get("kind") == "ConfigMap" and "squid.conf" in (doc.get("data") or {}):
            return doc["data"]["squid.conf"]
    sys.exit(f"no ConfigMap with squid.conf in {rendered}")


def ask(port, method, target):
    s = socket.create_connection(("127.0.0.1", port), timeout=20)
    host = target.split("/")[2] if "://" in target else target
    s.sendall(f"{method} {target} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
    line = s.makefile("rb").readline().decode(errors="replace").strip()
    s.close()
    m = re.match(r"HTTP/1\.[01] (\d{3})", line)
    return int(m.group(1)) if m else 0


def main():
    rendered = sys.argv[1]
    conf = squid_conf(rendered)
    allowed = re.search(r"^acl allowed_hosts dstdomain (.+)$", conf, re.M).group(1).split()
    squid = shutil.which("squid") or "/usr/sbin/squid"
    if not os.path.exists(squid):
        sys.exit("squid is not installed (apt-get install squid)")
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    work = tempfile.mkdtemp(prefix="egress-proxy-")
    os.chmod(work, 0o755)
    path = os.path.join(work, "squid.conf")
    with open(path, "w") as f:
        f.write(re.sub(r"^http_port \d+", f"http_port 127.0.0.1:{port}", conf, flags=re.M))
    os.chmod(path, 0o644)
    cmd = f"exec {squid} -N -f {path} 2>&1 | cat"  # a pipe of its own user: Squid reopens /dev/stdout
    if os.geteuid() == 0:
        argv = ["setpriv", "--reuid", UNPRIVILEGED, "--regid", UNPRIVILEGED, "--clear-groups", "sh", "-c", cmd]
    else:
        argv = ["sh", "-c", cmd]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    failures = 0
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if proc.poll() is not None:
                    sys.exit("squid did not start:\n" + proc.stdout.read().decode())
                time.sleep(0.1)
        cases = [("CONNECT", f"{h.lstrip('.')}:443", True) for h in allowed]
        cases += [("CONNECT", f"{h.lstrip('.')}:8443", False) for h in allowed]
        cases += [("CONNECT", f"evil.{h}:443", False) for h in allowed if not h.startswith(".")]
        cases += [("GET", f"http://{h.lstrip('.')}/", False) for h in allowed]
        cases += [(m, t, False) for m, t in REFUSED]
        for method, target, let_through in cases:
            status = ask(port, method, target)
            ok = (status not in (0, 403)) if let_through else status == 403
            want = "let through (not 403)" if let_through else "refused (403)"
            print(f"  {'ok  ' if ok else 'FAIL'} {method} {target}: {status}, want {want}")
            failures += not ok
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, 15)
            proc.wait(timeout=15)
        shutil.rmtree(work, ignore_errors=True)
    print(f"  allow-list: {' '.join(allowed)}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
