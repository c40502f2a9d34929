#!/usr/bin/env python3
"""Run the storefront's real nginx configuration and assert the headers of what it serves.

  nginx_headers.py [--backend-headers backend/src/http/headers.rs] NGINX_CONF

Starts nginx (the binary on PATH or /usr/sbin/nginx) with NGINX_CONF on a free port, a stub SPA
(index.html + a hashed asset) and a dead upstream, then requests the storefront document (/,
/index.html, a client-side route), an asset and /health as the ALB forwards them (over TLS:
X-Forwarded-Proto: https) and as plain HTTP. Every response over TLS must carry HSTS, with the
value the backend sends (HSTS in headers.rs), and the security headers; plain HTTP must not
carry HSTS (browsers ignore it there, and the backend does not send it either).
"""
import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

PATHS = ["/", "/index.html", "/products/42?q=x", "/assets/app-1a2b3c.js", "/health"]
ALWAYS = ["content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy"]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def get(url, headers):
    req = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--backend-headers", default="backend/src/http/headers.rs")
    ap.add_argument("conf")
    a = ap.parse_args()
    m = re.search(r'pub const HSTS: &str = "([^"]+)"', open(a.backend_headers).read())
    want_hsts = m.group(1)
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.path.exists(nginx):
        sys.exit("nginx is not installed (apt-get install nginx)")
    port = free_port()
    work = tempfile.mkdtemp(prefix="nginx-headers-")
    os.chmod(work, 0o755)  # workers may run as another user
    try:
        conf_dir, html = os.path.join(work, "conf"), os.path.join(work, "html")
        os.makedirs(os.path.join(html, "assets"))
        os.makedirs(conf_dir)
        for d in (conf_dir, html, os.path.join(html, "assets")):
            os.chmod(d, 0o755)
        with open(os.path.join(html, "index.html"), "w") as f:
            f.write('<!doctype html><script type="module" src="/assets/app-1a2b3c.js"></script>')
        with open(os.path.join(html, "assets", "app-1a2b3c.js"), "w") as f:
            f.write("console.log('app')")
        conf = open(a.conf).read()
        conf = re.sub(r"listen\s+8080", f"listen 127.0.0.1:{port}", conf)
        conf = re.sub(r"^pid\s+\S+;", f"pid {work}/nginx.pid;", conf, flags=re.M)
        conf = re.sub(r"(_temp_path\s+)/tmp/", rf"\g<1>{work}/", conf)
        open(os.path.join(conf_dir, "nginx.conf"), "w").write(conf)
        shutil.copy("/etc/nginx/mime.types", os.path.join(conf_dir, "mime.types"))
        open(os.path.join(conf_dir, "upstream.conf"), "w").write("upstream ecomm_backend { server 127.0.0.1:9; }\n")
        proc = subprocess.Popen([nginx, "-p", work, "-c", os.path.join(conf_dir, "nginx.conf"), "-e", "stderr",
                                 "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            for _ in range(50):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    if proc.poll() is not None:
                        sys.exit("nginx did not start:\n" + proc.stderr.read().decode())
                    time.sleep(0.1)
            failures = 0
            for path in PATHS:
                url = f"http://127.0.0.1:{port}{path}"
                status, h = get(url, {"X-Forwarded-Proto": "https", "Host": "shop.example.com"})
                got = h.get("strict-transport-security")
                problems = []
                if status != 200:
                    problems.append(f"status {status}")
                if got != want_hsts:
                    problems.append(f"Strict-Transport-Security is {got!r}, want {want_hsts!r}")
                if path != "/health":
                    problems += [f"no {n}" for n in ALWAYS if n not in h]
                _, plain = get(url, {"Host": "shop.example.com"})
                if "strict-transport-security" in plain:
                    problems.append("HSTS sent over plain HTTP")
                print(f"  {'FAIL' if problems else 'ok  '} GET {path} (X-Forwarded-Proto: https): "
                      + ("; ".join(problems) if problems else f"Strict-Transport-Security: {got}"))
                failures += bool(problems)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
        sys.exit(1 if failures else 0)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
