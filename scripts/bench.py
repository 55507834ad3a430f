"""Benchmark the reading pages under a production server.

Starts gunicorn (DEBUG off, compressed static files) on 127.0.0.1, sends a bounded number of
requests per page from concurrent keep-alive clients, prints requests per second and latency
percentiles, then stops the server. Uses the database in DATABASE_URL (default: the local
SQLite file with the demonstration data, see `make bench`).

    python scripts/bench.py [--requests 400] [--concurrency 8] [--workers 2]
    python scripts/bench.py --postgres --scale 10 --only search
    python scripts/bench.py --wrk [--seconds 8] [--connections 16]

--wrk drives the load with wrk (Debian's package) instead of the Python clients: each published
page right after its own bytes served as a static file by WhiteNoise (pre-compressed, as
collectstatic leaves CSS), each dynamic page after the section page's bytes, and prints each
page's rate as a ratio to its static file's, against the goals: 0.8x and p99 under 10 ms for
published pages (stored once, sent like files), 0.1x for pages that stay dynamic (search, the
feedback form).

--postgres benchmarks a database of its own on the local PostgreSQL (BENCH_DATABASE_URL,
default postgres://postgres@127.0.0.1:5432/guidelines_bench): created, migrated and loaded
with the demonstration data if needed. --scale N then publishes an edition N times the size
of the demonstration data (copies of every module) before measuring.
"""

import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
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
    "old edition section (ru)": "/ru/editions/1.0/modules/salw/salw-marking/",
    "removed section (en, 410)": "/en/modules/uas/uas-geofencing/",
    "responses to comments (en)": "/en/feedback/editions/1.1/",
    "responses to comments (ru)": "/ru/feedback/editions/1.1/",
    "editions feed (en)": "/en/editions/feed/",
    "module feed (ru)": "/ru/modules/salw/feed/",
}
# Pages whose right answer is not a 200 (wrk counts them as "Non-2xx or 3xx").
NOT_OK = {"/en/modules/uas/uas-geofencing/"}


SEARCHES = {
    "search (en) marking": "/en/search/?q=marking",
    "search (en) two words": "/en/search/?q=border+control",
    "search (en) phrase": "/en/search/?q=%22end-user+certificate%22",
    "search (ru) маркировка": "/ru/search/?q=маркировка",
    "search (ru) two words": "/ru/search/?q=пограничный+контроль",
    "search (ru) module filter": "/ru/search/?q=оружие&module=salw",
}
PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/guidelines_bench"
# Pages that stay dynamic (goal: 0.1x the static file); every other page is published.
DYNAMIC = {
    "feedback form (en)": "/en/feedback/",
    "feedback form (ru), about a section": "/ru/feedback/?module=salw&section=salw-marking",
}
STATIC_FOLDER = "bench"
STATIC_SOURCE = "/en/modules/salw/salw-marking/"
PUBLISHED_GOAL, DYNAMIC_GOAL = 0.8, 0.1
PUBLISHED_P99_MS = 10
SEARCH_P95_MS, SEARCH_RATE = 20, 200
API_P95_MS = 50  # a listing of the JSON API (issue 19), one client
# Words from the text, each asked once: what a reader's first question costs.
FIRST_QUESTIONS = {
    "en": ["weapons", "licence", "stockpile", "destruction", "tracing", "registry", "export",
           "brokering", "detonator", "battery", "drone", "customs", "ammunition", "precursors",
           "inspection", "training", "transfer", "theft", "insurance", "database"],
    "ru": ["оружие", "лицензия", "запасы", "уничтожение", "отслеживание", "реестр", "экспорт",
           "посредничество", "детонатор", "батарея", "беспилотник", "таможня", "боеприпасы",
           "прекурсоры", "инспекция", "обучение", "передача", "хищение", "страхование", "база"],
}  # fmt: skip


def prepare_postgres(scale: int) -> None:
    """Create, migrate and fill the benchmark database; publish a scaled edition if asked."""
    import psycopg2

    url = os.environ.setdefault("DATABASE_URL", os.environ.get("BENCH_DATABASE_URL", PG_DEFAULT))
    name = url.rsplit("/", 1)[-1]
    admin = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    migrate_and_load()
    if scale > 1:
        scale_up(scale)


def use_temporary_sqlite(prefix: str) -> None:
    """Point DATABASE_URL at a new SQLite file in a temporary folder, with the demo data."""
    folder = tempfile.mkdtemp(prefix=prefix)
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    migrate_and_load()


def migrate_and_load() -> None:
    """Migrate the database in DATABASE_URL and load the demonstration data if it is empty."""
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, check=True)
    subprocess.run(
        [*manage, "load_demo", "--if-empty"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL
    )


def scale_up(factor: int) -> None:
    """Copy every module of the draft until the draft is ``factor`` times the demonstration
    size, then publish it as a new edition (skipped when already done)."""
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guidelines_portal.settings")
    django.setup()
    from django.utils import timezone

    from modules import services
    from modules.models import Edition, EditionModule, Module, Section

    originals = list(Module.objects.filter(slug__regex=r"^[a-z]+$").order_by("order"))
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    created = 0
    for copy in range(1, factor):
        for module in originals:
            slug = f"{module.slug}-copy{copy}"
            if Module.objects.filter(slug=slug).exists():
                continue
            clone = services.module_create(
                code=(module.code + letters[copy % 26] + letters[copy // 26])[:8],
                slug=slug, kind=module.kind, order=module.order + 10 * copy,
                number_prefix=f"{module.number_prefix.rstrip('. ')}{copy}.",
                title_en=f"{module.title_en} (copy {copy})", title_ru=f"{module.title_ru} (копия {copy})",
                short_title_en=f"{module.short_title_en} {copy}", short_title_ru=f"{module.short_title_ru} {copy}",
                summary_en=module.summary_en, summary_ru=module.summary_ru,
            )  # fmt: skip
            sources = list(Section.objects.filter(module=module).order_by("depth", "sort_key"))
            new_by_old: dict[int, Section] = {}
            for depth in sorted({s.depth for s in sources}):
                batch = [
                    Section(
                        module=clone, parent=new_by_old.get(s.parent_id), key=f"{s.key}-copy{copy}",
                        position=s.position, title_en=s.title_en, title_ru=s.title_ru,
                        body_en=s.body_en, body_ru=s.body_ru,
                        body_html_en=s.body_html_en, body_html_ru=s.body_html_ru,
                    )
                    for s in sources if s.depth == depth
                ]  # fmt: skip
                saved = Section.objects.bulk_create(batch)
                olds = [s for s in sources if s.depth == depth]
                new_by_old.update({old.pk: new for old, new in zip(olds, saved, strict=True)})
            services.module_renumber(module=clone)
            created += 1
    # Published unless the current edition already has the copies (a run stopped between the
    # copies and the publication would otherwise measure the demonstration-sized edition).
    published = EditionModule.objects.filter(
        edition=Edition.objects.current(), slug__endswith=f"-copy{factor - 1}"
    ).exists()
    if created or not published:
        number = services.edition_number_suggestion()
        services.edition_publish(
            number=number, published_on=timezone.localdate(),
            change_summary_en=f"Benchmark edition: the demonstration text {factor} times over.",
            # Copies nobody reviewed: published as an editor may, with the reason recorded.
            override_reason="Benchmark edition made by a script.",
        )  # fmt: skip
        print(f"Published benchmark edition {number} ({Section.objects.count()} sections).")


def publish_changed_edition(*, notify: bool):
    """Add a sentence to section salw-marking in both languages and publish the draft as the
    next edition (an override reason: the script's change is not reviewed); the edition."""
    from django.db import transaction
    from django.utils import timezone

    from modules import services
    from modules.models import Section

    section = Section.objects.get(key="salw-marking")
    with transaction.atomic():
        services.section_update(
            section=section,
            body_en=section.body_en + "\n\nA sentence added for the benchmark.",
            body_ru=section.body_ru + "\n\nПредложение, добавленное для замера.",
        )
        return services.edition_publish(
            number=services.edition_number_suggestion(),
            published_on=timezone.localdate(),
            change_summary_en="Benchmark edition.",
            change_summary_ru="Издание для замера.",
            notify=notify,
            override_reason="Benchmark edition made by a script.",
        )


def server_env(port: int) -> dict[str, str]:
    """The portal as `make run` serves it (DEBUG off, plain HTTP on 127.0.0.1, the local
    secret key), without the search limit."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from guidelines_portal.local_server import production_env

    env = production_env(os.environ, port=port)
    # Every client is 127.0.0.1: the per-address search limit would refuse the load.
    env["SEARCH_RATE_LIMIT"] = "0"
    env["API_RATE_LIMIT"] = "0"
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
    path = urllib.parse.quote(path, safe="/?=&+%")  # Cyrillic queries, percent-encoded
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


def static_copies(port: int, pages: dict[str, str]) -> dict[str, str]:
    """Write each page's bytes (and their brotli and gzip forms) as a static file; the
    address WhiteNoise serves each from, by page address."""
    import gzip

    import brotli

    folder = ROOT / "staticfiles" / STATIC_FOLDER
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    copies = {}
    for index, path in enumerate(pages.values()):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", urllib.parse.quote(path, safe="/?=&+%"))
        body = connection.getresponse().read()
        target = folder / f"{index}.html"
        target.write_bytes(body)
        target.with_name(target.name + ".br").write_bytes(brotli.compress(body, quality=11))
        target.with_name(target.name + ".gz").write_bytes(gzip.compress(body, 9))
        copies[path] = f"/static/{STATIC_FOLDER}/{target.name}"
    return copies


def wrk(port: int, path: str, seconds: int, connections: int) -> tuple[float, float, float, int]:
    """(requests/s, p50 ms, p99 ms, non-2xx/3xx responses) measured by wrk."""
    url = f"http://127.0.0.1:{port}{urllib.parse.quote(path, safe='/?=&+%')}"
    program = shutil.which("wrk")
    if program is None:
        raise SystemExit("wrk is not installed: apt-get install wrk (make bench does it).")
    result = subprocess.run(
        [program, "-t1", f"-c{connections}", f"-d{seconds}s", "--latency",
         "-H", "Accept-Encoding: br, gzip", url],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    out = result.stdout
    rate = float(_field(out, "Requests/sec:"))
    p50 = _milliseconds(_field(out, "50%"))
    p99 = _milliseconds(_field(out, "99%"))
    errors = int(_field(out, "Non-2xx or 3xx responses:") or 0)
    return rate, p50, p99, errors


def _field(output: str, label: str) -> str:
    for line in output.splitlines():
        line = line.strip()
        if line.startswith(label):
            return line[len(label) :].split()[0]
    return ""


def _milliseconds(value: str) -> float:
    for unit, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if value.endswith(unit):
            return float(value[: -len(unit)]) * factor
    return float("nan")


def run_wrk(args: argparse.Namespace) -> None:
    """Every page beside its own bytes served as a static file, with its ratio and goal."""
    pages = {**PAGES, **SEARCHES, **DYNAMIC}
    server = start_server(args.port, args.workers)
    try:
        for page in pages.values():  # each page rendered (and stored) once before measuring
            hammer(args.port, page, 4, 2)
        copies = static_copies(args.port, {STATIC_SOURCE: STATIC_SOURCE, **PAGES})
    finally:
        server.terminate()
        server.wait(timeout=10)
    server = start_server(args.port, args.workers)  # WhiteNoise finds the new files
    try:
        for page in pages.values():
            hammer(args.port, page, 4, 2)
        print(
            f"wrk -t1 -c{args.connections} -d{args.seconds}s, gunicorn with {args.workers} workers, "
            f"Accept-Encoding: br, gzip. A published page is measured right after its own bytes "
            f"as a static file (WhiteNoise); a dynamic page against the section's.\n"
        )
        print(
            f"{'page':<38} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'static':>7} "
            f"{'its p99':>7} {'ratio':>6}  goal"
        )
        section_rate, _p50, section_p99, _errors = wrk(
            args.port, copies[STATIC_SOURCE], args.seconds, args.connections
        )
        missed = 0
        for name, page in pages.items():
            dynamic = page not in PAGES.values()
            static_rate, static_p99 = section_rate, section_p99
            if not dynamic:
                static_rate, _p50, static_p99, _errors = wrk(
                    args.port, copies[page], args.seconds, args.connections
                )
            rate, p50, p99, errors = wrk(args.port, page, args.seconds, args.connections)
            errors = 0 if page in NOT_OK else errors
            goal = DYNAMIC_GOAL if dynamic else PUBLISHED_GOAL
            ratio = rate / static_rate
            fast = dynamic or p99 < PUBLISHED_P99_MS
            verdict = "met" if ratio >= goal and fast and not errors else "MISSED"
            missed += verdict == "MISSED"
            note = f" ({errors} errors)" if errors else ""
            print(
                f"{name:<38} {rate:>7.0f} {p50:>7.2f} {p99:>7.2f} {static_rate:>7.0f} "
                f"{static_p99:>7.2f} {ratio:>6.2f}  "
                f"{goal}x{'' if dynamic else f', p99<{PUBLISHED_P99_MS} ms'} {verdict}{note}"
            )
        print(f"\n{len(pages) - missed} of {len(pages)} pages meet their goal.")
    finally:
        server.terminate()
        server.wait(timeout=10)


def run_search_goals(args: argparse.Namespace) -> None:
    """Search against its goals: one reader's p95 (for words asked the first time, and for
    searches asked again, which are kept) and the rate of many (wrk), each with its verdict."""
    explain_search()
    server = start_server(args.port, args.workers)
    missed = 0
    try:
        print(
            f"\nSearch, gunicorn with {args.workers} workers; one client for p95 "
            f"(goal under {SEARCH_P95_MS} ms), wrk -c{args.connections} for the rate "
            f"(goal {SEARCH_RATE} req/s)\n"
        )
        print(f"{'search':<36} {'p50 ms':>7} {'p95 ms':>7} {'req/s':>7}  verdict")
        for lang, words in FIRST_QUESTIONS.items():
            for path in SEARCHES.values():  # each worker's first requests, in both languages
                hammer(args.port, path, 4, 2)
            ms = []
            for word in words:  # each word once: nothing kept for it yet
                latencies, errors, _ = hammer(args.port, f"/{lang}/search/?q={word}", 1, 1)
                missed += errors
                ms += [v * 1000 for v in latencies]
            p95 = percentile(ms, 0.95)
            verdict = "met" if p95 < SEARCH_P95_MS else "MISSED"
            missed += verdict == "MISSED"
            print(
                f"{f'{len(words)} words asked once ({lang})':<36} {statistics.median(ms):>7.1f} "
                f"{p95:>7.1f} {'':>7}  {verdict}"
            )
        for name, path in SEARCHES.items():
            hammer(args.port, path, 20, 2)  # asked once in each worker
            latencies, errors, _ = hammer(args.port, path, args.requests, 1)
            ms = [v * 1000 for v in latencies]
            p95 = percentile(ms, 0.95)
            rate, _p50, _p99, wrk_errors = wrk(args.port, path, args.seconds, args.connections)
            ok = p95 < SEARCH_P95_MS and rate >= SEARCH_RATE and not (errors or wrk_errors)
            missed += not ok
            print(
                f"{name:<36} {statistics.median(ms):>7.1f} {p95:>7.1f} {rate:>7.0f}  "
                f"{'met' if ok else 'MISSED'}"
            )
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"\nSearch goals missed: {missed}.")


def run_api_goals(args: argparse.Namespace) -> None:
    """The JSON API's listings against their goal (one client's p95), each asked the first
    time (built from the database) and again (kept bytes)."""
    server = start_server(args.port, args.workers)
    missed = 0
    try:
        connection = http.client.HTTPConnection("127.0.0.1", args.port, timeout=10)
        connection.request("GET", "/api/v1/editions/")
        numbers = [e["number"] for e in json.loads(connection.getresponse().read())["editions"]]
        current, first = numbers[0], numbers[-1]
        base = f"/api/v1/editions/{current}"
        listings = {
            "sections, first page (50)": f"{base}/sections/",
            "sections, 100 a page, page 3": f"{base}/sections/?page_size=100&page=3",
            f"sections changed since {first}": f"{base}/sections/?changed_since={first}",
            "one module's sections": f"{base}/sections/?module=salw&page_size=100",
            f"changes from {numbers[1] if len(numbers) > 1 else first}": f"{base}/changes/",
            "a section's history": "/api/v1/sections/salw-marking/history/",
        }
        print(
            f"\nJSON API on edition {current}, gunicorn with {args.workers} workers, one client "
            f"(goal: p95 under {API_P95_MS} ms)\n"
        )
        print(f"{'listing':<36} {'first ms':>8} {'p50 ms':>7} {'p95 ms':>7}  verdict")
        for name, path in listings.items():
            cold, errors, _ = hammer(args.port, path, 1, 1)
            latencies, more, _ = hammer(args.port, path, args.requests, 1)
            ms = [v * 1000 for v in latencies]
            p95 = percentile(ms, 0.95)
            ok = p95 < API_P95_MS and cold[0] * 1000 < API_P95_MS * 4 and not (errors or more)
            missed += not ok
            print(
                f"{name:<36} {cold[0] * 1000:>8.1f} {statistics.median(ms):>7.1f} {p95:>7.1f}  "
                f"{'met' if ok else 'MISSED'}"
            )
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"\nJSON API goals missed: {missed}.")


def explain_search() -> None:
    """Print PostgreSQL's plan (EXPLAIN ANALYZE) for a search of the current edition."""
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guidelines_portal.settings")
    django.setup()
    from modules import search
    from modules.models import Edition

    edition = Edition.objects.current()
    sections = edition.sections.all()
    # A word in a tenth of the sections or more is read through the edition's index (the
    # planner's choice); a rarer one through the GIN index.
    for query, lang in (("marking", "en"), ("детонатор", "ru")):
        print(
            f"\nEXPLAIN ANALYZE, {query!r} in {lang}, edition {edition.number} "
            f"({sections.count()} sections):"
        )
        plan = search.search(sections, query=query, lang=lang).values("pk")[:20]
        print(plan.explain(analyze=True))


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400, help="requests per page")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--postgres", action="store_true", help="use the benchmark PostgreSQL database"
    )
    parser.add_argument("--scale", type=int, default=1, help="edition size, in demonstration texts")
    parser.add_argument("--only", choices=["pages", "search", "api"], help="measure only these")
    parser.add_argument("--wrk", action="store_true", help="load with wrk, beside a static file")
    parser.add_argument("--seconds", type=int, default=8, help="wrk: seconds per page")
    parser.add_argument("--connections", type=int, default=16, help="wrk: open connections")
    args = parser.parse_args()
    if args.wrk:
        if args.postgres:
            prepare_postgres(args.scale)
        run_wrk(args)
        return

    if args.postgres:
        prepare_postgres(args.scale)
        if args.only in ("search", "api"):
            {"search": run_search_goals, "api": run_api_goals}[args.only](args)
            return
    pages = {"pages": PAGES, "search": SEARCHES}.get(args.only, {**PAGES, **SEARCHES})
    server = start_server(args.port, args.workers)
    try:
        print(
            f"gunicorn, {args.workers} workers, {args.concurrency} concurrent clients, "
            f"{args.requests} requests per page, database: "
            f"{os.environ.get('DATABASE_URL', 'SQLite (db.sqlite3)').split('@')[-1]}\n"
        )
        print(
            f"{'page':<28} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} {'errors':>7}"
        )
        failed = 0
        for name, path in pages.items():
            hammer(args.port, path, 20, 2)  # warm up each worker
            latencies, errors, elapsed = hammer(args.port, path, args.requests, args.concurrency)
            failed += errors
            ms = [v * 1000 for v in latencies]
            print(
                f"{name:<28} {len(latencies) / elapsed:>8.1f} {statistics.median(ms):>8.1f} "
                f"{percentile(ms, 0.95):>8.1f} {percentile(ms, 0.99):>8.1f} {max(ms):>8.1f} {errors:>7}"
            )
    finally:
        server.terminate()
        server.wait(timeout=10)
    if failed:
        raise SystemExit(f"{failed} requests failed")


if __name__ == "__main__":
    main()
