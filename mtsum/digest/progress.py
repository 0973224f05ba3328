"""How far a digest is: a bar on a terminal, a log line every few documents for a log file."""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

from mtsum.runs.progress import duration, terminal_bar

log = logging.getLogger("mtsum.digest")

# A progress line (documents, rate, time left) in the log every this many documents.
LOG_EVERY = 20


class Progress:
    """Documents processed out of ``total``; ``bar``: draw one (on a terminal only)."""

    def __init__(self, total: int, *, bar: bool, every: int = LOG_EVERY) -> None:
        self.total = total
        self.every = max(1, every)
        self.done = 0
        self.start = time.monotonic()
        self._bar: Any = terminal_bar(total, "digest") if bar else None

    def info(self, message: str, *args: Any) -> None:
        """A log line that does not tear the bar: it is cleared, the line written, the bar redrawn."""
        self.log(logging.INFO, message, *args)

    def log(self, level: int, message: str, *args: Any) -> None:
        if self._bar is None:
            log.log(level, message, *args)
            return
        with self._bar.external_write_mode(file=sys.stderr):
            log.log(level, message, *args)

    def step(self) -> None:
        self.done += 1
        if self._bar is not None:
            self._bar.update(1)
        if self.done % self.every == 0 and self.done < self.total:
            elapsed = max(time.monotonic() - self.start, 1e-9)
            rate = self.done / elapsed
            self.info("progress: %d/%d documents, %.2f documents/s, about %s left", self.done, self.total,
                      rate, duration((self.total - self.done) / rate))

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
