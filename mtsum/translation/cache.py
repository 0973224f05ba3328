"""The persistent translation cache: SQLite, keyed by everything that changes the output.

A segment translated once is never translated again by the same model, revision,
backend, precision and decoding settings (the translator's ``cache_key()``), across
runs and processes: a nightly digest re-reading yesterday's agency copy, or a rerun
after a crash, costs only the new text. SQLite in WAL mode lets two mtsum processes
share one file; the file is bounded and the least recently used entries go first.
Each model batch is stored as soon as it is decoded, so a killed run loses at most
the batch in flight.

A cache must never stop a translation, and never harm a file:

- the cache path must be a regular file or a new path: a device (``/dev/null``), a
  FIFO, a socket or a folder is refused (:class:`~mtsum.errors.OutputError`, exit 2),
  never renamed or opened;
- a regular file that is not a database, or a damaged one, is moved aside
  (``<name>.corrupt-<time>``) with a warning and a new one started;
- a cache that cannot be used (a read-only file or folder, a full disk, a lock held
  too long, a folder that cannot be created) gives one warning, "continuing without
  the cache: ...", and the translation goes on without it. ``mtsum cache stats`` and
  ``clear`` report such a problem as an error (exit 2) instead.
"""

from __future__ import annotations

import logging
import math
import os
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from mtsum import settings
from mtsum.errors import ConfigError, OutputError
from mtsum.io.atomic import check_replaceable
from mtsum.translation.translator import Translation, Translator, TranslatorWrapper, counted

log = logging.getLogger(__name__)
T = TypeVar("T")

DEFAULT_MAX_BYTES = 512 * 1024 * 1024
_SCHEMA = """
CREATE TABLE IF NOT EXISTS translations (
    key TEXT NOT NULL,       -- the translator's cache_key()
    source TEXT NOT NULL,    -- the segment as sent to the model
    target TEXT NOT NULL,
    flag TEXT,               -- the guard's reason, if it distrusted the output
    used REAL NOT NULL,      -- last read or written (unix time), for LRU eviction
    PRIMARY KEY (key, source)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS translations_used ON translations (used);
"""
_OFF = {"0", "off", "no", "false", "none"}
_SIDECARS = ("", "-wal", "-shm")  # the database and SQLite's WAL files beside it
WHAT = "the translation cache"
_HINT = "(or switch it off with --no-cache or MTSUM_CACHE=off)"


class CacheUnavailable(OutputError):
    """The cache file cannot be used now (read-only, unreadable, locked, full).

    A translation goes on without the cache (one warning); ``mtsum cache stats`` and
    ``clear`` report it (exit 2).
    """


def default_cache_path() -> Path:
    return settings.cache_dir() / "translations.sqlite3"


def resolve_cache_path(cache: str | os.PathLike[str] | bool | None = None) -> Path | None:
    """``--cache PATH`` / ``--no-cache`` (False) > ``MTSUM_CACHE`` (a path, or ``off``) > default.

    Returns None when caching is off.
    """
    if cache is False:
        return None
    if cache not in (None, True):
        return Path(cache).expanduser()  # type: ignore[arg-type]
    env = settings.env(settings.CACHE)
    if env.lower() in _OFF and env:
        return None
    return Path(env).expanduser() if env else default_cache_path()


def max_cache_bytes() -> int:
    """``MTSUM_CACHE_MAX_MB`` (megabytes, a finite positive number) > 512 MB."""
    env = settings.env(settings.CACHE_MAX_MB)
    if not env:
        return DEFAULT_MAX_BYTES
    try:
        value = float(env)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0 or value * 1024 * 1024 < 1:
        raise ConfigError(f"MTSUM_CACHE_MAX_MB must be a positive number of megabytes (e.g. 512), got '{env}'")
    return int(value * 1024 * 1024)


def check_cache_path(path: str | os.PathLike[str]) -> None:
    """Refuse a cache path (or its WAL files) that is not a regular file or a new path.

    Raises:
        OutputError: a device, FIFO, socket or folder; mtsum never renames or opens it.
    """
    for suffix in _SIDECARS:
        name = f"{os.fspath(path)}{suffix}"
        try:
            os.stat(name)
        except OSError:
            continue  # absent, or unreachable (a file as its folder): opening it fails, the run goes on
        try:
            check_replaceable(name, WHAT)
        except OutputError as exc:
            raise OutputError(f"{exc} {_HINT}") from None


def _damaged(exc: sqlite3.DatabaseError) -> bool:
    """Not a database, or a corrupt one (as opposed to one that cannot be used now)."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name:
        return name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))
    return type(exc) is sqlite3.DatabaseError  # pragma: no cover - Python < 3.11 gives no error name


class TranslationStore:
    """One SQLite cache file; opened on first use.

    Raises (on construction) :class:`~mtsum.errors.OutputError` if ``path`` is a device,
    FIFO, socket or folder, and :class:`~mtsum.errors.ConfigError` for a bad
    ``MTSUM_CACHE_MAX_MB``.
    """

    def __init__(self, path: str | os.PathLike[str], max_bytes: int | None = None) -> None:
        self.path = Path(path)
        check_cache_path(self.path)
        self.max_bytes = max_bytes if max_bytes is not None else max_cache_bytes()
        self._db: sqlite3.Connection | None = None
        # Why this run goes on without the cache (None while it works).
        self.unavailable: str | None = None

    # --- connection -------------------------------------------------------------
    def _connect(self, read_only: bool = False) -> sqlite3.Connection:
        check_cache_path(self.path)  # again: it may have been replaced since
        if read_only:
            uri = f"file:{quote(str(self.path.resolve()))}?mode=ro&immutable=1"
            return sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CacheUnavailable(f"cannot create the cache folder {self.path.parent}: "
                                   f"{exc.strerror or exc}") from None
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            _wal(db)
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(_SCHEMA)
            db.execute("SELECT count(*) FROM translations LIMIT 1").fetchone()
        except BaseException:
            db.close()
            raise
        return db

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = self._connect()
        return self._db

    def _set_aside(self, exc: Exception) -> None:
        """Move a damaged file out of the way (kept, for whoever wants to look) and start afresh.

        Only regular files are moved (:func:`check_cache_path` ran before anything was opened).
        """
        self.close()
        aside = self.path.with_name(f"{self.path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
        try:
            for suffix in _SIDECARS:
                src = Path(str(self.path) + suffix)
                if os.path.isfile(src):  # a regular file, or a link to one (the link is moved)
                    src.replace(Path(str(aside) + suffix))
        except OSError as why:
            raise CacheUnavailable(f"{self.path} is damaged ({exc}) and cannot be moved aside: "
                                   f"{why.strerror or why}") from None
        log.warning("translation cache %s is damaged (%s); moved it to %s and started a new one",
                    self.path, exc, aside)

    def _unavailable(self, exc: BaseException) -> CacheUnavailable:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc) or type(exc).__name__
        return CacheUnavailable(f"cannot use {WHAT} {self.path}: {why}")

    def _use(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """``fn(db)``; a damaged file is set aside once. Raises CacheUnavailable otherwise."""
        if self.unavailable is not None:
            raise CacheUnavailable(self.unavailable)
        for attempt in (1, 2):
            try:
                return fn(self.db)
            except sqlite3.DatabaseError as exc:
                if attempt == 2 or not _damaged(exc):
                    self.close()
                    raise self._unavailable(exc) from None
                self._set_aside(exc)
            except OSError as exc:
                self.close()
                raise self._unavailable(exc) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _or_without(self, fn: Callable[[sqlite3.Connection], T], default: T) -> T:
        """``fn(db)``, or ``default`` once the cache cannot be used (warned about once)."""
        if self.unavailable is not None:
            return default
        try:
            return self._use(fn)
        except CacheUnavailable as exc:
            self.unavailable = str(exc)
            log.warning("continuing without the cache: %s %s", exc, _HINT)
            return default

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    # --- reads and writes ---------------------------------------------------------
    def get_many(self, key: str, sources: list[str]) -> dict[str, tuple[str, str | None]]:
        """Cached ``(target, flag)`` for those of ``sources`` that are there (none if the cache
        cannot be used)."""
        def run(db: sqlite3.Connection) -> dict[str, tuple[str, str | None]]:
            found: dict[str, tuple[str, str | None]] = {}
            for start in range(0, len(sources), 500):  # SQLite caps bound parameters
                part = sources[start:start + 500]
                marks = ",".join("?" * len(part))
                rows = db.execute(f"SELECT source, target, flag FROM translations "
                                  f"WHERE key = ? AND source IN ({marks})", [key, *part])
                found.update((s, (t, f)) for s, t, f in rows)
            if found:
                now = time.time()
                db.executemany("UPDATE translations SET used = ? WHERE key = ? AND source = ?",
                               [(now, key, s) for s in found])
            return found

        return self._or_without(run, {})

    def put_many(self, key: str, items: list[tuple[str, str, str | None]]) -> None:
        """Store ``(source, target, flag)`` triples (committed before returning), then evict
        if over the size bound. Nothing is stored if the cache cannot be used."""
        def run(db: sqlite3.Connection) -> None:
            now = time.time()
            with db:
                db.execute("BEGIN IMMEDIATE")
                db.executemany("INSERT OR REPLACE INTO translations VALUES (?, ?, ?, ?, ?)",
                               [(key, s, t, f, now) for s, t, f in items])
            self._evict(db)

        if items:
            self._or_without(run, None)

    def _used_bytes(self, db: sqlite3.Connection) -> int:
        pages = db.execute("PRAGMA page_count").fetchone()[0] - db.execute("PRAGMA freelist_count").fetchone()[0]
        return pages * db.execute("PRAGMA page_size").fetchone()[0]

    def _evict(self, db: sqlite3.Connection) -> None:
        used = self._used_bytes(db)
        if used <= self.max_bytes:
            return
        rows = db.execute("SELECT count(*) FROM translations").fetchone()[0]
        # Drop the least recently used share that brings the file to ~90% of its bound.
        n = max(1, int(rows * (1 - 0.9 * self.max_bytes / used)))
        with db:
            db.execute("BEGIN IMMEDIATE")
            db.execute("DELETE FROM translations WHERE (key, source) IN "
                       "(SELECT key, source FROM translations ORDER BY used LIMIT ?)", (n,))
        log.info("translation cache over %d MB: evicted %d least recently used entries",
                 self.max_bytes // (1024 * 1024), n)

    def stats(self) -> dict[str, Any]:
        """Entries, distinct translator keys, bytes used, the bound.

        A cache that cannot be written (read-only) is read as it is.

        Raises:
            CacheUnavailable: the file cannot be read either.
        """
        exists = self.path.exists()
        out: dict[str, Any] = {"path": str(self.path), "exists": exists, "entries": 0, "keys": 0,
                               "bytes": 0, "max_bytes": self.max_bytes}
        if exists:
            def run(db: sqlite3.Connection) -> None:
                out["entries"] = db.execute("SELECT count(*) FROM translations").fetchone()[0]
                out["keys"] = db.execute("SELECT count(DISTINCT key) FROM translations").fetchone()[0]
                out["bytes"] = self._used_bytes(db)

            try:
                self._use(run)
            except CacheUnavailable as exc:
                try:
                    db = self._connect(read_only=True)
                    try:
                        run(db)
                    finally:
                        db.close()
                except sqlite3.DatabaseError:
                    raise exc from None
        return out

    def clear(self) -> int:
        """Remove every entry; returns how many there were.

        Raises:
            CacheUnavailable: the file cannot be written (read-only, locked).
        """
        if not self.path.exists():
            return 0

        def run(db: sqlite3.Connection) -> int:
            with db:
                db.execute("BEGIN IMMEDIATE")
                n = db.execute("DELETE FROM translations").rowcount
            db.execute("VACUUM")
            return n

        return self._use(run)


def _wal(db: sqlite3.Connection, patience: float = 30.0) -> None:
    """Switch to WAL. Two processes opening a new cache at once both try to; SQLite answers
    the loser "database is locked" at once, without its busy timeout, so it tries again."""
    deadline = time.monotonic() + patience
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


class CachedTranslator(TranslatorWrapper):
    """Serves what the store has; sends the rest to the inner translator and stores each
    batch of it as soon as the batch is final (a killed run keeps every finished batch)."""

    def __init__(self, inner: Translator, store: TranslationStore) -> None:
        super().__init__(inner)
        self.store = store

    def translate(self, segments: list[str], token_counts: list[int] | None = None,
                  **overrides: Any) -> list[Translation]:
        if overrides or not segments:  # non-default decoding is never cached
            return self.inner.translate(segments, **counted(token_counts), **overrides)
        key = self.cache_key()
        found = self.store.get_many(key, list(dict.fromkeys(segments)))
        misses = list(dict.fromkeys(s for s in segments if s not in found))
        counts = None if token_counts is None else dict(zip(segments, token_counts, strict=True))
        miss_counts = None if counts is None else [counts[s] for s in misses]
        stored: set[str] = set()

        def store(sources: list[str], outputs: list[Translation]) -> None:
            self.store.put_many(key, [(s, t.text, t.flag) for s, t in zip(sources, outputs, strict=True)])
            stored.update(sources)

        fresh = (dict(zip(misses, self.inner.translate_streaming(misses, store, **counted(miss_counts)),
                          strict=True)) if misses else {})
        # A translator that reports less than it returns still gets everything stored.
        self.store.put_many(key, [(s, t.text, t.flag) for s, t in fresh.items() if s not in stored])
        return [fresh[s] if s in fresh else Translation(found[s][0], flag=found[s][1], cached=True)
                for s in segments]
