"""The persistent translation cache: SQLite, keyed by everything that changes the output.

A segment translated once is never translated again by the same model, revision,
backend, precision and decoding settings (the translator's ``cache_key()``), across
runs and processes: a nightly digest re-reading yesterday's agency copy, or a rerun
after a crash, costs only the new text. SQLite in WAL mode lets two mtsum processes
share one file; the file is bounded and the least recently used entries go first.
A file that is not a database (or is damaged) is set aside with a warning and a new
one started: a cache must never stop a translation.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .translate import Translation, Translator, TranslatorWrapper

log = logging.getLogger(__name__)

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


def default_cache_path() -> Path:
    from .paths import cache_dir

    return cache_dir() / "translations.sqlite3"


def resolve_cache_path(cache: str | os.PathLike[str] | bool | None = None) -> Path | None:
    """``--cache PATH`` / ``--no-cache`` (False) > ``MTSUM_CACHE`` (a path, or ``off``) > default.

    Returns None when caching is off.
    """
    if cache is False:
        return None
    if cache not in (None, True):
        return Path(cache).expanduser()  # type: ignore[arg-type]
    env = os.environ.get("MTSUM_CACHE", "").strip()
    if env.lower() in _OFF and env:
        return None
    return Path(env).expanduser() if env else default_cache_path()


def max_cache_bytes() -> int:
    """``MTSUM_CACHE_MAX_MB`` (megabytes) > 512 MB."""
    env = os.environ.get("MTSUM_CACHE_MAX_MB")
    if not env:
        return DEFAULT_MAX_BYTES
    try:
        value = float(env)
    except ValueError:
        raise ConfigError(f"MTSUM_CACHE_MAX_MB must be a number of megabytes, got '{env}'") from None
    if value <= 0:
        raise ConfigError(f"MTSUM_CACHE_MAX_MB must be positive, got {env}")
    return int(value * 1024 * 1024)


class TranslationStore:
    """One SQLite cache file; opened on first use."""

    def __init__(self, path: str | os.PathLike[str], max_bytes: int | None = None) -> None:
        self.path = Path(path)
        self.max_bytes = max_bytes if max_bytes is not None else max_cache_bytes()
        self._db: sqlite3.Connection | None = None

    # --- connection -------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"cannot create the cache folder {self.path.parent}: {exc.strerror} "
                              "(use --cache PATH or --no-cache)") from None
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(_SCHEMA)
            db.execute("SELECT count(*) FROM translations LIMIT 1").fetchone()
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            try:
                self._db = self._connect()
            except sqlite3.DatabaseError as exc:
                self._set_aside(exc)
                self._db = self._connect()
        return self._db

    def _set_aside(self, exc: Exception) -> None:
        """Move a damaged file out of the way (kept, for whoever wants to look) and start afresh."""
        if self._db is not None:
            self._db.close()
            self._db = None
        aside = self.path.with_name(f"{self.path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
        for suffix in ("", "-wal", "-shm"):
            src = Path(str(self.path) + suffix)
            if src.exists():
                src.replace(Path(str(aside) + suffix))
        log.warning("translation cache %s is damaged (%s); moved it to %s and started a new one",
                    self.path, exc, aside)

    def _guarded(self, fn: Any) -> Any:
        try:
            return fn(self.db)
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
                raise
            self._set_aside(exc)
            return fn(self.db)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    # --- reads and writes ---------------------------------------------------------
    def get_many(self, key: str, sources: list[str]) -> dict[str, tuple[str, str | None]]:
        """Cached ``(target, flag)`` for those of ``sources`` that are there."""
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

        return self._guarded(run)

    def put_many(self, key: str, items: list[tuple[str, str, str | None]]) -> None:
        """Store ``(source, target, flag)`` triples, then evict if over the size bound."""
        def run(db: sqlite3.Connection) -> None:
            now = time.time()
            with db:
                db.execute("BEGIN IMMEDIATE")
                db.executemany("INSERT OR REPLACE INTO translations VALUES (?, ?, ?, ?, ?)",
                               [(key, s, t, f, now) for s, t, f in items])
            self._evict(db)

        if items:
            self._guarded(run)

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
        """Entries, distinct translator keys, bytes used, the bound."""
        exists = self.path.exists()
        out: dict[str, Any] = {"path": str(self.path), "exists": exists, "entries": 0, "keys": 0,
                               "bytes": 0, "max_bytes": self.max_bytes}
        if exists:
            def run(db: sqlite3.Connection) -> None:
                out["entries"] = db.execute("SELECT count(*) FROM translations").fetchone()[0]
                out["keys"] = db.execute("SELECT count(DISTINCT key) FROM translations").fetchone()[0]
                out["bytes"] = self._used_bytes(db)

            self._guarded(run)
        return out

    def clear(self) -> int:
        """Remove every entry; returns how many there were."""
        if not self.path.exists():
            return 0

        def run(db: sqlite3.Connection) -> int:
            with db:
                db.execute("BEGIN IMMEDIATE")
                n = db.execute("DELETE FROM translations").rowcount
            db.execute("VACUUM")
            return n

        return self._guarded(run)


class CachedTranslator(TranslatorWrapper):
    """Serves what the store has; sends the rest to the inner translator and stores it."""

    def __init__(self, inner: Translator, store: TranslationStore) -> None:
        super().__init__(inner)
        self.store = store

    def translate(self, segments: list[str], **overrides: Any) -> list[Translation]:
        if overrides or not segments:  # non-default decoding is never cached
            return self.inner.translate(segments, **overrides)
        key = self.cache_key()
        found = self.store.get_many(key, list(dict.fromkeys(segments)))
        misses = list(dict.fromkeys(s for s in segments if s not in found))
        fresh = dict(zip(misses, self.inner.translate(misses))) if misses else {}
        self.store.put_many(key, [(s, t.text, t.flag) for s, t in fresh.items()])
        return [fresh[s] if s in fresh else Translation(found[s][0], flag=found[s][1], cached=True)
                for s in segments]
