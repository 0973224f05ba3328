"""Where the ``mtsum`` logger writes: stderr (``mtsum: message``), and with ``--log-file`` a
timestamped file too.

Every change made for one command is undone when its context closes: tests run many
commands in one process.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

log = logging.getLogger("mtsum")


class StderrHandler(logging.Handler):
    """Writes to whatever sys.stderr is *now* (CliRunner and pytest swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
        except Exception:  # logging must never break the command
            self.handleError(record)


def setup_logging(level: int) -> None:
    """One stderr handler on the ``mtsum`` logger (added once per process), at ``level``."""
    if not any(isinstance(h, StderrHandler) for h in log.handlers):
        handler = StderrHandler()
        handler.setFormatter(logging.Formatter("mtsum: %(message)s"))
        log.addHandler(handler)
        log.propagate = False
    log.setLevel(level)


def _stderr_handlers() -> list[logging.Handler]:
    return [h for h in log.handlers if isinstance(h, StderrHandler)]


def log_file_handler(log_file: str) -> logging.FileHandler:
    """A handler appending to ``log_file``; a path that cannot be a log is exit 2, before any work.

    Raises:
        OutputError: a folder, device, FIFO or socket; a folder that cannot be created;
            a file that cannot be opened for appending (read-only file system, permissions).
    """
    from mtsum.errors import OutputError
    from mtsum.io.atomic import check_replaceable

    check_replaceable(log_file, "the log")
    folder = Path(log_file).parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"--log-file {log_file}: cannot create the folder {folder}: "
                          f"{exc.strerror or exc}") from None
    try:
        return logging.FileHandler(log_file, encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"--log-file {log_file}: cannot open it for writing: {exc.strerror or exc}") from None


def run_logging(ctx: click.Context, quiet: bool, log_file: str | None) -> None:
    """For the long runs (digest, batch): --quiet keeps stderr to errors; --log-file gets the
    full INFO log (DEBUG with --debug), timestamped."""
    debug = bool(ctx.obj.get("debug"))
    if quiet:
        stderr_handlers = _stderr_handlers()
        for h in stderr_handlers:
            h.setLevel(logging.ERROR)
        ctx.call_on_close(lambda: [h.setLevel(logging.NOTSET) for h in stderr_handlers])
    if log_file:
        handler = log_file_handler(log_file)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        log.addHandler(handler)
        level = log.level
        log.setLevel(logging.DEBUG if debug else logging.INFO)
        ctx.call_on_close(lambda: (log.removeHandler(handler), handler.close(), log.setLevel(level)))


def _not_file_only(record: logging.LogRecord) -> bool:
    return not getattr(record, "log_file_only", False)


def keep_file_only_records_off_stderr(ctx: click.Context) -> None:
    """Records logged with ``extra={"log_file_only": True}`` (batch progress lines) go to the
    log file alone: stderr has the progress bar and its own last line."""
    stderr_handlers = _stderr_handlers()
    for h in stderr_handlers:
        h.addFilter(_not_file_only)
    ctx.call_on_close(lambda: [h.removeFilter(_not_file_only) for h in stderr_handlers])
