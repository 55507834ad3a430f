"""Serve the portal on this machine, with the background worker beside it.

    python -m guidelines_portal.local_server [--port 8000] [--workers 2]    # make run
    python -m guidelines_portal.local_server --dev [--port 8000]            # make dev

`make run` serves the portal as readers get it: gunicorn, DEBUG off, static files compressed
and fingerprinted by collectstatic, error pages in the reader's language. It differs from a
deployment only in what plain HTTP on 127.0.0.1 needs (`production_env`, which
scripts/bench.py uses too): no redirect to HTTPS, no HSTS and no Secure-only cookies (a
browser would not send them back over http://, so nobody could sign in), and a secret key
generated on the first run and kept in `.secret_key` (mode 0600, git-ignored), which the
settings read because SECRET_KEY_FILE names it. `make dev` runs Django's development server
instead (DEBUG on, reloading when the code changes).

Both start `manage.py db_worker` (edition PDFs, feedback e-mail). Ctrl-C stops both: gunicorn
finishes the requests in flight and the worker the task it is running; a second Ctrl-C stops
them at once. If one of them ends on its own, the other is stopped too.

Only the standard library is imported, so scripts can use this without setting Django up.
"""

import argparse
import contextlib
import os
import secrets
import signal
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY_FILE = ROOT / ".secret_key"
LOCAL_HOSTS = "127.0.0.1,localhost,[::1]"
# How often an idle worker looks at the queue: about 0.1 % of a core at 5 s (0.3 % at 2 s),
# and a PDF or an e-mail waits at most that long to start. The worker never reloads on code
# changes: Django's reloader checks every file each second, 2.5 % of a core doing nothing.
WORKER_INTERVAL = 5
# [time] "request line" status bytes duration
ACCESS_LOG_FORMAT = '%(t)s "%(r)s" %(s)s %(B)s %(M)sms'
# Ctrl-C once: finish what is under way; twice: stop now; three times: kill.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGKILL)
HANDLED_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def ensure_secret_key(path: Path = SECRET_KEY_FILE) -> Path:
    """The file holding this machine's secret key, created with a new random key, readable
    by its owner only, the first time (and never overwritten: sessions survive restarts)."""
    if path.exists():
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secret_key-")  # 0600
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            file.write(secrets.token_urlsafe(50) + "\n")
        # Put in place whole, and only if no other run did it meanwhile.
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        os.unlink(temporary)
    return path


def production_env(
    base: Mapping[str, str], *, port: int, secret_key_file: Path = SECRET_KEY_FILE
) -> dict[str, str]:
    """`base` with the settings of the portal as readers get it, served over plain HTTP on
    http://127.0.0.1:<port>/. The secret key is SECRET_KEY if set, else the file named by
    SECRET_KEY_FILE or `secret_key_file`, generated if missing."""
    env = dict(base)
    env.update(
        DEBUG="0",
        ALLOWED_HOSTS=LOCAL_HOSTS,
        # Plain HTTP: no redirect to HTTPS, no HSTS, cookies a browser sends back over http://.
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="0",
        SECURE_COOKIES="0",
    )
    # As in production (README): each worker keeps its database connection between requests.
    env.setdefault("DATABASE_CONN_MAX_AGE", "60")
    if not env.get("SECRET_KEY"):
        key_file = Path(env.get("SECRET_KEY_FILE") or secret_key_file)
        env["SECRET_KEY_FILE"] = str(ensure_secret_key(key_file))
    if not env.get("PORTAL_BASE_URL"):
        env["PORTAL_BASE_URL"] = f"http://127.0.0.1:{port}"
    return env


def development_env(base: Mapping[str, str], *, port: int) -> dict[str, str]:
    """`base` with DEBUG on, for Django's development server on 127.0.0.1:<port>."""
    env = dict(base)
    env["DEBUG"] = "1"
    if not env.get("PORTAL_BASE_URL"):
        env["PORTAL_BASE_URL"] = f"http://127.0.0.1:{port}"
    return env


def manage(*arguments: str) -> list[str]:
    return [sys.executable, str(ROOT / "manage.py"), *arguments]


def worker_command() -> list[str]:
    return manage(
        "db_worker",
        "--queue-name=default,email",
        f"--interval={WORKER_INTERVAL}",
        "--no-reload",
    )


def gunicorn_command(port: int, workers: int) -> list[str]:
    return [
        sys.executable, "-m", "gunicorn", "guidelines_portal.wsgi",
        f"--bind=127.0.0.1:{port}", f"--workers={workers}",
        "--timeout=60", "--graceful-timeout=10",
        # gunicorn's control socket is one path per user (~/.gunicorn/): not for a local run
        # beside others (tests, benchmarks).
        "--no-control-socket",
        "--access-logfile=-", f"--access-logformat={ACCESS_LOG_FORMAT}",
        # The access log without the tokens of tracking and set-up links.
        "--logger-class=guidelines_portal.log_filters.AccessLogger",
    ]  # fmt: skip


def runserver_command(port: int) -> list[str]:
    return manage("runserver", f"127.0.0.1:{port}")


def _send(processes: Mapping[int, tuple[str, subprocess.Popen[bytes]]], signum: int) -> None:
    for _name, process in processes.values():
        # Each process leads a group of its own: the signal reaches its children too (gunicorn's
        # workers, the development server's reloaded copy).
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signum)


def supervise(commands: Mapping[str, Sequence[str]], env: Mapping[str, str]) -> int:
    """Run the commands (by name) side by side until we are told to stop (SIGINT, SIGTERM,
    SIGHUP) or one of them ends, then stop them all; 0 after a requested stop, else the exit
    code of the command that ended."""
    running: dict[int, tuple[str, subprocess.Popen[bytes]]] = {}
    stops = 0

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stops
        stops += 1
        _send(running, STOP_SIGNALS[min(stops, len(STOP_SIGNALS)) - 1])

    previous = {signum: signal.signal(signum, stop) for signum in HANDLED_SIGNALS}
    try:
        for name, command in commands.items():
            # In process groups of their own, so that Ctrl-C in the terminal reaches only this
            # supervisor, which stops them gracefully (gunicorn takes SIGINT as "quit now").
            process = subprocess.Popen(  # noqa: S603 - the project's own commands
                command, cwd=ROOT, env=dict(env), stdin=subprocess.DEVNULL, process_group=0
            )
            running[process.pid] = (name, process)
        if stops:  # told to stop while they were starting
            _send(running, signal.SIGTERM)
        status = 0
        while running:
            pid, wait_status = os.wait()
            if pid not in running:
                continue
            name, process = running.pop(pid)
            process.returncode = os.waitstatus_to_exitcode(wait_status)
            if not stops:
                print(
                    f"The {name} ended (exit code {process.returncode}): stopping the rest.",
                    file=sys.stderr,
                    flush=True,
                )
                status = process.returncode or 1
                stops = 1
                _send(running, signal.SIGTERM)
        return status
    finally:
        _send(running, signal.SIGKILL)  # only if this supervisor itself failed
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m guidelines_portal.local_server",
        description="Serve the portal on 127.0.0.1 with the background worker beside it.",
    )
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument(
        "--dev", action="store_true", help="Django's development server (DEBUG on) instead"
    )
    args = parser.parse_args(argv)
    address = f"http://127.0.0.1:{args.port}/"
    if args.dev:
        env = development_env(os.environ, port=args.port)
        server = runserver_command(args.port)
        what = "the development server (DEBUG on)"
    else:
        env = production_env(os.environ, port=args.port)
        # Compressed (gzip, brotli) and fingerprinted: what WhiteNoise serves with DEBUG off.
        try:
            collected = subprocess.run(  # noqa: S603 - the project's own command
                manage("collectstatic", "--noinput", "--verbosity=0"),
                cwd=ROOT,
                env=env,
                check=False,
            )
        except KeyboardInterrupt:  # Ctrl-C before the server started
            return 130
        if collected.returncode:
            return collected.returncode
        server = gunicorn_command(args.port, args.workers)
        what = f"gunicorn ({args.workers} workers, DEBUG off)"
    print(
        f"Serving {address} with {what}, and the background worker. Ctrl-C stops both.",
        flush=True,
    )
    return supervise({"server": server, "background worker": worker_command()}, env)


if __name__ == "__main__":
    sys.exit(main())
