"""The digest's memory between runs: one SQLite database, one row per article.

SQLite in WAL mode with ``synchronous=FULL``: every article is its own committed
transaction, so a run killed at any moment (even SIGKILL or a power loss) keeps every
article it finished and never leaves a half-written row. One digest at a time owns a
state: an exclusive lock file beside the database (:class:`~mtsum.io.lock.RunLock`, an OS
lock the kernel drops when the process dies, so a killed run never leaves a stale lock)
makes a second run wait or stop with a clear message instead of working on the same rows.

Every way the database can be unusable is one line and exit 2 (``StateError``), found
when it is opened where possible, before any article is read: a path that is not a
regular file, a read-only or immutable file or folder, a damaged file (``PRAGMA
quick_check``), a full disk; one that only shows later (a write that hits a full disk
or a damaged page) says the same.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from mtsum.digest.names import db_key, from_db_key, one_line
from mtsum.errors import OutputError, StateError
from mtsum.io.atomic import check_replaceable, probe
from mtsum.io.lock import RunLock

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
# A reader (e.g. a test or `sqlite3` on the command line) may hold the database for a
# moment; waiting beats failing a nightly run.
BUSY_TIMEOUT_S = 30.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    path TEXT PRIMARY KEY,          -- absolute path of the input file
    content_hash TEXT NOT NULL,     -- sha256 of the file's bytes
    signature TEXT NOT NULL,        -- models, revisions and settings that produced the row
    mtime REAL NOT NULL,
    language TEXT NOT NULL,
    language_confidence REAL,
    languages TEXT NOT NULL,        -- JSON list: languages translated from (not en)
    title TEXT,
    source_title TEXT,
    translation TEXT NOT NULL,      -- the cleaned English text, paragraphs split by blank lines
    summary TEXT NOT NULL,
    summarizer TEXT NOT NULL,
    models TEXT NOT NULL,           -- JSON, as recorded in the summary result
    first_seen TEXT NOT NULL,
    processed_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    new INTEGER, unchanged INTEGER, failed INTEGER
);
"""


@dataclass
class Article:
    """One processed article as stored."""

    path: str
    content_hash: str
    signature: str
    mtime: float
    language: str
    language_confidence: float | None
    languages: list[str]
    title: str | None
    source_title: str | None
    translation: str
    summary: str
    summarizer: str
    models: dict[str, Any]
    first_seen: str = ""
    processed_at: str = ""


def default_state_path() -> Path:
    """``MTSUM_STATE``, else ``digest.sqlite3`` in the user data directory (resolved now)."""
    from mtsum.settings import state_path

    return state_path()


def now_iso(precise: bool = False) -> str:
    """Now, UTC, ISO 8601; ``precise``: to the microsecond (an article's first_seen and
    processed_at: two runs in one second must still tell which article came first)."""
    return datetime.now(timezone.utc).isoformat(timespec="microseconds" if precise else "seconds")


def parse_iso(text: str) -> datetime:
    """A stored timestamp (seconds or microseconds) as an aware datetime; the epoch if unreadable."""
    try:
        when = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return datetime.fromtimestamp(0, timezone.utc)
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


class State:
    """An open, locked state database. Use as a context manager.

    Raises (on enter):
        StateLockedError: another digest holds the lock for longer than ``wait`` seconds.
        StateError: the file is not an SQLite database or comes from a newer mtsum.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, wait: float = 0.0) -> None:
        self.path = Path(path) if path else default_state_path()
        self.wait = wait
        self._lock: RunLock | None = None
        self._db: sqlite3.Connection | None = None
        self.run_id: int | None = None

    def __enter__(self) -> State:
        try:
            check_replaceable(self.path, "the digest state")
        except OutputError as exc:
            raise StateError(str(exc)) from None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StateError(_problem(f"cannot create the state folder {one_line(str(self.path.parent))}", exc)
                             + " (choose another with --state or MTSUM_STATE)") from None
        self._acquire()
        try:
            self._check_writable()
            self._db = self._connect()
        except BaseException:
            self.close()
            raise
        return self

    def _acquire(self) -> None:
        shown = one_line(str(self.path))
        lock = RunLock(f"{self.path}.lock", wait=self.wait, waiting=f"another digest is using the state {shown}",
                       held=f"another mtsum digest is using the state {shown} (lock {shown}.lock); "
                            "wait for it to finish, pass --wait SECONDS to queue behind it, or use a different --state")
        try:
            self._lock = lock.acquire()
        except OSError as exc:
            if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
                raise StateError(f"state {shown}: its folder is read-only (cannot create the lock file "
                                 f"{shown}.lock: {exc.strerror}); make it writable or choose another --state") from None
            raise StateError(_problem(f"state {shown}: cannot create its lock file {shown}.lock", exc)
                             + " (choose another --state)") from None

    def _check_writable(self) -> None:
        """A read-only or immutable file or folder, or a full disk: say so before any work."""
        shown = one_line(str(self.path))
        for target, what in ((self.path, "the state file"), (self.path.parent, "the state's folder")):
            if target.exists() and not os.access(target, os.W_OK):
                raise StateError(f"state {shown}: {what} is read-only (or immutable); mtsum must write "
                                 "it: make it writable or choose another --state")
        try:
            probe(self.path.parent)
        except OSError as exc:
            raise StateError(_problem(f"state {shown}: cannot write in its folder", exc)) from None

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):  # a failed checkpoint leaves the WAL: still whole
                self._db.close()
            self._db = None
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def _connect(self) -> sqlite3.Connection:
        try:
            db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S)
            mode = db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if mode != "wal":  # e.g. some network file systems
                log.warning("state %s: journal mode %s, not WAL", one_line(str(self.path)), mode)
            db.execute("PRAGMA synchronous=FULL")
            with db:
                db.executescript(_SCHEMA)
                row = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
                if row is None:
                    db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
                elif int(row[0]) > SCHEMA_VERSION:
                    raise StateError(f"state {one_line(str(self.path))} was written by a newer mtsum "
                                     f"(schema {row[0]}); upgrade mtsum or use another --state")
            damage = [r[0] for r in db.execute("PRAGMA quick_check")]
            if damage != ["ok"]:
                raise sqlite3.DatabaseError(f"database disk image is malformed: {damage[0]}")
        except sqlite3.DatabaseError as exc:
            with contextlib.suppress(UnboundLocalError, sqlite3.Error):
                db.close()
            raise self._error(exc) from None
        return db

    def _error(self, exc: sqlite3.Error) -> StateError:
        """One line for what went wrong with the database file."""
        shown = one_line(str(self.path))
        text = one_line(str(exc))
        code = getattr(exc, "sqlite_errorname", "")
        if code.startswith("SQLITE_FULL") or "disk is full" in text:
            return StateError(f"state {shown}: disk full (free some space or choose another --state)")
        if code.startswith("SQLITE_READONLY") or "readonly" in text:
            return StateError(f"state {shown}: cannot be written ({text}); make it writable or "
                              "choose another --state")
        if code.startswith("SQLITE_CORRUPT") or "malformed" in text:
            return StateError(f"state {shown} is damaged ({text}); move it away (the next run starts a "
                              "new one and processes every article again) or choose another --state")
        if code.startswith(("SQLITE_NOTADB", "SQLITE_CANTOPEN")) or "not a database" in text:
            return StateError(f"state {shown} is not a usable SQLite database ({text}); "
                              "move it away or choose another --state")
        return StateError(f"state {shown}: {text}; move it away or choose another --state")

    @contextlib.contextmanager
    def _guarded(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise self._error(exc) from None

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            raise StateError("state is not open (use `with State(...)`)")
        return self._db

    def get(self, path: str) -> Article | None:
        with self._guarded():
            cur = self.db.execute("SELECT * FROM articles WHERE path = ?", (db_key(path),))
            row = cur.fetchone()
        if row is None:
            return None
        data = dict(zip([c[0] for c in cur.description], row))
        try:
            data["path"] = from_db_key(data["path"])
            data["languages"] = json.loads(data["languages"])
            data["models"] = json.loads(data["models"])
            return Article(**data)
        except (TypeError, ValueError) as exc:
            raise StateError(f"state {one_line(str(self.path))} is damaged (a row of {one_line(path)} "
                             f"cannot be read: {exc}); move it away or choose another --state") from None

    def put(self, article: Article) -> Article:
        """Insert or replace one article and commit at once; keeps its first_seen."""
        key = db_key(article.path)
        with self._guarded():
            previous = self.db.execute("SELECT first_seen FROM articles WHERE path = ?", (key,)).fetchone()
        now = now_iso(precise=True)
        article.first_seen = previous[0] if previous else (article.first_seen or now)
        article.processed_at = now
        data = asdict(article)
        data["path"] = key
        data["languages"] = json.dumps(article.languages)
        data["models"] = json.dumps(article.models, ensure_ascii=False, sort_keys=True)
        names = [f.name for f in fields(Article)]
        with self._guarded(), self.db:
            self.db.execute(
                f"INSERT OR REPLACE INTO articles ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                [data[n] for n in names],
            )
        return article

    def start_run(self) -> None:
        with self._guarded(), self.db:
            self.run_id = self.db.execute("INSERT INTO runs (started_at) VALUES (?)", (now_iso(),)).lastrowid

    def finish_run(self, new: int, unchanged: int, failed: int) -> None:
        with self._guarded(), self.db:
            self.db.execute("UPDATE runs SET finished_at = ?, new = ?, unchanged = ?, failed = ? WHERE id = ?",
                            (now_iso(), new, unchanged, failed, self.run_id))


def _problem(what: str, exc: OSError) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"{what}: disk full"
    return f"{what}: {exc.strerror or exc}"
