"""Batch output: every record committed as it finishes, merged into OUT at the end.

OUT is checked before anything else happens: a device, FIFO, socket or folder is
refused (:func:`~mtsum.io.atomic.check_replaceable`), so is a folder that does not
exist or cannot be written, and so is an existing OUT that mtsum did not write (a
JSON Lines file whose lines are not mtsum's records, text that is not UTF-8, a Parquet
file without mtsum's columns) unless ``force``: a run never destroys someone's data.

While a run goes on, each finished record is appended to this run's journal, a part
file in the hidden folder ``.OUT.parts`` beside OUT, and handed to the OS at once, so a
killed process loses at most the record in flight; the journal is fsynced every
``chunk_size`` records (or every ``max_seconds``), so a power loss loses at most that
many. When the run ends (or is interrupted) OUT and the parts are merged into a new
OUT, written to a temporary file, fsynced and renamed into place: one record per id
(the newest wins), sorted by id. A run killed before the merge leaves its parts, and
the next run with the same OUT merges them (a line torn by the kill is ignored).

JSON Lines keeps records as nested objects; Parquet (OUT ending in ``.parquet``)
stores ``stats``, ``models``, ``settings`` and ``error`` as JSON text columns, since
their keys differ from record to record. The journal is JSON Lines either way.
"""

from __future__ import annotations

import glob
import json
import logging
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mtsum.batch.records import FIELDS
from mtsum.errors import MissingDependencyError, OutputError, StateLockedError
from mtsum.io.atomic import TEMP_SUFFIX, AtomicFile, check_replaceable, fsync_dir
from mtsum.io.lock import RunLock
from mtsum.io.names import shown
from mtsum.io.signals import deferred
from mtsum.render.json import json_line

log = logging.getLogger(__name__)

JSON_COLUMNS = ("stats", "models", "settings", "error")
OUTPUT_SUFFIXES = (".jsonl", ".ndjson", ".json", ".parquet")
PARQUET_KEY = b"mtsum"  # schema metadata of the Parquet files mtsum writes
PARQUET_FORMAT = b"batch-records/1"


class ChunkedOutput:
    """Commits records as they come; :meth:`close` merges them into OUT.

    Raises (on creation, before any input is read):
        OutputError: OUT has an unknown suffix; is a folder, device, FIFO or socket;
            its folder is missing, not a folder or not writable; it holds data mtsum
            did not write (without ``force``); or another run is writing it.
        MissingDependencyError: a ``.parquet`` OUT without pyarrow.
    """

    def __init__(self, target: str | os.PathLike[str], chunk_size: int = 64, max_seconds: float = 30.0, *,
                 force: bool = False) -> None:
        self.target = Path(target)
        suffix = self.target.suffix.lower()
        if suffix not in OUTPUT_SUFFIXES:
            raise OutputError(f"{shown(target)}: the output must end in .jsonl (JSON Lines) or .parquet")
        _check_folder(self.target)
        check_replaceable(self.target, "batch records")
        self.parquet = suffix == ".parquet"
        if self.parquet:
            _pyarrow()  # fail before any work is done
        why = _foreign(self.target, self.parquet)
        if why is not None and not force:
            raise OutputError(f"{shown(target)}: {why}, so mtsum did not write it; refusing to replace it: "
                              "choose another --output, or pass --force to replace it")
        if why is not None:
            log.warning("%s: %s; --force: it will be replaced by this run's records", shown(target), why)
        self._read_target = why is None
        self.chunk_size = chunk_size
        self.max_seconds = max_seconds
        self.parts = self.target.parent / f".{self.target.name}.parts"
        try:
            self.parts.mkdir(exist_ok=True)
        except OSError as exc:
            raise OutputError(f"{shown(target)}: cannot create {shown(self.parts)}: {exc.strerror or exc}") from None
        self._lock: RunLock | None = _lock(self.parts / ".lock", self.target)
        self._journal: int | None = None
        self._journal_path: Path | None = None
        self._unsynced = 0
        self._since = time.monotonic()
        self.committed = 0  # records handed to the OS by this run

    # --- reading ---------------------------------------------------------------
    def existing(self) -> Iterator[dict[str, Any]]:
        """Records already written: OUT first, then the parts of runs that did not finish, oldest first."""
        if self._read_target and self.target.exists():
            yield from self._read(self.target)
        for part in self._part_files():
            yield from self._read(part)

    def _part_files(self) -> list[Path]:
        # Journals are .jsonl; .parquet parts were written by earlier versions.
        found = [*self.parts.glob("part-*.jsonl"), *self.parts.glob("part-*.parquet")]
        return sorted((p for p in found if p.is_file()), key=lambda p: p.name)

    def _read(self, path: Path) -> Iterator[dict[str, Any]]:
        if path.suffix == ".parquet":
            pq = _pyarrow()[1]
            try:
                rows = pq.read_table(path).to_pylist()
            except Exception as exc:  # pyarrow raises several types for a damaged file
                raise OutputError(f"{shown(path)}: cannot read it as Parquet ({exc}); "
                                  "move it away to start afresh") from None
            for row in rows:
                yield {k: (json.loads(row[k]) if k in JSON_COLUMNS and row.get(k) is not None else row.get(k))
                       for k in FIELDS}
            return
        with path.open("rb") as fh:
            for number, raw in enumerate(fh, 1):
                if not raw.strip():
                    continue
                try:
                    rec = json.loads(raw.decode("utf-8"))
                except (UnicodeDecodeError, json.JSONDecodeError):
                    rec = None
                if isinstance(rec, dict):
                    yield rec
                else:  # the last line of a journal whose run was killed mid-write
                    log.warning("%s: line %d is not a whole record; ignored (its id will be processed again)",
                                shown(path), number)

    # --- writing ---------------------------------------------------------------
    def add(self, rec: dict[str, Any]) -> None:
        """Commit one record: appended to this run's journal and handed to the OS now
        (a killed process keeps it); fsynced every ``chunk_size`` records or ``max_seconds``."""
        data = _line(rec)
        with deferred():  # a stop signal waits for the line to be whole
            if self._journal is None:
                self._open_journal()
            assert self._journal is not None
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(self._journal, view):]
            except OSError as exc:
                raise OutputError(f"{shown(self._journal_path)}: cannot write: {exc.strerror or exc}") from None
            self.committed += 1
            self._unsynced += 1
            if self._unsynced >= self.chunk_size or time.monotonic() - self._since >= self.max_seconds:
                self.flush()

    def _open_journal(self) -> None:
        name = f"part-{time.time_ns():020d}-{os.getpid()}.jsonl"
        path = self.parts / name
        try:
            self._journal = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o644)
        except OSError as exc:
            raise OutputError(f"{shown(path)}: cannot write: {exc.strerror or exc}") from None
        self._journal_path = path
        fsync_dir(self.parts)  # the journal's name survives a crash too

    def flush(self) -> None:
        """Make the records committed so far durable (fsync the journal)."""
        self._unsynced, self._since = 0, time.monotonic()
        if self._journal is None:
            return
        try:
            os.fsync(self._journal)
        except OSError as exc:
            raise OutputError(f"{shown(self._journal_path)}: cannot write: {exc.strerror or exc}") from None

    def close(self, merge: bool = True) -> int:
        """Sync the journal, then (with ``merge``) merge OUT and the parts into OUT; returns its
        record count. A stop signal during the merge is acted on once OUT is in place."""
        try:
            with deferred():
                journal, self._journal = self._journal, None
                if journal is not None:
                    try:
                        os.fsync(journal)
                    except OSError as exc:
                        raise OutputError(f"{shown(self._journal_path)}: cannot write: {exc.strerror or exc}"
                                          ) from None
                    finally:
                        os.close(journal)
                if not merge:
                    return 0
                merged: dict[str, dict[str, Any]] = {}
                for rec in self.existing():
                    merged[str(rec.get("id"))] = rec
                parts = self._part_files()
                records = [merged[k] for k in sorted(merged)]
                self._write(self.target, records)
                # Temporary files of a run killed mid-write hold nothing that counts; we hold the lock.
                stale = [*self.parts.glob(f".part-*{TEMP_SUFFIX}"),
                         *self.target.parent.glob(f".{glob.escape(self.target.name)}.*{TEMP_SUFFIX}")]
                for part in [*parts, *stale]:
                    part.unlink(missing_ok=True)
                return len(records)
        finally:
            self._unlock()

    def _unlock(self) -> None:
        lock, self._lock = self._lock, None
        if lock is None:
            return
        lock.release()
        try:
            self.parts.rmdir()  # only when empty: parts left by a failure stay for the next run
        except OSError:
            pass

    def _write(self, target: Path, records: list[dict[str, Any]]) -> None:
        try:
            with AtomicFile(target, binary=True) as tmp:
                if self.parquet:
                    pa, pq = _pyarrow()
                    pq.write_table(pa.Table.from_pylist([_flat(r) for r in records], schema=_schema(pa)), tmp.fh)
                else:
                    for rec in records:
                        tmp.write(_line(rec))
        except OSError as exc:
            raise OutputError(f"{shown(target)}: cannot write: {exc.strerror or exc}") from None


def _line(rec: dict[str, Any]) -> bytes:
    """One record as one UTF-8 JSON line. A lone surrogate (no valid text holds one, but
    a library might return it) is kept as JSON's ``\\udXXX`` escape instead of failing the run."""
    try:
        return (json_line(rec) + "\n").encode("utf-8")
    except UnicodeEncodeError:
        return (json.dumps(rec, ensure_ascii=True) + "\n").encode("ascii")


def _check_folder(target: Path) -> None:
    """OUT's folder must exist and be writable: said now, not after hours of work."""
    parent = target.parent
    try:
        mode = os.stat(parent).st_mode
    except FileNotFoundError:
        raise OutputError(f"{shown(target)}: the folder {shown(parent)} does not exist; create it first") from None
    except NotADirectoryError:
        raise OutputError(f"{shown(target)}: {shown(parent)} cannot be a folder: part of it is a file") from None
    except OSError as exc:
        raise OutputError(f"{shown(target)}: cannot use the folder {shown(parent)}: {exc.strerror or exc}") from None
    if not stat.S_ISDIR(mode):
        raise OutputError(f"{shown(target)}: {shown(parent)} is a file, not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"{shown(target)}: the folder {shown(parent)} is not writable")


def _foreign(target: Path, parquet: bool) -> str | None:
    """Why an existing OUT is not a file of mtsum's records; None if it is one (or is absent or empty)."""
    try:
        if target.stat().st_size == 0:
            return None
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise OutputError(f"{shown(target)}: cannot read it: {exc.strerror or exc}") from None
    if parquet:
        pq = _pyarrow()[1]
        try:
            schema = pq.read_schema(target)
        except Exception:  # pyarrow raises several types for a file that is not Parquet
            return "it is not a Parquet file"
        if PARQUET_KEY not in (schema.metadata or {}) and list(schema.names) != list(FIELDS):
            return "its columns are not those of mtsum's batch records"
        return None
    try:
        fh = target.open("rb")
    except OSError as exc:
        raise OutputError(f"{shown(target)}: cannot read it: {exc.strerror or exc}") from None
    with fh:
        if b"\0" in fh.read(65536):
            return "it holds binary data"
        fh.seek(0)
        for number, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError:
                return f"line {number} is not UTF-8 text"
            except json.JSONDecodeError:
                return f"line {number} is not JSON"
            if not isinstance(obj, dict) or not set(FIELDS) <= obj.keys():
                return f"line {number} is not an mtsum record (it lacks fields such as id, error, run_key)"
    return None


def _flat(rec: dict[str, Any]) -> dict[str, Any]:
    return {k: (json.dumps(rec.get(k), ensure_ascii=False) if k in JSON_COLUMNS and rec.get(k) is not None
                else rec.get(k)) for k in FIELDS}


def _schema(pa: Any) -> Any:
    return pa.schema([(k, pa.float64() if k == "language_confidence" else pa.string()) for k in FIELDS],
                     metadata={PARQUET_KEY: PARQUET_FORMAT})


def _pyarrow() -> tuple[Any, Any]:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise MissingDependencyError(
            "Parquet output needs pyarrow: pip install 'mtsum[ray]' (or pyarrow), or write .jsonl") from None
    return pa, pq


def _lock(path: Path, target: Path) -> RunLock:
    """An exclusive lock: two runs writing one OUT would skip and merge each other's work."""
    lock = RunLock(path, remove=True, held=f"{shown(target)}: another mtsum batch is writing it; wait for it "
                                          "or choose another --output")
    try:
        return lock.acquire()
    except StateLockedError as exc:
        # exit 2, as batch always did: a busy output is a usage error for batch, not "try later"
        raise OutputError(str(exc)) from None
    except OSError as exc:
        raise OutputError(f"{shown(path)}: cannot create the lock file: {exc.strerror or exc}") from None
