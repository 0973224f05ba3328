"""The digest's memory between runs: one SQLite database, one row per article.

SQLite in WAL mode with ``synchronous=FULL``: every article is its own committed
transaction, so a run killed at any moment (even SIGKILL or a power loss) keeps every
article it finished and never leaves a half-written row. One digest at a time owns a
state: an exclusive lock file beside the database (``filelock``, an OS lock the kernel
drops when the process dies, so a killed run never leaves a stale lock) makes a second
run wait or stop with a clear message instead of working on the same rows.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..errors import StateError, StateLockedError

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
STATE_ENV = "MTSUM_STATE"
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
    env = os.environ.get(STATE_ENV)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_path

    return user_data_path("mtsum", appauthor=False) / "digest.sqlite3"


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class State:
    """An open, locked state database. Use as a context manager.

    Raises (on enter):
        StateLockedError: another digest holds the lock for longer than ``wait`` seconds.
        StateError: the file is not an SQLite database or comes from a newer mtsum.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, wait: float = 0.0) -> None:
        self.path = Path(path) if path else default_state_path()
        self.wait = wait
        self._lock: Any = None
        self._db: sqlite3.Connection | None = None
        self.run_id: int | None = None

    def __enter__(self) -> State:
        from filelock import FileLock, Timeout

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StateError(f"cannot create the state folder {self.path.parent}: {exc.strerror} "
                             "(choose another with --state or MTSUM_STATE)") from None
        self._lock = FileLock(f"{self.path}.lock")
        try:
            try:
                self._lock.acquire(timeout=0)
            except Timeout:
                if self.wait == 0:
                    raise
                log.info("another digest is using the state %s; waiting%s", self.path,
                         " until it ends" if self.wait < 0 else f" up to {self.wait:g} s")
                # filelock: a negative timeout waits for ever.
                self._lock.acquire(timeout=self.wait, poll_interval=0.2)
        except Timeout:
            raise StateLockedError(
                f"another mtsum digest is using the state {self.path} (lock {self.path}.lock); "
                "wait for it to finish, pass --wait SECONDS to queue behind it, "
                "or use a different --state"
            ) from None
        try:
            self._db = self._connect()
        except BaseException:
            self._lock.release()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._db is not None:
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
                log.warning("state %s: journal mode %s, not WAL", self.path, mode)
            db.execute("PRAGMA synchronous=FULL")
            with db:
                db.executescript(_SCHEMA)
                row = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
                if row is None:
                    db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
                elif int(row[0]) > SCHEMA_VERSION:
                    raise StateError(f"state {self.path} was written by a newer mtsum (schema {row[0]}); "
                                     "upgrade mtsum or use another --state")
        except sqlite3.DatabaseError as exc:
            raise StateError(f"state {self.path} is not a usable SQLite database ({exc}); "
                             "move it away or choose another --state") from None
        return db

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            raise StateError("state is not open (use `with State(...)`)")
        return self._db

    def get(self, path: str) -> Article | None:
        cur = self.db.execute("SELECT * FROM articles WHERE path = ?", (path,))
        row = cur.fetchone()
        if row is None:
            return None
        data = dict(zip([c[0] for c in cur.description], row))
        data["languages"] = json.loads(data["languages"])
        data["models"] = json.loads(data["models"])
        return Article(**data)

    def put(self, article: Article) -> Article:
        """Insert or replace one article and commit at once; keeps its first_seen."""
        previous = self.db.execute("SELECT first_seen FROM articles WHERE path = ?", (article.path,)).fetchone()
        now = now_iso()
        article.first_seen = previous[0] if previous else (article.first_seen or now)
        article.processed_at = now
        data = asdict(article)
        data["languages"] = json.dumps(article.languages)
        data["models"] = json.dumps(article.models, ensure_ascii=False, sort_keys=True)
        names = [f.name for f in fields(Article)]
        with self.db:
            self.db.execute(
                f"INSERT OR REPLACE INTO articles ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                [data[n] for n in names],
            )
        return article

    def start_run(self) -> None:
        with self.db:
            self.run_id = self.db.execute("INSERT INTO runs (started_at) VALUES (?)", (now_iso(),)).lastrowid

    def finish_run(self, new: int, unchanged: int, failed: int) -> None:
        with self.db:
            self.db.execute("UPDATE runs SET finished_at = ?, new = ?, unchanged = ?, failed = ? WHERE id = ?",
                            (now_iso(), new, unchanged, failed, self.run_id))
