"""SIGINT and SIGTERM as one clean stop.

Python turns SIGINT into KeyboardInterrupt wherever the program happens to be, and
SIGTERM kills it outright. During a run both raise :class:`~mtsum.errors.Interrupted`
instead (exit 130/143), except inside a :func:`deferred` section: a file being
committed is finished first, and the stop comes right after it.

It sits in ``io`` because committing a file (:mod:`mtsum.io.atomic`) is what a stop
must wait for; the run loops (``runs``, ``digest``, ``batch``) install the handlers.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

from mtsum.errors import Interrupted

_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_state = {"depth": 0, "pending": None}


def _handler(signum: int, frame: FrameType | None) -> None:
    if _state["depth"]:
        _state["pending"] = signum
        return
    raise Interrupted(signum)


@contextmanager
def stop_on_signals(notice: Callable[[int], None] | None = None) -> Iterator[None]:
    """Within the block, SIGINT and SIGTERM raise Interrupted; the old handlers come back after.
    ``notice`` is told of each signal first (see :class:`StopWatch`).

    Outside the main thread signal handlers cannot be set; the block then runs as is.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def noticed(signum: int, frame: FrameType | None) -> None:
        if notice is not None:
            notice(signum)
        _handler(signum, frame)

    previous = {sig: signal.signal(sig, noticed) for sig in _SIGNALS}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


@contextmanager
def deferred() -> Iterator[None]:
    """A signal arriving inside the block is acted on when the block ends."""
    _state["depth"] += 1
    try:
        yield
    finally:
        _state["depth"] -= 1
        pending = _state["pending"]
        if pending is not None and not _state["depth"]:
            _state["pending"] = None
            raise Interrupted(pending)


class StopWatch:
    """Remembers a SIGINT/SIGTERM received while :meth:`watching` is active, so loops can
    :meth:`check` between documents: a stop that some library's ``except BaseException``
    (or a ``__del__``) swallowed is still acted on at the next document."""

    def __init__(self) -> None:
        self.signum: int | None = None

    def check(self) -> None:
        """Raise Interrupted if a stop signal came (even one whose exception was swallowed)."""
        if self.signum is not None:
            raise Interrupted(self.signum)

    @contextmanager
    def watching(self) -> Iterator[None]:
        """:func:`stop_on_signals`, noting each signal here first."""
        with stop_on_signals(self._note):
            yield

    def _note(self, signum: int) -> None:
        self.signum = signum
