"""E-mail alerts at scale: a publication announced to 10,000 subscribers by the background
worker, while readers keep reading.

Loads the demonstration data into a fresh SQLite database (a temporary folder), adds
``--subscribers`` confirmed subscribers (half following the whole guidelines, the rest a
module or a section, a third of them in Russian), starts gunicorn and the worker as
`make run` does (messages written to files instead of a mail server), measures a section
page with wrk, publishes a new edition that changes one section, and measures the page again
while the worker sends. Prints the time from the publication to the last message, against the
goal of 10 minutes, and the page's rate and p99 before and during the sending.

    python scripts/bench_alerts.py [--subscribers 10000]
"""

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import migrate_and_load, publish_changed_edition, start_server, wrk

ROOT = Path(__file__).resolve().parent.parent
GOAL_SECONDS = 600
PAGE = "/en/modules/salw/salw-tracing/"


def add_subscribers(count: int) -> None:
    from django.utils import timezone

    from alerts.models import Follow, Scope, Subscriber
    from modules.models import Edition

    current = Edition.objects.current()
    modules = list(current.modules.values_list("slug", flat=True))
    keys = list(current.sections.values_list("key", flat=True))
    now, pick = timezone.now(), random.Random(2370)  # noqa: S311 (test data, not secrets)
    subscribers = Subscriber.objects.bulk_create(
        (
            Subscriber(email=f"reader{n}@example.org", language="ru" if n % 3 == 0 else "en",
                       key=f"bench-{n}", confirmed_at=now, digest_since=now)
            for n in range(count)
        ),
        batch_size=1000,
    )  # fmt: skip
    follows = []
    for n, subscriber in enumerate(subscribers):
        if n % 2 == 0:
            scope, target = Scope.WHOLE, ""
        elif n % 5 in (1, 3):
            scope, target = Scope.MODULE, pick.choice(modules)
        else:
            scope, target = Scope.SECTION, pick.choice(keys)
        follows.append(Follow(subscriber=subscriber, scope=scope, target=target, confirmed_at=now))
    Follow.objects.bulk_create(follows, batch_size=1000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--port", type=int, default=8011)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--timeout", type=int, default=1200)
    args = parser.parse_args()
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    from guidelines_portal.local_server import production_env, worker_command

    folder = tempfile.mkdtemp(prefix="bench-alerts-")
    os.environ.update(
        DATABASE_URL=f"sqlite:///{folder}/bench.sqlite3",
        MEDIA_ROOT=f"{folder}/media",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=f"{folder}/mail",
    )
    os.environ.update(production_env(os.environ, port=args.port))
    migrate_and_load()

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guidelines_portal.settings")
    django.setup()

    from alerts.models import Delivery, DeliveryStatus
    from guidelines_portal.page_store.store import store
    from modules.models import EditionPDF, PDFStatus

    add_subscribers(args.subscribers)
    log = Path(folder) / "worker.log"
    print(f"{args.subscribers} subscribers; the worker's log: {log}")
    with log.open("wb") as output:
        worker = subprocess.Popen(
            worker_command(), cwd=ROOT, env=os.environ.copy(), stdout=output, stderr=output
        )
    server = start_server(args.port, 2)
    try:
        _wait(lambda: not EditionPDF.objects.exclude(status=PDFStatus.READY).exists(), args.timeout)
        _wait(lambda: (store.fresh_state() or store.begin()).pending is None, args.timeout)
        wrk(args.port, PAGE, 2, 4)  # warm
        before = wrk(args.port, PAGE, args.seconds, 16)

        edition = publish_changed_edition(notify=True)
        committed = time.perf_counter()
        batch = f"edition:{edition.number}"
        deliveries = Delivery.objects.filter(batch=batch)
        _wait(deliveries.exists, args.timeout)  # planned
        during = wrk(args.port, PAGE, args.seconds, 16)
        sent_during = deliveries.filter(status=DeliveryStatus.SENT).count()
        open_states = [DeliveryStatus.PENDING, DeliveryStatus.SENDING]
        _wait(lambda: not deliveries.filter(status__in=open_states).exists(), args.timeout)
        elapsed = time.perf_counter() - committed
        sent = deliveries.filter(status=DeliveryStatus.SENT).count()
        failed = deliveries.exclude(status=DeliveryStatus.SENT).count()
        files = list(Path(folder, "mail").glob("*"))
        written = sum(p.read_bytes().count(b"\nList-Unsubscribe-Post: ") for p in files)
        verdict = "met" if elapsed <= GOAL_SECONDS and not failed else "MISSED"
        print(f"\nEdition {edition.number} announced (SQLite, one worker, 2 gunicorn workers):")
        print(f"  {sent} messages sent ({written} written out), {failed} not sent")
        print(f"  last message {elapsed:6.1f} s after publishing ({sent / elapsed:.0f}/s);"
              f" goal {GOAL_SECONDS} s: {verdict}")  # fmt: skip
        ratio = during[0] / before[0] if before[0] else float("nan")
        print(f"  {PAGE} before: {before[0]:7.0f} req/s, p99 {before[2]:5.1f} ms")
        print(f"  {PAGE} during: {during[0]:7.0f} req/s, p99 {during[2]:5.1f} ms"
              f" ({sent_during} messages sent by then); ratio {ratio:.2f}")  # fmt: skip
    finally:
        server.terminate()
        worker.send_signal(signal.SIGINT)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
        server.wait(timeout=30)


def _wait(ready, timeout: int) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise SystemExit(f"Not done within {timeout} s.")
        time.sleep(0.5)


if __name__ == "__main__":
    main()
