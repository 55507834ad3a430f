"""Load-test feedback: concurrent submissions to a production server, then a triage queue of
100,000 items.

1. Starts gunicorn (DEBUG off) on a database of its own, sends --submissions comments from
   --concurrency clients at once (one in ten sent twice, like a double click), then checks in
   the database that every accepted submission is stored exactly once and that no response
   was a 5xx. Prints throughput and latency percentiles.
2. Fills the same database up to --triage items and times the back office's triage list with
   its filters (in-process, signed in as a superuser), printing milliseconds and queries.

    python scripts/bench_feedback.py [--submissions 300] [--concurrency 20] [--triage 100000]
    python scripts/bench_feedback.py --postgres

SQLite: a fresh file in a temporary folder. --postgres: the database in BENCH_DATABASE_URL
(default postgres://postgres@127.0.0.1:5432/guidelines_bench), created if needed.
"""

import argparse
import http.client
import os
import statistics
import sys
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

from bench import PG_DEFAULT, percentile, prepare_postgres, start_server, use_temporary_sqlite

ROOT = Path(__file__).resolve().parent.parent


def prepare_database(postgres: bool) -> None:
    if postgres:
        os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", PG_DEFAULT)
        prepare_postgres(scale=1)
    else:
        use_temporary_sqlite("bench-feedback-")


def submission(run: str, n: int) -> dict[str, str]:
    return {
        "about": "section:salw-marking",
        "kind": ("general", "technical", "editorial")[n % 3],
        "comment": f"Load test {run} comment number {n}: marking of polymer frames.",
        "category": "practitioner",
        "country": "NO",
        "name": f"Load tester {n}",
        "email": f"load-{run}-{n}@example.org",
        "publishable": "on",
        "nonce": f"{run}-{n}",
    }


def form_headers(port: int) -> dict[str, str]:
    """What a browser sends with the form from the site's own page (no CSRF cookie needed)."""
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "Origin": f"http://127.0.0.1:{port}",
        "Sec-Fetch-Site": "same-origin",
    }


def send_all(port: int, payloads: list[dict], concurrency: int) -> tuple[list, list, float]:
    """POST every payload; (latencies, (payload, status) pairs, elapsed seconds)."""
    latencies, results = [], []
    lock = threading.Lock()
    queue = list(payloads)
    headers = form_headers(port)

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                if not queue:
                    break
                payload = queue.pop()
            started = time.perf_counter()
            try:
                connection.request(
                    "POST", "/en/feedback/", urllib.parse.urlencode(payload), headers
                )
                response = connection.getresponse()
                response.read()
                status = response.status
            except OSError:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                status = 0
            with lock:
                latencies.append(time.perf_counter() - started)
                results.append((payload, status))

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, results, time.perf_counter() - started


def check_stored(run: str, results: list) -> list[str]:
    """Every accepted submission stored exactly once; nothing stored twice or lost."""
    import django

    django.setup()
    from feedback.models import Feedback

    problems = []
    stored: dict[str, int] = {}
    for email in Feedback.objects.filter(email__startswith=f"load-{run}-").values_list(
        "email", flat=True
    ):
        stored[email] = stored.get(email, 0) + 1
    accepted = {p["email"] for p, status in results if status == 302}
    problems += [f"{e} stored {n} times" for e, n in stored.items() if n != 1]
    problems += [f"{e} accepted but not stored" for e in accepted - stored.keys()]
    problems += [f"{e} stored but never accepted" for e in stored.keys() - accepted]
    problems += [f"{p['email']}: HTTP {s}" for p, s in results if s >= 500 or s == 0]
    return problems


def load_test(args) -> None:
    os.environ.update(
        FEEDBACK_RATE_LIMIT="0",  # every client is 127.0.0.1
        FEEDBACK_NOTIFY_EDITORS="0",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    run = uuid.uuid4().hex[:8]
    payloads = [submission(run, n) for n in range(args.submissions)]
    payloads += payloads[::10]  # one in ten sent twice
    server = start_server(args.port, args.workers)
    try:
        latencies, results, elapsed = send_all(args.port, payloads, args.concurrency)
    finally:
        server.terminate()
        server.wait(timeout=10)
    ms = [v * 1000 for v in latencies]
    statuses: dict[int, int] = {}
    for _payload, status in results:
        statuses[status] = statuses.get(status, 0) + 1
    print(
        f"Feedback submissions: {len(payloads)} POSTs ({args.submissions} distinct) from "
        f"{args.concurrency} clients, gunicorn {args.workers} workers, "
        f"{os.environ['DATABASE_URL'].split('@')[-1]}"
    )
    print(
        f"  {len(latencies) / elapsed:.1f} submissions/s; p50 {statistics.median(ms):.0f} ms, "
        f"p90 {percentile(ms, 0.9):.0f} ms, p99 {percentile(ms, 0.99):.0f} ms, "
        f"max {max(ms):.0f} ms; statuses {dict(sorted(statuses.items()))}"
    )
    problems = check_stored(run, results)
    if problems:
        raise SystemExit("Lost or duplicated submissions:\n  " + "\n  ".join(problems[:20]))
    print(f"  every accepted submission is stored exactly once ({args.submissions} items).")


def triage_test(target: int) -> None:
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import override_settings
    from django.utils import timezone

    from feedback.models import Feedback
    from modules.models import Edition, Section

    missing = target - Feedback.objects.count()
    if missing > 0:
        edition = Edition.objects.current()
        sections = list(Section.objects.select_related("module"))
        today = timezone.localdate()
        started = time.perf_counter()
        for start in range(0, missing, 5000):
            Feedback.objects.bulk_create(
                [
                    Feedback(
                        reference=f"FB-B{uuid.uuid4().hex[:12]}",
                        edition=edition,
                        language="en",
                        module=s.module,
                        section=s,
                        section_key=s.key,
                        kind="technical",
                        comment=f"Triage bench comment {n}",
                        category="practitioner",
                        country=("NO", "KZ", "BR", "FR")[n % 4],
                        name="Bench",
                        email=f"triage{n}@example.org",
                        received_on=today,
                        fingerprint=uuid.uuid4().hex,
                        status=("received", "under_review", "not_accepted")[n % 3],
                    )
                    for n in range(start, min(start + 5000, missing))
                    for s in [sections[n % len(sections)]]
                ]
            )
        print(f"Added {missing} feedback items in {time.perf_counter() - started:.1f} s.")
    admin, _created = User.objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(admin)
    section = Section.objects.get(key="salw-marking")
    queries = {
        "triage list": "",
        "status filter": "?status__exact=received",
        "open, by section": f"?progress=open&section__id__exact={section.pk}",
        "country + type": "?country=KZ&kind__exact=technical",
        "search a reference": "?q=FB-2022-0001",
        "search comment text": "?q=bench+comment+99999",
        "page 200": "?p=200",
    }
    print(f"Triage list with {Feedback.objects.count()} items (in-process, superuser):")
    with override_settings(DEBUG=True, ALLOWED_HOSTS=["testserver"]):
        for name, query in queries.items():
            client.get(f"/admin/feedback/feedback/{query}")  # warm up
            times = []
            for _ in range(5):
                reset_queries()
                started = time.perf_counter()
                response = client.get(f"/admin/feedback/feedback/{query}")
                times.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"{name}: HTTP {response.status_code}")
            print(
                f"  {name:<22} median {statistics.median(times):7.1f} ms, "
                f"{len(connection.queries)} queries"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--triage", type=int, default=100_000, help="items in the triage list")
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guidelines_portal.settings")
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    prepare_database(args.postgres)
    load_test(args)
    if args.triage:
        triage_test(args.triage)


if __name__ == "__main__":
    main()
