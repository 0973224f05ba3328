"""Atomic file writes: a reader (or a crash) sees the old file or the new one, never half.

Shared by the runner's sinks, the digest and batch output: a temporary file beside the
target, fsynced, renamed into place, then the folder fsynced.

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


def write_atomic(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file beside it.

    The temporary file is fsynced before ``os.replace`` so that, after a crash, the
    target holds either its previous content or all of the new one; the directory is
    fsynced too so the rename itself survives a power loss on POSIX.

    Raises:
        OutputError: ``path`` exists and is not a regular file (:func:`check_replaceable`).
    """
    target = Path(path)
    check_replaceable(target, "this file")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        # mkstemp makes 0600; the file keeps the target's mode, or gets the umask's default.
        os.fchmod(fd, file_mode(target))
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(target.parent)
    return target


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
