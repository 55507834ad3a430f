"""Time and peak memory to build the whole-guidelines PDF, in each language, for the
demonstration edition and for a synthetic edition --scale times larger.

Each build runs in a process of its own, so its peak memory (max RSS) is its own. Uses a fresh
SQLite database in a temporary folder.

    python scripts/bench_pdf.py [--scale 10]
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from bench import scale_up, use_temporary_sqlite

ROOT = Path(__file__).resolve().parent.parent


def build(number: str, language: str) -> None:
    """Child: build one PDF and print its figures as JSON."""
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guidelines_portal.settings")
    django.setup()
    from modules.models import Edition
    from modules.pdf import render_pdf

    edition = Edition.objects.get(number=number)
    started = time.perf_counter()
    rendered = render_pdf(edition=edition, language=language)
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "seconds": seconds,
                "pages": rendered.pages,
                "kilobytes": len(rendered.content) // 1024,
                "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
                "sections": edition.sections.count(),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--child", nargs=2, metavar=("EDITION", "LANGUAGE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        build(*args.child)
        return
    os.chdir(ROOT)
    use_temporary_sqlite("bench-pdf-")
    editions = [("1.1", "demonstration edition 1.1")]
    if args.scale > 1:
        scale_up(args.scale)
        from modules.models import Edition

        editions.append((Edition.objects.current().number, f"{args.scale}x the demonstration"))
    print(
        f"{'edition':<30} {'lang':<5} {'sections':>8} {'pages':>6} {'seconds':>8} {'peak MB':>8} {'KB':>7}"
    )
    for number, label in editions:
        for language in ("en", "ru"):
            child = subprocess.run(
                [sys.executable, __file__, "--child", number, language],
                check=True,
                capture_output=True,
                text=True,
            )
            result = json.loads(child.stdout.strip().splitlines()[-1])
            print(
                f"{label:<30} {language:<5} {result['sections']:>8} {result['pages']:>6} "
                f"{result['seconds']:>8.1f} {result['peak_mb']:>8} {result['kilobytes']:>7}"
            )


if __name__ == "__main__":
    main()
