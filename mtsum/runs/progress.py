"""What long runs (digest, batch) share to show progress: a tqdm bar on a terminal only,
and a time left written for people."""

from __future__ import annotations

import sys
from typing import Any


def terminal_bar(total: int, desc: str, stream: Any = None) -> Any:
    """A tqdm bar of ``total`` documents on ``stream`` (stderr), or None where that is not a
    terminal (cron, a pipe, a log file) or there is nothing to do."""
    stream = sys.stderr if stream is None else stream
    try:
        terminal = bool(stream.isatty())
    except (AttributeError, ValueError):  # a closed or fake stream
        terminal = False
    if not (total and terminal):
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="doc", file=stream, dynamic_ncols=True, smoothing=0.1, leave=False)


def duration(seconds: float) -> str:
    """``45 s``, ``12 min``, ``1.5 h``."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
