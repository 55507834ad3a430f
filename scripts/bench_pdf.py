"""Time and peak memory to build the whole-guidelines PDF, in each language, for the
demonstration edition and for a synthetic edition --scale times larger.

Each build runs in a process of its own, so its peak memory (max RSS) is its own. Besides
wall-clock time it reports the process's CPU time (user + system), which other processes
sharing the cores do not inflate, and both per page. Uses a fresh SQLite database in a
temporary folder, or the one given with --database (migrated, loaded and scaled if needed).

    python scripts/bench_pdf.py [--scale 10] [--database sqlite:////tmp/x.sqlite3] [--only-scaled]
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from bench import migrate_and_load, scale_up, use_temporary_sqlite

ROOT = Path(__file__).resolve().parent.parent
# Goals for the whole-guidelines PDF at ten times the demonstration text.
PAGE_GOAL_MS, PEAK_GOAL_MB = 50, 400


def build(number: str, language: str) -> None:
    """Child: build one PDF and print its figures as JSON."""
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guidelines_portal.settings")
    django.setup()
    from modules.models import Edition
    from modules.pdf import render_pdf

    edition = Edition.objects.get(number=number)
    started, cpu_started = time.perf_counter(), _cpu_seconds()
    rendered = render_pdf(edition=edition, language=language)
    seconds, cpu_seconds = time.perf_counter() - started, _cpu_seconds() - cpu_started
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu_seconds": cpu_seconds,
                "pages": rendered.pages,
                "kilobytes": len(rendered.content) // 1024,
                "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
                "sections": edition.sections.count(),
            }
        )
    )


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--database", help="a database URL to use instead of a temporary one")
    parser.add_argument("--only-scaled", action="store_true", help="skip the demonstration edition")
    parser.add_argument("--child", nargs=2, metavar=("EDITION", "LANGUAGE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        build(*args.child)
        return
    os.chdir(ROOT)
    if args.database:
        os.environ["DATABASE_URL"] = args.database
        migrate_and_load()
    else:
        use_temporary_sqlite("bench-pdf-")
    editions = [] if args.only_scaled and args.scale > 1 else [("1.1", "demonstration 1.1")]
    if args.scale > 1:
        scale_up(args.scale)
        from modules.models import Edition

        editions.append((Edition.objects.current().number, f"{args.scale}x demonstration"))
    print(
        f"{'edition':<22} {'lang':<4} {'sections':>8} {'pages':>5} {'seconds':>7} {'ms/page':>7} "
        f"{'CPU s':>6} {'CPU ms/p':>8} {'peak MB':>7} {'KB':>6}"
    )
    verdicts: list[str] = []
    for number, label in editions:
        for language in ("en", "ru"):
            child = subprocess.run(
                [sys.executable, __file__, "--child", number, language],
                check=True,
                capture_output=True,
                text=True,
            )
            result = json.loads(child.stdout.strip().splitlines()[-1])
            seconds, cpu, pages = result["seconds"], result["cpu_seconds"], result["pages"]
            print(
                f"{label:<22} {language:<4} {result['sections']:>8} {pages:>5} {seconds:>7.1f} "
                f"{seconds * 1000 / pages:>7.0f} {cpu:>6.1f} {cpu * 1000 / pages:>8.0f} "
                f"{result['peak_mb']:>7} {result['kilobytes']:>6}",
                flush=True,
            )
            if number != "1.1":  # the goals are for the scaled edition
                verdicts.append(
                    f"{label}, {language}: {cpu * 1000 / pages:.0f} ms a page of CPU "
                    f"(goal {PAGE_GOAL_MS}) {'met' if cpu * 1000 / pages < PAGE_GOAL_MS else 'MISSED'}"
                    f"; peak {result['peak_mb']} MB (goal {PEAK_GOAL_MB}) "
                    f"{'met' if result['peak_mb'] < PEAK_GOAL_MB else 'MISSED'}"
                )
    print("", *verdicts, sep="\n")


if __name__ == "__main__":
    main()
