"""What a long batch shows while it runs: a tqdm bar on stderr (documents, rate, ETA,
segments) only when stderr is a terminal, and with ``log_every`` a log line every N
documents and at the end (``--log-file`` makes these the log's progress record)."""

from __future__ import annotations

import logging
import time
from typing import Any

from mtsum.runs.progress import duration, terminal_bar

log = logging.getLogger(__name__)

# Marks the progress lines: the CLI sends them to --log-file only (stderr has the bar).
LOG_ONLY = {"log_file_only": True}


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
        from mtsum.batch.stages import FAILED, OK

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
