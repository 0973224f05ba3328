"""Where results go: stdout, one file, or one file per input in a folder.

A file is never written in place: text goes to a temporary file beside the target,
which is fsynced and renamed over it only once complete, so a failed or interrupted
run leaves earlier files as they were and no partial file. Every output path is
checked before any input is read; an output that is one of the inputs is refused.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import sys
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TypeVar

from mtsum.errors import OutputError
from mtsum.io.atomic import AtomicFile
from mtsum.io.names import unique_stems
from mtsum.io.signals import deferred

log = logging.getLogger(__name__)

STDIN_NAMES = ("-", "<stdin>")
T = TypeVar("T")


class Sink(ABC):
    """Receives each document's rendered chunks; ``close(commit)`` ends the run."""

    @abstractmethod
    def write(self, index: int, name: str, chunks: Iterable[str]) -> None:
        """Write one document's chunks (as they come, or all at once)."""

    def close(self, commit: bool = True) -> None:  # noqa: B027  (streams have nothing to finish)
        """Finish the run: keep what was written (``commit``) or discard what is pending."""


class _Stream(Sink):
    """Documents one after another, with ``==> name <==`` headers when asked."""

    def __init__(self, headers: bool) -> None:
        self.headers = headers
        self.count = 0

    @abstractmethod
    def _emit(self, text: str) -> None:
        """Put ``text`` where this stream goes."""

    def write(self, index: int, name: str, chunks: Iterable[str]) -> None:
        if self.headers:
            self._emit(("\n" if self.count else "") + f"==> {name} <==\n")
        for chunk in chunks:
            self._emit(chunk)
        self._emit("\n")
        self.count += 1


class StdoutSink(_Stream):
    """Writes to whatever ``sys.stdout`` is now, flushing each chunk (a paragraph) as it comes."""

    def _emit(self, text: str) -> None:
        out = sys.stdout
        out.write(text)
        out.flush()


class FileSink(_Stream):
    """All documents into one file, renamed into place when the run ends well."""

    def __init__(self, target: Path, headers: bool) -> None:
        super().__init__(headers)
        self.target = target
        self._tmp: _TempFile | None = None

    def _emit(self, text: str) -> None:
        if self._tmp is None:
            self._tmp = _TempFile(self.target)
        self._tmp.write(text)

    def write(self, index: int, name: str, chunks: Iterable[str]) -> None:
        super().write(index, name, chunks)
        log.debug("%s: added to %s", name, self.target)

    def close(self, commit: bool = True) -> None:
        tmp, self._tmp = self._tmp, None
        if tmp is None:  # nothing succeeded: an existing file stays as it was
            return
        if commit:
            tmp.commit()
            log.info("wrote %s", self.target)
        else:
            tmp.discard()


class DirSink(Sink):
    """One file per input, each renamed into place as soon as it is complete."""

    def __init__(self, targets: list[Path]) -> None:
        self.targets = targets

    def write(self, index: int, name: str, chunks: Iterable[str]) -> None:
        target = self.targets[index]
        tmp = _TempFile(target)
        try:
            for chunk in chunks:
                tmp.write(chunk)
            tmp.write("\n")
        except BaseException:
            tmp.discard()
            raise
        tmp.commit()
        log.info("wrote %s", target)


class _TempFile:
    """An :class:`~mtsum.io.atomic.AtomicFile` for ``target``, its errors said as OutputError.

    A target that exists and is not a regular file (``-o /dev/stdout``, a FIFO) is written
    in place instead: renaming over it would replace the device node."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.file: AtomicFile | None = None
        if target.exists() and not target.is_file():
            self.fh = _guard(target, lambda: open(target, "w", encoding="utf-8"))
            return
        self.file = _guard(target, lambda: AtomicFile(target))
        self.fh = self.file.fh

    def write(self, text: str) -> None:
        try:
            _guard(self.target, lambda: self.fh.write(text))
        except BaseException:
            self.discard()
            raise

    def commit(self) -> None:
        if self.file is not None:
            _guard(self.target, self.file.commit)
            return
        with deferred():
            try:
                _guard(self.target, self._close_special)
            except BaseException:
                self.discard()
                raise

    def _close_special(self) -> None:
        self.fh.flush()
        self.fh.close()

    def discard(self) -> None:
        if self.file is not None:
            self.file.discard()
            return
        with deferred(), contextlib.suppress(OSError):
            self.fh.close()


def _guard(target: Path, action: Callable[[], T]) -> T:
    try:
        return action()
    except OSError as exc:
        raise OutputError(_describe(target, exc)) from None


def _describe(target: Path, exc: OSError) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"{target}: cannot write: disk full (free some space or choose another -o)"
    return f"{target}: cannot write: {exc.strerror or exc}"


def open_sink(output: str | None, inputs: Sequence[str], suffix: str, *, headers: bool = False) -> Sink:
    """The sink for ``-o output`` (None: stdout), checked before any input is read.

    ``output`` is a folder (one ``<stem><suffix>`` file per input) when there are
    several inputs, when it is an existing folder, or when it ends with ``/``;
    otherwise one file.

    Raises:
        OutputError: the output is one of the inputs, a file where a folder is
            needed, its folder cannot be created, or it is not writable.
    """
    if not output:
        return StdoutSink(headers)
    out = Path(output)
    if len(inputs) > 1 or out.is_dir() or output.endswith(("/", os.sep)):
        if out.exists() and not out.is_dir():
            raise OutputError(f"{output}: exists and is not a folder; with several inputs -o names a folder")
        _make_folder(out, output)
        targets = output_names(out, inputs, suffix)
        known = _InputFiles(inputs)
        for target in targets:
            known.refuse(target)
        return DirSink(targets)
    _InputFiles(inputs).refuse(out)
    _make_folder(out.parent, output)
    return FileSink(out, headers)


def output_names(folder: Path, inputs: Sequence[str], suffix: str) -> list[Path]:
    """``folder/<stem><suffix>`` per input; a repeated stem (in any case) gets ``-2``, ``-3``…"""
    stems = unique_stems("stdin" if name in STDIN_NAMES else Path(name).stem for name in inputs)
    return [folder / f"{stem}{suffix}" for stem in stems]


def _make_folder(folder: Path, output: str) -> None:
    for parent in (folder, *folder.parents):
        if parent.exists():
            if not parent.is_dir():
                raise OutputError(f"{output}: {parent} is a file, not a folder")
            break
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{output}: cannot create folder {folder}: {exc.strerror or exc}") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"{output}: folder {folder} is not writable")


class _InputFiles:
    """The inputs by device and inode (so links count) and by resolved path."""

    def __init__(self, inputs: Sequence[str]) -> None:
        self.inodes: set[tuple[int, int]] = set()
        self.paths: set[Path] = set()
        for name in inputs:
            if name in STDIN_NAMES:
                continue
            inode, resolved = _identity(Path(name))
            if inode is not None:
                self.inodes.add(inode)
            if resolved is not None:
                self.paths.add(resolved)

    def refuse(self, target: Path) -> None:
        inode, resolved = _identity(target)
        if (inode is not None and inode in self.inodes) or (resolved is not None and resolved in self.paths):
            raise OutputError(f"{target}: the output is also an input; choose another -o "
                              "(mtsum never overwrites its input)")


def _identity(path: Path) -> tuple[tuple[int, int] | None, Path | None]:
    try:
        st = os.stat(path)  # follows symlinks; a hard link has the same inode
        inode = (st.st_dev, st.st_ino)
    except OSError:
        inode = None
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop on older Pythons
        resolved = None
    return inode, resolved
