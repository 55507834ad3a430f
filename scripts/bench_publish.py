"""From publishing a new edition to everything readers get of it being ready, on this machine.

Loads the demonstration data into a fresh SQLite database (a temporary folder, with its own
media folder), starts the background worker exactly as `make run` does, changes one section
and publishes a new edition, then times, from the moment the publication is committed:

- the stored pages of the new edition switched on (the worker renders them all first);
- every PDF of the new edition ready (whole and each module, in both languages).

Then it measures the idle worker's CPU for a while (goal: no measurable cost).

    python scripts/bench_publish.py [--idle-seconds 30]
"""

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import migrate_and_load, publish_changed_edition

ROOT = Path(__file__).resolve().parent.parent
READY_GOAL_SECONDS = 60
IDLE_GOAL_PERCENT = 0.5  # of one core


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of the process ``pid`` so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--idle-seconds", type=int, default=30)
    parser.add_argument("--timeout", type=int, default=600)
    args = parser.parse_args()
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    from guidelines_portal.local_server import production_env, worker_command

    folder = tempfile.mkdtemp(prefix="bench-publish-")
    os.environ.update(
        DATABASE_URL=f"sqlite:///{folder}/bench.sqlite3", MEDIA_ROOT=f"{folder}/media"
    )
    os.environ.update(production_env(os.environ, port=8000))
    migrate_and_load()

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guidelines_portal.settings")
    django.setup()

    from guidelines_portal.page_store.store import store
    from modules.models import EditionPDF, PDFStatus

    # The demonstration's own PDFs and pages are queued by load_demo: let the worker finish
    # them first, so the figure is the new edition's alone.
    log = Path(folder) / "worker.log"
    print(f"The worker's log: {log}")
    with log.open("wb") as output:
        worker = subprocess.Popen(
            worker_command(), cwd=ROOT, env=os.environ.copy(), stdout=output, stderr=output
        )
    try:
        _wait(lambda: not EditionPDF.objects.exclude(status=PDFStatus.READY).exists(), args.timeout)
        _wait(lambda: (store.fresh_state() or store.begin()).pending is None, args.timeout)
        edition = publish_changed_edition(notify=False)
        committed = time.perf_counter()
        staged = store.fresh_state()
        pending = staged.pending if staged else None
        pdfs = EditionPDF.objects.filter(edition=edition)
        pages_at = pdfs_at = None
        while time.perf_counter() - committed < args.timeout:
            now = time.perf_counter() - committed
            state = store.fresh_state()
            if pages_at is None and (pending is None or (state and state.generation >= pending)):
                pages_at = now
            if pdfs_at is None and not pdfs.exclude(status=PDFStatus.READY).exists():
                pdfs_at = now
            if pdfs.filter(status=PDFStatus.FAILED).exists():
                raise SystemExit(f"A PDF failed to build: see {log}.")
            if pages_at is not None and pdfs_at is not None:
                break
            time.sleep(0.25)
        else:
            raise SystemExit(f"Not ready within {args.timeout} s.")
        count, pages = pdfs.count(), sum(p.pages or 0 for p in pdfs)
        verdict = "met" if max(pages_at, pdfs_at) <= READY_GOAL_SECONDS else "MISSED"
        print(f"\nEdition {edition.number} published (demonstration data, SQLite, one worker):")
        print(f"  stored pages switched on after {pages_at:6.1f} s")
        print(f"  {count} PDFs ({pages} pages) ready after {pdfs_at:6.1f} s")
        print(f"  everything ready within {READY_GOAL_SECONDS} s of publishing: {verdict}")

        before, started = cpu_seconds(worker.pid), time.perf_counter()
        time.sleep(args.idle_seconds)
        used = cpu_seconds(worker.pid) - before
        percent = 100 * used / (time.perf_counter() - started)
        verdict = "met" if percent < IDLE_GOAL_PERCENT else "MISSED"
        print(
            f"  idle worker: {percent:.2f} % of a core over {args.idle_seconds} s "
            f"(goal under {IDLE_GOAL_PERCENT} %): {verdict}"
        )
    finally:
        worker.send_signal(signal.SIGINT)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()


def _wait(ready, timeout: int) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise SystemExit(f"The worker did not finish the demonstration's work in {timeout} s.")
        time.sleep(0.5)


if __name__ == "__main__":
    main()
