"""Load test: readers and feedback submitters at the same time against a production server.

Starts gunicorn (DEBUG off, --workers 2) on PostgreSQL with Redis as the shared cache. For
--seconds, --readers clients fetch a mix of public pages in English and Russian (sections,
modules, home, search, edition list, a comparison, the feedback form) while --writers clients
post distinct comments (one in five sent twice at once, like a double click) and open the
receipt page each submission redirects to. Prints, per kind of request, the count, requests
per second, latency percentiles and status codes; then checks that no response was a 5xx,
that every accepted submission is stored exactly once with the nonce and comment it was sent
with (a double click included), that none was lost, and that both server processes counted
the submissions in the one shared Redis. Exits non-zero when a check fails.

    python scripts/bench_load.py [--seconds 30] [--readers 8] [--writers 2]
    python scripts/bench_load.py --sqlite --no-redis    # without PostgreSQL or Redis

Database: BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/guidelines_bench_load
(created, migrated and loaded with the demonstration data if needed); --sqlite: a fresh file
in a temporary folder. Cache: Redis database --redis-db (default 14) on 127.0.0.1:6379,
flushed at the start. Every client is 127.0.0.1, so the feedback and search rate limits are
raised for the server: the counters still run (in Redis) but never refuse. E-mail is queued
for the worker, which does not run here (the locmem backend catches anything sent).
"""

import argparse
import http.client
import os
import random
import statistics
import sys
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from pathlib import Path

from bench import (
    PG_DEFAULT,
    SEARCHES,
    percentile,
    prepare_postgres,
    start_server,
    use_temporary_sqlite,
)
from bench_feedback import check_stored, form_headers, submission

ROOT = Path(__file__).resolve().parent.parent
RATE_LIMIT = 1_000_000
DOUBLE_CLICK_EVERY = 5
TIMEOUT = 30
# Share of the reads per kind of page: readers mostly read sections.
READ_WEIGHTS = {
    "section": 40,
    "module": 15,
    "home": 10,
    "search": 12,
    "feedback form": 10,
    "comparison": 8,
    "edition list": 5,
}


def prepare(args: argparse.Namespace) -> str:
    """Database and cache for the server (through the environment); a line describing them."""
    if args.sqlite:
        use_temporary_sqlite("bench-load-")
    else:
        os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"{PG_DEFAULT}_load")
        prepare_postgres(scale=1)
    os.environ.update(
        FEEDBACK_RATE_LIMIT=str(RATE_LIMIT),
        SEARCH_RATE_LIMIT=str(RATE_LIMIT),
        # The editors' alert and the acknowledgement are composed as in production, not sent.
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    if args.no_redis:
        os.environ.pop("CACHE_URL", None)
        cache = "local memory, per process (--no-redis)"
    else:
        import redis

        url = f"redis://127.0.0.1:6379/{args.redis_db}"
        try:
            redis.Redis.from_url(url).flushdb()
        except redis.exceptions.ConnectionError:
            raise SystemExit(
                "Redis is not reachable on 127.0.0.1:6379 (or use --no-redis)"
            ) from None
        os.environ["CACHE_URL"] = url
        cache = f"{url} (flushed)"
    return f"database {os.environ['DATABASE_URL'].split('@')[-1]}, cache {cache}"


def read_mix() -> tuple[dict[str, list[str]], list[str]]:
    """({kind of page: paths}, section keys), from the current edition's own content."""
    import django

    django.setup()
    from django.db import connections

    from modules.models import Edition, EditionModule, EditionSection

    editions = list(Edition.objects.published()[:2])
    if not editions:
        raise SystemExit("No published edition: load the demonstration data first.")
    current = editions[0]
    modules = list(EditionModule.objects.filter(edition=current).values_list("slug", flat=True))
    sections = list(
        EditionSection.objects.filter(edition=current).values_list("module__slug", "key")
    )
    connections.close_all()
    both = ("en", "ru")
    keys = [key for _module, key in sections]
    mix = {
        "section": [f"/{lang}/modules/{m}/{k}/" for lang in both for m, k in sections],
        "module": [f"/{lang}/modules/{m}/" for lang in both for m in modules],
        "home": [f"/{lang}/" for lang in both],
        "search": [urllib.parse.quote(p, safe="/?=&+%") for p in SEARCHES.values()],
        "feedback form": [f"/{lang}/feedback/?section={k}" for lang in both for k in keys]
        + [f"/{lang}/feedback/" for lang in both],
        "comparison": [
            f"/{lang}/editions/{editions[-1].number}/compare/{current.number}/{query}"
            for lang in both
            for query in ("", "?languages=both")
        ]
        if len(editions) == 2
        else [],
        "edition list": [f"/{lang}/editions/" for lang in both],
    }
    return {kind: paths for kind, paths in mix.items() if paths}, keys


class Recorder:
    """Every response: (kind, page, status, seconds); status 0 is a connection failure."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, int, float]] = []
        self.submissions: list[tuple[dict, int]] = []
        self.lock = threading.Lock()

    def add(self, kind: str, page: str, status: int, seconds: float) -> None:
        with self.lock:
            self.rows.append((kind, page, status, seconds))


def fetch(
    connection: http.client.HTTPConnection, method: str, path: str, body: str = "", headers=None
) -> tuple[int, str, float]:
    """(status, Location header, seconds); a broken connection is status 0 and reopened."""
    started = time.perf_counter()
    try:
        connection.request(method, path, body or None, headers or {"Accept-Encoding": "gzip"})
        response = connection.getresponse()
        response.read()
        status, location = response.status, response.getheader("Location", "")
    except (OSError, http.client.HTTPException):
        connection.close()  # the next request opens a new one
        status, location = 0, ""
    return status, location, time.perf_counter() - started


def reader(seed: int, port: int, mix: dict, until: float, record: Recorder) -> None:
    rng = random.Random(seed)  # noqa: S311 - picks pages, not secrets
    kinds = list(mix)
    weights = [READ_WEIGHTS[kind] for kind in kinds]
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    while time.monotonic() < until:
        page = rng.choices(kinds, weights)[0]
        status, _location, seconds = fetch(connection, "GET", rng.choice(mix[page]))
        record.add("read", page, status, seconds)
    connection.close()


def writer(
    index: int, writers: int, port: int, run: str, keys: list, until: float, record: Recorder
) -> None:
    """Post distinct comments back to back; every DOUBLE_CLICK_EVERY-th one twice at once."""
    headers = form_headers(port)
    connections = [http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT) for _ in range(2)]
    number = index
    while time.monotonic() < until:
        payload = submission(run, number)
        payload["about"] = f"section:{keys[number % len(keys)]}"
        path = f"/{('en', 'ru')[number % 2]}/feedback/"
        body = urllib.parse.urlencode(payload)
        outcomes: list[tuple[int, str, float]] = []

        def post(connection, payload=payload, path=path, body=body, outcomes=outcomes) -> None:
            outcome = fetch(connection, "POST", path, body, headers)
            outcomes.append(outcome)
            record.add("submit", path, outcome[0], outcome[2])
            with record.lock:
                record.submissions.append((payload, outcome[0]))

        second = None
        if number % DOUBLE_CLICK_EVERY == 0:
            second = threading.Thread(target=post, args=(connections[1],))
            second.start()
        post(connections[0])
        if second is not None:
            second.join()
        location = next((loc for status, loc, _s in outcomes if status == 302), "")
        if location:
            parts = urllib.parse.urlsplit(location)
            status, _location, seconds = fetch(connections[0], "GET", f"{parts.path}?{parts.query}")
            record.add("receipt", "tracking page", status, seconds)
        number += writers
    for connection in connections:
        connection.close()


def run_clients(args, mix: dict, keys: list, run: str, seconds: float, writers: int) -> tuple:
    """Readers and writers for ``seconds``; (recorder, elapsed seconds until the last answer)."""
    record = Recorder()
    until = time.monotonic() + seconds
    threads = [
        threading.Thread(target=reader, args=(seed, args.port, mix, until, record))
        for seed in range(args.readers)
    ] + [
        threading.Thread(target=writer, args=(i, writers, args.port, run, keys, until, record))
        for i in range(writers)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return record, time.perf_counter() - started


def report(record: Recorder, elapsed: float) -> None:
    """Per kind of request, then per kind of page read: count, rate, latency, statuses."""
    by_kind: dict[str, list] = {}
    by_page: dict[str, list] = {}
    for kind, page, status, seconds in record.rows:
        by_kind.setdefault(kind, []).append((status, seconds))
        if kind == "read":
            by_page.setdefault(page, []).append((status, seconds))
    print(
        f"{'':<16} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p90 ms':>7} {'p99 ms':>7} {'max ms':>7}  statuses"
    )
    for kind in ("read", "submit", "receipt"):
        print_row(kind, by_kind.get(kind, []), elapsed)
    print("reads by page:")
    for page in READ_WEIGHTS:
        print_row(f"  {page}", by_page.get(page, []), elapsed)


def print_row(name: str, answers: list[tuple[int, float]], elapsed: float) -> None:
    if not answers:
        print(f"{name:<16} {0:>8}")
        return
    ms = [seconds * 1000 for _status, seconds in answers]
    statuses = dict(sorted(Counter(status for status, _s in answers).items()))
    print(
        f"{name:<16} {len(ms):>8} {len(ms) / elapsed:>7.1f} {statistics.median(ms):>7.0f} "
        f"{percentile(ms, 0.9):>7.0f} {percentile(ms, 0.99):>7.0f} {max(ms):>7.0f}  {statuses}"
    )


def check(record: Recorder, run: str, redis_db: int | None) -> list[str]:
    """What went wrong: 5xx and failed connections, refused or lost or doubled submissions."""
    problems = [
        f"{kind} {page}: " + (f"HTTP {status}" if status else "connection failed")
        for kind, page, status, _s in record.rows
        if kind != "submit" and (status >= 500 or status == 0)  # submissions: check_stored()
    ]
    problems += [
        f"{kind} {page}: HTTP {status} (expected {expected})"
        for kind, page, status, _s in record.rows
        for expected in [{"read": 200, "submit": 302, "receipt": 200}[kind]]
        if status != expected and 0 < status < 500
    ]
    problems += check_stored(run, record.submissions)

    from feedback.models import Feedback

    sent = {p["nonce"]: p["comment"] for p, _status in record.submissions}
    stored = Feedback.objects.filter(email__startswith=f"load-{run}-")
    problems += [
        f"nonce {nonce}: stored with another comment or nonce"
        for nonce, comment in stored.values_list("form_nonce", "comment")
        if sent.get(nonce) != comment
    ]
    if redis_db is not None:
        import redis

        client = redis.Redis(host="127.0.0.1", port=6379, db=redis_db)
        counted = sum(
            int(client.get(key) or 0) for key in client.scan_iter("*:ratelimit:feedback-ip:*")
        )
        limited = sum(1 for _p, status in record.submissions if status in (200, 302, 429))
        print(
            f"Redis db {redis_db}: {len(client.keys('*'))} keys; the server counted {counted} submissions from 127.0.0.1"
        )
        if counted != limited:
            problems.append(
                f"Redis counted {counted} submissions for 127.0.0.1, the clients got {limited} "
                "answers past the rate limit: the workers do not share the cache"
            )
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30, help="length of the measured run")
    parser.add_argument("--readers", type=int, default=8, help="concurrent reading clients")
    parser.add_argument("--writers", type=int, default=2, help="concurrent feedback submitters")
    parser.add_argument("--warmup", type=float, default=3, help="seconds of reading, not measured")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--port", type=int, default=8767)
    parser.add_argument("--redis-db", type=int, default=14, help="Redis database, flushed first")
    parser.add_argument("--no-redis", action="store_true", help="per-process local-memory cache")
    parser.add_argument("--sqlite", action="store_true", help="a temporary SQLite database")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guidelines_portal.settings")
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)

    described = prepare(args)
    mix, keys = read_mix()
    print(
        f"Load: {args.seconds:g} s, {args.readers} readers and {args.writers} writers on gunicorn "
        f"with {args.workers} workers, {described}.\n"
        f"FEEDBACK_RATE_LIMIT and SEARCH_RATE_LIMIT raised to {RATE_LIMIT} for the server: "
        "every client is 127.0.0.1.\n"
        f"Reads: {sum(len(p) for p in mix.values())} distinct pages, en and ru. Submissions: one "
        f"in {DOUBLE_CLICK_EVERY} sent twice at once (a double click)."
    )
    run = uuid.uuid4().hex[:8]
    server = start_server(args.port, args.workers)
    try:
        run_clients(args, mix, keys, run, args.warmup, writers=0)
        record, elapsed = run_clients(args, mix, keys, run, args.seconds, args.writers)
    finally:
        server.terminate()
        server.wait(timeout=10)
    distinct = len({p["nonce"] for p, _status in record.submissions})
    print(f"{elapsed:.1f} s to the last answer; {distinct} distinct submissions.\n")
    report(record, elapsed)
    problems = check(record, run, None if args.no_redis else args.redis_db)
    if problems:
        print(f"{len(problems)} problems:\n  " + "\n  ".join(problems[:30]), file=sys.stderr)
        raise SystemExit(1)
    print(
        f"No 5xx; every one of the {distinct} submissions is stored exactly once, double "
        "clicks included; none lost."
    )


if __name__ == "__main__":
    main()
