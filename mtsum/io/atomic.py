"""Atomic file writes: a reader (or a crash) sees the old file or the new one, never half.

Every file mtsum writes whole (outputs, digest pages, batch records, the cache's
neighbours, conversions) goes through :class:`AtomicFile`: a temporary file beside the
target (``.NAME.XXXX.mtsum-part``), fsynced, renamed into place, then the folder
fsynced. A SIGINT/SIGTERM arriving during the commit waits until the file is in place
(:func:`mtsum.io.signals.deferred`).

One rule for every path mtsum itself creates, replaces or renames (outputs, cache,
state, log, conversions): only a regular file, or a path that does not exist yet
(:func:`check_replaceable`). Renaming over ``/dev/null`` replaces the device node.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path
from typing import IO, Any

from mtsum.io.signals import deferred

#: The suffix of every temporary file mtsum writes; one left by a killed process is ours to delete.
TEMP_SUFFIX = ".mtsum-part"
# Earlier versions' write_atomic used ".tmp": a folder holding one is still mtsum's.
_LEGACY_SUFFIX = ".tmp"
_PROBE_BYTES = 4096
_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"))


def check_replaceable(path: str | os.PathLike[str], what: str) -> None:
    """Raise OutputError unless ``path`` is a regular file (a link to one counts) or absent.

    ``what`` names the file for the message ("the translation cache", "the digest state").
    """
    from mtsum.errors import OutputError

    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise OutputError(f"{path}: cannot use it as {what}: {exc.strerror or exc}") from None
    if stat.S_ISREG(mode):
        return
    kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
    raise OutputError(f"{path} is {kind}: mtsum writes {what} only to a regular file or a new path; "
                      "choose another path")


class AtomicFile:
    """A temporary file beside ``target`` that becomes ``target`` on :meth:`commit`.

    ``binary``: write bytes (``fh`` takes them; a library can write to ``fh`` too),
    else UTF-8 text, newlines as given. As a context manager it commits when the block
    ends well and discards otherwise. Raises OSError (creating, writing, committing);
    callers turn it into their own OutputError.
    """

    def __init__(self, target: str | os.PathLike[str], *, binary: bool = False) -> None:
        self.target = Path(target)
        fd, name = tempfile.mkstemp(dir=self.target.parent, prefix=f".{self.target.name}.", suffix=TEMP_SUFFIX)
        self.path: Path | None = Path(name)
        try:
            self.fh: IO[Any] = (os.fdopen(fd, "wb") if binary
                                else os.fdopen(fd, "w", encoding="utf-8", newline=""))
        except BaseException:
            os.close(fd)
            self.path.unlink(missing_ok=True)
            raise

    def write(self, data: Any) -> None:
        self.fh.write(data)

    def commit(self) -> Path:
        """fsync, rename over the target, fsync the folder; a stop signal waits until it is done.
        On failure the temporary file is removed and the target is as it was."""
        with deferred():
            try:
                self.fh.flush()
                os.fsync(self.fh.fileno())
                self.fh.close()
                assert self.path is not None
                # mkstemp makes 0600; the file keeps the target's mode, or gets the umask's default.
                os.chmod(self.path, file_mode(self.target))
                os.replace(self.path, self.target)
                self.path = None
            except BaseException:
                self.discard()
                raise
            fsync_dir(self.target.parent)
        return self.target

    def discard(self) -> None:
        """Drop the temporary file; the target stays as it was."""
        with deferred():
            with contextlib.suppress(OSError):
                self.fh.close()
            if self.path is not None:
                with contextlib.suppress(OSError):
                    self.path.unlink()
                self.path = None

    def __enter__(self) -> AtomicFile:
        return self

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        if kind is None:
            self.commit()
        else:
            self.discard()


def write_atomic(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` through an :class:`AtomicFile`: after a crash the
    target holds either its previous content or all of the new one.

    Raises:
        OutputError: ``path`` exists and is not a regular file (:func:`check_replaceable`).
        OSError: the folder cannot be created or the file written.
    """
    target = Path(path)
    check_replaceable(target, "this file")
    target.parent.mkdir(parents=True, exist_ok=True)
    with AtomicFile(target) as fh:
        fh.write(text)
    return target


def is_temporary(name: str) -> bool:
    """Whether ``name`` is a temporary file mtsum writes (left by a process killed mid-write)."""
    return name.startswith(".") and name.endswith((TEMP_SUFFIX, _LEGACY_SUFFIX))


def probe(folder: Path) -> None:
    """Write and fsync a block in ``folder``: a read-only or full file system says so now,
    before hours of work. Raises OSError."""
    fd, name = tempfile.mkstemp(dir=folder, prefix=".mtsum-probe.", suffix=TEMP_SUFFIX)
    try:
        os.write(fd, b"\0" * _PROBE_BYTES)
        os.fsync(fd)
    finally:
        os.close(fd)
        os.unlink(name)


def fsync_dir(directory: Path) -> None:
    """Make a rename in ``directory`` durable (where the platform can)."""
    # Windows cannot open a directory, and some file systems cannot fsync one; the
    # rename itself is still atomic there.
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def file_mode(target: Path) -> int:
    """An existing file keeps its mode; a new one gets the usual 0666 minus the umask."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
