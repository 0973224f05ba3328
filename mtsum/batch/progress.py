"""What a long batch shows while it runs, and how it notices a stop request.

:class:`Progress`: a tqdm bar on stderr (documents, rate, ETA, segments) only when
stderr is a terminal, and with ``log_every`` a log line every N documents and at the
end (``--log-file`` makes these the log's progress record).

:class:`StopWatch`: SIGINT/SIGTERM raise :class:`~mtsum.errors.Interrupted` wherever
the program is (:func:`~mtsum.runs.signals.stop_on_signals`); the watch also remembers
the signal, and the loops call :meth:`StopWatch.check` between documents and batches,
so a stop that some library's ``except BaseException`` (or a ``__del__``) swallowed is
still acted on at the next document.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from ..errors import Interrupted
from ..runs.progress import duration, terminal_bar
from ..runs.signals import stop_on_signals

log = logging.getLogger(__name__)

_SIGNALS = (signal.SIGINT, signal.SIGTERM)
# Marks the progress lines: the CLI sends them to --log-file only (stderr has the bar).
LOG_ONLY = {"log_file_only": True}


class StopWatch:
    """Remembers a SIGINT/SIGTERM received while :meth:`watching` is active."""

    def __init__(self) -> None:
        self.signum: int | None = None

    def check(self) -> None:
        """Raise Interrupted if a stop signal came (even one whose exception was swallowed)."""
        if self.signum is not None:
            raise Interrupted(self.signum)

    @contextmanager
    def watching(self) -> Iterator[None]:
        """:func:`stop_on_signals`, noting each signal here first; the old handlers come back after."""
        with stop_on_signals():
            if threading.current_thread() is not threading.main_thread():
                yield
                return
            inner = {sig: signal.getsignal(sig) for sig in _SIGNALS}

            def note(signum: int, frame: FrameType | None) -> None:
                self.signum = signum
                handler = inner[signum]
                if callable(handler):
                    handler(signum, frame)  # raises Interrupted, or defers it past a commit

            previous = {sig: signal.signal(sig, note) for sig in _SIGNALS}
            try:
                yield
            finally:
                for sig, old in previous.items():
                    signal.signal(sig, old)


class Progress:
    """Counts finished documents; draws the bar and writes the periodic log line."""

    def __init__(self, total: int, *, bar: bool = False, log_every: int | None = None, engine: str = "local",
                 stream: Any = None) -> None:
        self.total = total
        self.log_every = log_every
        self.engine = engine
        self.done = self.written = self.failed = self.skipped = self.segments = 0
        self.started = time.perf_counter()
        self._bar = terminal_bar(total, "batch", stream) if bar else None

    def update(self, status: str, rec: dict[str, Any] | None) -> None:
        from .stages import FAILED, OK

        self.done += 1
        if status == OK:
            self.written += 1
        elif status == FAILED:
            self.failed += 1
        else:
            self.skipped += 1
        self.segments += int(((rec or {}).get("stats") or {}).get("segments") or 0)
        if self._bar is not None:
            self._bar.set_postfix(failed=self.failed, segments=self.segments, refresh=False)
            self._bar.update(1)
        if self.log_every and self.done % self.log_every == 0 and self.done < self.total:
            log.info("%s", self.line(), extra=LOG_ONLY)

    def line(self) -> str:
        """E.g. ``batch: 25/400 documents (24 written, 1 failed, 0 skipped), 1810 segments,
        3.10 documents/s, about 2 min left``."""
        seconds = time.perf_counter() - self.started
        worked = self.written + self.failed
        rate = worked / seconds if seconds > 0 else 0.0
        left = self.total - self.done
        eta = "" if not left else (f", about {duration(left / rate)} left" if rate > 0 else "")
        return (f"batch: {self.done}/{self.total} documents ({self.written} written, {self.failed} failed, "
                f"{self.skipped} skipped), {self.segments} segments, {rate:.2f} documents/s{eta}")

    def close(self) -> None:
        bar, self._bar = self._bar, None
        if bar is not None:
            bar.close()
        if self.log_every:
            log.info("%s", self.line(), extra=LOG_ONLY)
