#!/usr/bin/env python3
"""N concurrent registrations against a running `ecomm serve` while
/health is polled; prints peak RSS of the server (VmHWM) and /health latency percentiles.

    scripts/register-flood.py --base http://127.0.0.1:PORT --pid PID [--n 60] [--rounds 3]
"""
import argparse, json, threading, time, urllib.error, urllib.request, uuid
from collections import Counter

def rss_kib(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0

def post(url, body):
    req = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except Exception:
        return "error"

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--n", type=int, default=60)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    before = rss_kib(a.pid, "VmRSS")
    stop = threading.Event()
    lat = []
    def poll():
        while not stop.is_set():
            t = time.perf_counter()
            try:
                urllib.request.urlopen(a.base + "/health", timeout=10).read()
                lat.append((time.perf_counter() - t) * 1000)
            except Exception:
                lat.append(10_000.0)
            time.sleep(0.01)
    poller = threading.Thread(target=poll); poller.start()
    statuses = Counter()
    for _ in range(a.rounds):
        results = [None] * a.n
        def reg(i):
            body = {"email": f"flood-{uuid.uuid4().hex}@example.com", "password": "long enough password", "name": "Flood"}
            results[i] = post(a.base + "/api/auth/register", body)
        threads = [threading.Thread(target=reg, args=(i,)) for i in range(a.n)]
        for t in threads: t.start()
        for t in threads: t.join()
        statuses.update(results)
    stop.set(); poller.join()
    lat.sort()
    pct = lambda p: lat[min(len(lat) - 1, int(len(lat) * p / 100))]
    print(json.dumps({
        "concurrent_registrations": a.n, "rounds": a.rounds, "statuses": {str(k): v for k, v in statuses.items()},
        "rss_before_mib": round(before / 1024, 1), "peak_rss_mib": round(rss_kib(a.pid, "VmHWM") / 1024, 1),
        "health_samples": len(lat), "health_p50_ms": round(pct(50), 1), "health_p99_ms": round(pct(99), 1),
        "health_max_ms": round(lat[-1], 1),
    }))

main()
