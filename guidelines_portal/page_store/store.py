"""Where stored pages live, which generation is current, and the memory copy per process.

Layout in the default file storage (MEDIA_ROOT locally, the bucket with MEDIA_STORAGE=s3):

    pages/<database>/state.json                                {"generation": 7, "pending": 8}
    pages/<database>/<release>/<generation>/<sha256 of address>.page

<database> tells apart the databases that may share a media folder (make run's, a
benchmark's, one deleted and made again under the same name): their settings and when their
first migration was applied. A page is only ever served to readers of the database it was
rendered from. (A restored backup keeps that date: restoring starts a new generation.)

A ``.page`` file is one line of JSON (status, headers, time stored, digest, the length of
each encoding) followed by the page's bytes as sent uncompressed, in brotli and in gzip.
"""

import gzip
import hashlib
import json
import logging
import os
import tempfile
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import brotli
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connection

logger = logging.getLogger(__name__)

PREFIX = "pages"
ENCODINGS = ("identity", "br", "gzip")
# Headers of the rendered response that a stored page keeps; the rest are set when served.
KEPT_HEADERS = (
    "Content-Type", "Content-Language", "Content-Disposition", "Location", "X-Frame-Options",
)  # fmt: skip
# What the release fingerprint reads: everything that shapes a page's bytes.
RELEASE_DIRS = (
    "templates", "locale", "modules", "feedback", "accounts", "api", "guidelines_portal",
)  # fmt: skip
RELEASE_SUFFIXES = (".html", ".txt", ".xml", ".mo", ".py")


@dataclass(frozen=True)
class State:
    generation: int
    # A new edition is committed and its pages are being prepared under this generation.
    pending: int | None = None


@dataclass(frozen=True)
class StoredPage:
    status: int
    headers: dict[str, str]
    stored_at: float
    digest: str
    bodies: dict[str, bytes]
    # A page that says something about to change at a known moment (a consultation round
    # opening or closing) is rendered again from then on (POSIX time; None: never).
    expires_at: float | None = None

    def expired(self, now: float) -> bool:
        return self.expires_at is not None and now >= self.expires_at

    @property
    def size(self) -> int:
        return sum(len(b) for b in self.bodies.values())


def compress(body: bytes) -> dict[str, bytes]:
    return {
        "identity": body,
        "br": brotli.compress(body, mode=brotli.MODE_TEXT, quality=11),
        "gzip": gzip.compress(body, compresslevel=9, mtime=0),
    }


def encode(page: StoredPage) -> bytes:
    meta = {
        "status": page.status,
        "headers": page.headers,
        "stored_at": page.stored_at,
        "digest": page.digest,
        "sizes": {name: len(page.bodies[name]) for name in ENCODINGS},
        "expires_at": page.expires_at,
    }
    return json.dumps(meta).encode() + b"\n" + b"".join(page.bodies[n] for n in ENCODINGS)


def decode(data: bytes) -> StoredPage | None:
    """The page in ``data``, or None if it is cut short or damaged (it is then rendered again)."""
    head, _newline, rest = data.partition(b"\n")
    try:
        meta = json.loads(head)
        sizes = [int(meta["sizes"][name]) for name in ENCODINGS]
        status, headers, digest = int(meta["status"]), dict(meta["headers"]), str(meta["digest"])
        stored_at = float(meta["stored_at"])
        expires_at = None if meta.get("expires_at") is None else float(meta["expires_at"])
    except (ValueError, KeyError, TypeError):
        return None
    if sum(sizes) != len(rest):
        return None
    bodies, start = {}, 0
    for name, size in zip(ENCODINGS, sizes, strict=True):
        bodies[name] = rest[start : start + size]
        start += size
    if hashlib.sha256(bodies["identity"]).hexdigest() != digest:
        return None
    return StoredPage(status, headers, stored_at, digest, bodies, expires_at)


def page_from(
    status: int, headers: dict[str, str], body: bytes, expires_at: float | None = None
) -> StoredPage:
    kept = {name: headers[name] for name in KEPT_HEADERS if name in headers}
    digest = hashlib.sha256(body).hexdigest()
    return StoredPage(status, kept, time.time(), digest, compress(body), expires_at)


@cache
def release() -> str:
    """A fingerprint of the code, templates and translations: a new release renders anew."""
    if settings.PAGE_STORE_RELEASE:
        return settings.PAGE_STORE_RELEASE
    digest = hashlib.sha256()
    base = Path(settings.BASE_DIR)
    for folder in RELEASE_DIRS:
        for path in sorted((base / folder).rglob("*")):
            if path.suffix in RELEASE_SUFFIXES and path.is_file():
                digest.update(str(path.relative_to(base)).encode())
                digest.update(path.read_bytes())
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.is_file():  # hashed names of CSS and scripts
        digest.update(manifest.read_bytes())
    return digest.hexdigest()[:16]


@cache
def database() -> str:
    db = settings.DATABASES["default"]
    identity = "|".join(str(db.get(k) or "") for k in ("ENGINE", "HOST", "PORT", "NAME"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT MIN(applied) FROM django_migrations")
        (created,) = cursor.fetchone()
    return hashlib.sha256(f"{identity}|{created}".encode()).hexdigest()[:12]


def root() -> str:
    return f"{PREFIX}/{database()}"


def state_name() -> str:
    return f"{root()}/state.json"


def page_name(generation: int, key: str) -> str:
    address = hashlib.sha256(key.encode()).hexdigest()
    return f"{root()}/{release()}/{generation}/{address}.page"


class PageStore:
    """Stored pages in the default file storage, with a bounded memory copy per process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._memory: OrderedDict[str, StoredPage] = OrderedDict()
        self._memory_bytes = 0
        self._state: State | None = None
        self._state_mark: object = None
        self._state_checked = 0.0

    @property
    def storage(self):
        return default_storage

    def _local_path(self, name: str) -> Path | None:
        storage = self.storage
        if isinstance(storage, FileSystemStorage):
            return Path(storage.path(name))
        return None

    # --- Which generation is current ---

    def state(self) -> State | None:
        """The current state, re-read when it changes (a stat per request for local files;
        at most once every PAGE_STORE_STATE_SECONDS from a bucket). None: no pages yet."""
        local = self._local_path(state_name())
        if local is not None:
            try:
                stat = local.stat()
            except FileNotFoundError:
                return None
            mark = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
            if mark != self._state_mark:
                self._state, self._state_mark = self._read_state(), mark
            return self._state
        now = time.monotonic()
        if now - self._state_checked >= settings.PAGE_STORE_STATE_SECONDS:
            self._state, self._state_checked = self._read_state(), now
        return self._state

    def fresh_state(self) -> State | None:
        self._state_mark, self._state_checked = None, 0.0
        return self.state()

    def _read_state(self) -> State | None:
        try:
            with self.storage.open(state_name(), "rb") as handle:
                data = json.loads(handle.read())
            pending = data.get("pending")
            return State(int(data["generation"]), int(pending) if pending is not None else None)
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _write_state(self, state: State) -> None:
        self._write(
            state_name(), json.dumps({"generation": state.generation, "pending": state.pending})
        )
        self._state_mark, self._state_checked = None, 0.0

    def begin(self) -> State:
        """Start storing pages (generation 1), if nothing is stored yet."""
        state = self.fresh_state()
        if state is None:
            state = State(1)
            self._write_state(state)
        return state

    def invalidate(self) -> State:
        """Stored pages are out of date: the next generation starts, rendered on request."""
        state = self.fresh_state() or State(0)
        latest = max(state.generation, state.pending or 0)
        new = State(latest + 1)
        self._write_state(new)
        return new

    def stage(self) -> int:
        """A new edition is committed: readers keep the current pages while the next
        generation is prepared (nothing rendered meanwhile is stored). Its number."""
        state = self.fresh_state() or State(0)
        pending = max(state.generation, state.pending or 0) + 1
        self._write_state(State(state.generation, pending))
        return pending

    def switch(self, generation: int) -> None:
        """Serve ``generation`` from now on (never going back to an older one)."""
        state = self.fresh_state() or State(0)
        if generation < state.generation:
            return
        pending = state.pending if state.pending and state.pending > generation else None
        self._write_state(State(generation, pending))

    # --- Pages ---

    def get(self, generation: int, key: str) -> StoredPage | None:
        name = page_name(generation, key)
        with self._lock:
            page = self._memory.get(name)
            if page is not None:
                self._memory.move_to_end(name)
                return page
        try:
            with self.storage.open(name, "rb") as handle:
                data = handle.read()
        except (FileNotFoundError, OSError):
            return None
        page = decode(data)
        if page is None:
            logger.warning("Stored page %s is damaged: it will be rendered again.", name)
            return None
        self._remember(name, page)
        return page

    def put(self, generation: int, key: str, page: StoredPage) -> None:
        name = page_name(generation, key)
        self._write(name, encode(page))
        self._remember(name, page)

    def _remember(self, name: str, page: StoredPage) -> None:
        limit = settings.PAGE_STORE_MEMORY_BYTES
        if page.size > limit:
            return
        with self._lock:
            old = self._memory.pop(name, None)
            if old is not None:
                self._memory_bytes -= old.size
            self._memory[name] = page
            self._memory_bytes += page.size
            while self._memory_bytes > limit:
                _name, dropped = self._memory.popitem(last=False)
                self._memory_bytes -= dropped.size

    def forget(self) -> None:
        """Drop the memory copy (tests; a process that must read the files again)."""
        with self._lock:
            self._memory.clear()
            self._memory_bytes = 0
        self._state, self._state_mark, self._state_checked = None, None, 0.0

    def _write(self, name: str, content: str | bytes) -> None:
        data = content.encode() if isinstance(content, str) else content
        local = self._local_path(name)
        if local is not None:
            # Written aside, then renamed: a reader sees the old file or the whole new one.
            local.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=local.parent, prefix=".", suffix=".tmp")
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(data)
                os.replace(temporary, local)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
            return
        # A bucket replaces an object whole; its own name is kept (no suffix added).
        if self.storage.exists(name):
            self.storage.delete(name)
        self.storage.save(name, ContentFile(data))

    def prune(self) -> int:
        """Remove the local files of generations before the previous one, and of other
        releases; how many folders went. (A bucket's lifecycle rules do this there.)"""
        folder_of_database = self._local_path(root())
        state = self.fresh_state()
        if folder_of_database is None or state is None or not folder_of_database.is_dir():
            return 0
        keep = {str(state.generation), str(state.generation - 1)}
        if state.pending:
            keep.add(str(state.pending))
        removed = 0
        for folder in folder_of_database.iterdir():
            if not folder.is_dir():
                continue
            stale = (
                [folder]
                if folder.name != release()
                else [g for g in folder.iterdir() if g.is_dir() and g.name not in keep]
            )
            for path in stale:
                _remove_tree(path)
                removed += 1
        return removed


def _remove_tree(path: Path) -> None:
    for child in sorted(path.rglob("*"), reverse=True):
        if child.is_dir():
            child.rmdir()
        else:
            child.unlink(missing_ok=True)
    path.rmdir()


store = PageStore()
