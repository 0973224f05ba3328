"""Batch output: records in atomic, order-independent chunks, merged into OUT at the end.

While a run goes on, every ``chunk_size`` records (or every ``max_seconds``) become one
part file in the hidden folder ``.OUT.parts`` beside OUT, written to a temporary name,
fsynced and renamed, so a killed run loses at most the chunk in flight. When the run
ends (or is interrupted) OUT and the parts are merged into a new OUT, renamed into place
the same way: one record per id (the newest wins), sorted by id. A run killed before
the merge leaves its parts, and the next run with the same OUT merges them.

JSON Lines keeps records as nested objects; Parquet (OUT ending in ``.parquet``)
stores ``stats``, ``models``, ``settings`` and ``error`` as JSON text columns, since
their keys differ from record to record.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import MissingDependencyError, OutputError
from ..results import json_line
from ..runs.atomic import file_mode, fsync_dir
from .records import FIELDS

log = logging.getLogger(__name__)

JSON_COLUMNS = ("stats", "models", "settings", "error")
OUTPUT_SUFFIXES = (".jsonl", ".ndjson", ".json", ".parquet")


class ChunkedOutput:
    """Collects records and writes them in chunks; :meth:`close` merges them into OUT.

    Raises (on creation):
        OutputError: OUT has an unknown suffix, is a folder, its folder cannot be made,
            or another run is writing it.
    """

    def __init__(self, target: str | os.PathLike[str], chunk_size: int = 64, max_seconds: float = 30.0) -> None:
        self.target = Path(target)
        suffix = self.target.suffix.lower()
        if suffix not in OUTPUT_SUFFIXES:
            raise OutputError(f"{target}: the output must end in .jsonl (JSON Lines) or .parquet")
        if self.target.is_dir():
            raise OutputError(f"{target}: is a folder; --output names a .jsonl or .parquet file")
        self.parquet = suffix == ".parquet"
        self.ext = ".parquet" if self.parquet else ".jsonl"
        if self.parquet:
            _pyarrow()  # fail before any work is done
        self.chunk_size = chunk_size
        self.max_seconds = max_seconds
        self.parts = self.target.parent / f".{self.target.name}.parts"
        try:
            self.parts.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"{target}: cannot create {self.parts}: {exc.strerror or exc}") from None
        self._lock = _lock(self.parts / ".lock", self.target)
        self._buffer: list[dict[str, Any]] = []
        self._since = time.monotonic()
        self._seq = 0

    # --- reading ---------------------------------------------------------------
    def existing(self) -> Iterator[dict[str, Any]]:
        """Records already written: OUT first, then the parts of runs that did not finish, oldest first."""
        if self.target.exists():
            yield from self._read(self.target)
        for part in self._part_files():
            yield from self._read(part)

    def _part_files(self) -> list[Path]:
        return sorted(p for p in self.parts.glob(f"part-*{self.ext}") if p.is_file())

    def _read(self, path: Path) -> Iterator[dict[str, Any]]:
        if self.parquet:
            pq = _pyarrow()[1]
            try:
                rows = pq.read_table(path).to_pylist()
            except Exception as exc:  # pyarrow raises several types for a damaged file
                raise OutputError(f"{path}: cannot read it as Parquet ({exc}); move it away to start afresh") from None
            for row in rows:
                yield {k: (json.loads(row[k]) if k in JSON_COLUMNS and row.get(k) is not None else row.get(k))
                       for k in FIELDS}
            return
        with path.open(encoding="utf-8") as fh:
            for number, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    yield json.loads(line)
                except json.JSONDecodeError:
                    log.warning("%s: line %d is not a JSON record; ignored (its id will be processed again)",
                                path, number)

    # --- writing ---------------------------------------------------------------
    def add(self, rec: dict[str, Any]) -> None:
        self._buffer.append(rec)
        if len(self._buffer) >= self.chunk_size or time.monotonic() - self._since >= self.max_seconds:
            self.flush()

    def flush(self) -> None:
        """Write the buffered records as one part file (atomically)."""
        records, self._buffer, self._since = self._buffer, [], time.monotonic()
        if not records:
            return
        self._seq += 1
        name = f"part-{time.time_ns():020d}-{os.getpid()}-{self._seq:06d}{self.ext}"
        self._write(self.parts / name, records)

    def close(self, merge: bool = True) -> int:
        """Flush, then (with ``merge``) merge OUT and the parts into OUT; returns its record count."""
        try:
            self.flush()
            if not merge:
                return 0
            merged: dict[str, dict[str, Any]] = {}
            for rec in self.existing():
                merged[str(rec.get("id"))] = rec
            parts = self._part_files()
            records = [merged[k] for k in sorted(merged)]
            self._write(self.target, records)
            # Temporary files of a run killed mid-write hold nothing that counts; we hold the lock.
            for part in [*parts, *self.parts.glob(".part-*.mtsum-part")]:
                part.unlink(missing_ok=True)
            return len(records)
        finally:
            self._unlock()

    def _unlock(self) -> None:
        lock, self._lock = self._lock, None
        if lock is None:
            return
        os.close(lock)
        try:
            (self.parts / ".lock").unlink(missing_ok=True)
            self.parts.rmdir()  # only when empty: parts left by a failure stay for the next run
        except OSError:
            pass

    def _write(self, target: Path, records: list[dict[str, Any]]) -> None:
        try:
            fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".mtsum-part")
        except OSError as exc:
            raise OutputError(f"{target}: cannot write: {exc.strerror or exc}") from None
        tmp = Path(name)
        try:
            if self.parquet:
                os.close(fd)
                pa, pq = _pyarrow()
                pq.write_table(pa.Table.from_pylist([_flat(r) for r in records], schema=_schema(pa)), tmp)
                with tmp.open("rb+") as fh:
                    os.fsync(fh.fileno())
            else:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write("".join(json_line(r) + "\n" for r in records))
                    fh.flush()
                    os.fsync(fh.fileno())
            os.chmod(tmp, file_mode(target))
            os.replace(tmp, target)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise OutputError(f"{target}: cannot write: {exc.strerror or exc}") from None
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        fsync_dir(target.parent)


def _flat(rec: dict[str, Any]) -> dict[str, Any]:
    return {k: (json.dumps(rec.get(k), ensure_ascii=False) if k in JSON_COLUMNS and rec.get(k) is not None
                else rec.get(k)) for k in FIELDS}


def _schema(pa: Any) -> Any:
    return pa.schema([(k, pa.float64() if k == "language_confidence" else pa.string()) for k in FIELDS])


def _pyarrow() -> tuple[Any, Any]:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise MissingDependencyError(
            "Parquet output needs pyarrow: pip install 'mtsum[ray]' (or pyarrow), or write .jsonl") from None
    return pa, pq


def _lock(path: Path, target: Path) -> int:
    """An exclusive lock: two runs writing one OUT would skip and merge each other's work."""
    import fcntl

    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise OutputError(f"{target}: another mtsum batch is writing it; wait for it or choose another --output"
                          ) from None
    return fd


