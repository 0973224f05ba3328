"""Which files a digest reads: files, folders (recursively) and globs, and ``--since``."""

from __future__ import annotations

import glob
import logging
import re
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from pathlib import Path

from mtsum.digest.names import one_line
from mtsum.errors import InputError, OutputError
from mtsum.io.discover import file_kind, is_input, walk_folder

log = logging.getLogger("mtsum.digest")

_GLOB_CHARS = re.compile(r"[*?\[]")
_RELATIVE = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def check_output_folder(inputs: Iterable[str], out: Path) -> None:
    """Refuse an ``--out`` that is an input folder or holds an input; nothing is read or written.

    An output folder inside an input folder is fine: :func:`collect_inputs` skips it, so
    the digest's own files never become articles. The other way round is not: a digest
    writing into the folder it reads would list its own translations as news (or, as
    ``--out .`` once did, skip every input as part of the output).

    Raises:
        OutputError: ``out`` is, or contains, a file or folder named as an input.
    """
    target = out.expanduser().resolve()
    for arg in inputs:
        path = Path(arg).expanduser()
        if not path.exists() and _GLOB_CHARS.search(arg):
            continue  # a glob's matches inside --out are skipped like a folder's
        real = path.resolve()
        if real == target:
            raise OutputError(f"--out {one_line(str(out))} is the input {one_line(arg)}: the digest would read "
                              "its own files; choose an output folder outside the inputs")
        if real.is_relative_to(target):
            raise OutputError(f"the input {one_line(arg)} is inside the output folder {one_line(str(out))}; "
                              "choose an output folder outside the inputs")


def collect_inputs(inputs: Iterable[str], exclude: Iterable[Path] = ()) -> list[Path]:
    """Expand INPUT arguments into article files, each once, in a stable order.

    A folder contributes its input files (:func:`mtsum.io.discover.walk_folder`: ``.txt``,
    ``.html``, ``.htm`` at any depth, hidden names skipped), a glob its matches with those
    suffixes; anything under ``exclude`` (the digest's own output folder) is left out. A
    FIFO, socket or device found in a folder or by a glob is skipped with a warning
    (reading a FIFO waits for a writer for ever). A file named explicitly is taken
    whatever its suffix.

    Raises:
        InputError: an argument is neither an existing path nor a glob that matches, or
            names a FIFO, socket or device.
    """
    excluded = [p.resolve() for p in exclude]
    seen: set[Path] = set()
    out: list[Path] = []

    def add(path: Path) -> None:
        real = path.resolve()
        if real in seen or any(real.is_relative_to(e) for e in excluded):
            return
        seen.add(real)
        out.append(path)

    def special(path: Path, kind: str) -> None:
        if not any(path.resolve().is_relative_to(e) for e in excluded):
            log.warning("skipped %s: %s, not a regular file", one_line(str(path)), kind)

    for arg in inputs:
        path = Path(arg).expanduser()
        if path.is_dir():
            for found in walk_folder(path, special):
                add(found)
        elif path.exists():
            kind = file_kind(path)
            if kind is not None:
                raise InputError(f"{one_line(arg)}: is {kind}, not a file: the digest reads regular files "
                                 "(copy the stream to a file first)")
            add(path)
        elif _GLOB_CHARS.search(arg):
            matches = sorted(glob.glob(str(path), recursive=True))
            if not matches:
                raise InputError(f"{one_line(arg)}: the pattern matches no file")
            for match in map(Path, matches):
                if is_input(match, special):
                    add(match)
        else:
            raise InputError(f"{one_line(arg)}: no such file or folder")
    return out


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """``--since``: an ISO date or time (local time unless it has an offset) or an age
    such as ``36h``, ``1d``, ``2w``; returns an aware datetime between 1970 and now.

    Raises:
        InputError: neither form, or a time before 1970 or in the future (where no file,
            or every file, would be left out, and the digest would be emptied).
    """
    now = now or datetime.now(timezone.utc)
    rel = _RELATIVE.match(text)
    try:
        if rel:
            when = now - timedelta(**{_UNITS[rel.group(2)]: int(rel.group(1))})
        else:
            try:
                when = datetime.fromisoformat(text.strip())
            except ValueError:
                raise InputError(f"--since '{one_line(text)}': use a date (2024-01-31), a time (2024-01-31T06:00) "
                                 "or an age (36h, 1d, 2w)") from None
            when = when if when.tzinfo else when.astimezone()  # naive: the machine's local time
        when.timestamp()
    except (OverflowError, ValueError, OSError):
        when = _EPOCH - timedelta(days=1)
    if when < _EPOCH:
        raise InputError(f"--since '{one_line(text)}' is before 1970: no file is that old; "
                         "leave --since out to take every file")
    if when > now:
        raise InputError(f"--since '{one_line(text)}' is in the future: no file would be taken")
    return when
