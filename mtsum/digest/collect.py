"""Which files a digest reads: files, folders (recursively) and globs, and ``--since``."""

from __future__ import annotations

import glob
import re
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from pathlib import Path

from ..errors import InputError

SUFFIXES = (".txt", ".html", ".htm")
_GLOB_CHARS = re.compile(r"[*?\[]")
_RELATIVE = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def collect_inputs(inputs: Iterable[str], exclude: Iterable[Path] = ()) -> list[Path]:
    """Expand INPUT arguments into article files, each once, in a stable order.

    A folder contributes its ``.txt``, ``.html`` and ``.htm`` files at any depth; hidden
    files and folders (a scraper's half-written ``.name.tmp``) are skipped, and so is
    anything under ``exclude`` (the digest's own output folder). A file named
    explicitly is taken whatever its suffix.

    Raises:
        InputError: an argument is neither an existing path nor a glob that matches.
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

    for arg in inputs:
        path = Path(arg).expanduser()
        if path.is_dir():
            for found in sorted(path.rglob("*")):
                rel = found.relative_to(path).parts
                if found.is_file() and found.suffix.lower() in SUFFIXES and not any(
                        part.startswith(".") for part in rel):
                    add(found)
        elif path.exists():
            add(path)
        elif _GLOB_CHARS.search(arg):
            matches = sorted(glob.glob(str(path), recursive=True))
            if not matches:
                raise InputError(f"{arg}: the pattern matches no file")
            for match in map(Path, matches):
                if match.is_file() and match.suffix.lower() in SUFFIXES:
                    add(match)
        else:
            raise InputError(f"{arg}: no such file or folder")
    return out


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """``--since``: an ISO date or time (local time unless it has an offset) or an age
    such as ``36h``, ``1d``, ``2w``; returns an aware datetime.

    Raises:
        InputError: neither form.
    """
    now = now or datetime.now(timezone.utc)
    rel = _RELATIVE.match(text)
    if rel:
        return now - timedelta(**{_UNITS[rel.group(2)]: int(rel.group(1))})
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"--since '{text}': use a date (2024-01-31), a time (2024-01-31T06:00) "
                         "or an age (36h, 1d, 2w)") from None
    return when if when.tzinfo else when.astimezone()  # naive: the machine's local time
