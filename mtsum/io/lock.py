"""One run at a time per output: an OS lock file beside what a run writes.

The digest locks its state and its output folder, a batch its output's parts folder,
all the same way: ``filelock`` (flock on POSIX, LockFileEx on Windows), a lock the
kernel drops when the process dies, so a killed run never leaves a stale one. A second
run stops at once with :class:`~mtsum.errors.StateLockedError` (exit 75, "try again
later"), or waits up to ``wait`` seconds (negative: for ever).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from mtsum.errors import StateLockedError

log = logging.getLogger(__name__)

_POLL_SECONDS = 0.2


class RunLock:
    """An exclusive lock on ``path``; use as a context manager, or :meth:`acquire`/:meth:`release`.

    ``held``: the message when another run holds it (what is locked, and how to go on).
    ``waiting``: the log line while waiting (``wait`` not 0), e.g. "another digest is
    writing to OUT". ``remove``: delete the lock file on release (where nothing else
    lives beside it).

    Raises (on acquire):
        StateLockedError: another run holds it for longer than ``wait`` seconds.
        OSError: the lock file cannot be created; the caller says which output that is.
    """

    def __init__(self, path: str | os.PathLike[str], *, held: str, waiting: str = "", wait: float = 0.0,
                 remove: bool = False) -> None:
        self.path = Path(path)
        self.held, self.waiting, self.wait, self.remove = held, waiting, wait, remove
        self._lock: Any = None

    def acquire(self) -> RunLock:
        from filelock import FileLock, Timeout

        lock = FileLock(str(self.path))
        try:
            try:
                lock.acquire(timeout=0)
            except Timeout:
                if self.wait == 0:
                    raise
                log.info("%s; waiting%s", self.waiting or f"{self.path} is locked",
                         " until it ends" if self.wait < 0 else f" up to {self.wait:g} s")
                lock.acquire(timeout=self.wait, poll_interval=_POLL_SECONDS)  # negative: for ever
        except Timeout:
            raise StateLockedError(self.held) from None
        self._lock = lock
        return self

    def release(self) -> None:
        lock, self._lock = self._lock, None
        if lock is None:
            return
        lock.release()
        if self.remove:
            self.path.unlink(missing_ok=True)

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
