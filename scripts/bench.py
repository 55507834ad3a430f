"""Benchmark the reading pages under a production server.

Starts gunicorn (DEBUG off, compressed static files) on 127.0.0.1, sends a bounded number of
requests per page from concurrent keep-alive clients, prints requests per second and latency
percentiles, then stops the server. Uses the database in DATABASE_URL (default: the local
SQLite file with the demonstration data, see `make bench`).

    python scripts/bench.py [--requests 400] [--concurrency 8] [--workers 2]
"""

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = {
    "home (en)": "/en/",
    "home (ru)": "/ru/",
    "module (en)": "/en/modules/salw/",
    "module (ru)": "/ru/modules/uas/",
    "section (en)": "/en/modules/salw/salw-marking/",
    "section (ru)": "/ru/modules/general/general-acquisition/",
    "old edition section": "/en/editions/1.0/modules/uas/uas-geofencing/",
    "edition list": "/en/editions/",
    "compare 1.0-1.1 (en)": "/en/editions/1.0/compare/1.1/",
    "compare both (ru)": "/ru/editions/1.0/compare/1.1/?languages=both",
    "section change (ru)": "/ru/editions/1.0/compare/1.1/sections/salw-marking/",
    "editions feed": "/en/editions/feed/",
}


def server_env(port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DEBUG="0",
        SECRET_KEY=env.get("SECRET_KEY", "bench-only-secret-key-not-for-production-use-0123456789"),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_COOKIES="0",
    )
    return env


def start_server(port: int, workers: int) -> subprocess.Popen:
    env = server_env(port)
    python = sys.executable
    subprocess.run(
        [python, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    server = subprocess.Popen(
        [python, "-m", "gunicorn", "guidelines_portal.wsgi", f"--bind=127.0.0.1:{port}",
         f"--workers={workers}", "--log-level=warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/en/")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not answer within 30 s (is the demonstration data loaded?)")


def hammer(port: int, path: str, total: int, concurrency: int) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    remaining = [total]

    def client() -> None:
        nonlocal errors
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while True:
            with lock:
                if remaining[0] == 0:
                    break
                remaining[0] -= 1
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers={"Accept-Encoding": "gzip"})
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except OSError:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                ok = False
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                errors += 0 if ok else 1

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors, time.perf_counter() - started


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400, help="requests per page")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()

    server = start_server(args.port, args.workers)
    try:
        print(
            f"gunicorn, {args.workers} workers, {args.concurrency} concurrent clients, "
            f"{args.requests} requests per page, database: "
            f"{os.environ.get('DATABASE_URL', 'SQLite (db.sqlite3)').split('@')[-1]}\n"
        )
        print(
            f"{'page':<22} {'req/s':>8} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8} {'errors':>7}"
        )
        failed = 0
        for name, path in PAGES.items():
            hammer(args.port, path, 20, 2)  # warm up each worker
            latencies, errors, elapsed = hammer(args.port, path, args.requests, args.concurrency)
            failed += errors
            ms = [v * 1000 for v in latencies]
            print(
                f"{name:<22} {len(latencies) / elapsed:>8.1f} {statistics.median(ms):>8.1f} "
                f"{percentile(ms, 0.90):>8.1f} {percentile(ms, 0.99):>8.1f} {max(ms):>8.1f} {errors:>7}"
            )
    finally:
        server.terminate()
        server.wait(timeout=10)
    if failed:
        raise SystemExit(f"{failed} requests failed")


if __name__ == "__main__":
    main()
