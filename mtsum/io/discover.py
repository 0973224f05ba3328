"""Finding input files in a folder: the one walk the digest and batch share.

A folder contributes its ``.txt``, ``.html`` and ``.htm`` files at any depth, sorted by
path, hidden files and folders skipped (a scraper's half-written ``.name.tmp``, a
``.git``). Only regular files (or links to them) are taken: reading a FIFO would wait
for a writer for ever, so one is passed to ``on_special`` (the digest warns) and left out.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

#: The suffixes of article files, matched case-insensitively.
INPUT_SUFFIXES = (".txt", ".html", ".htm")
_KINDS = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))
#: The kinds :func:`file_kind` gives for what is neither a file nor a folder.
SPECIAL_KINDS = frozenset({name for _, name in _KINDS} | {"not a regular file"})


def file_kind(path: Path) -> str | None:
    """None for a regular file (or a link to one), else what it is ("a folder", "a FIFO
    (named pipe)", "missing or unreadable"...)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return "missing or unreadable"
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def is_input(path: Path, on_special: Callable[[Path, str], None] | None = None) -> bool:
    """Whether ``path`` has an input suffix and is a regular file; a FIFO, socket or
    device with such a name goes to ``on_special(path, kind)``."""
    if path.suffix.lower() not in INPUT_SUFFIXES:
        return False
    kind = file_kind(path)
    if kind in SPECIAL_KINDS and on_special is not None:
        on_special(path, kind)
    return kind is None


def walk_folder(folder: Path, on_special: Callable[[Path, str], None] | None = None) -> list[Path]:
    """The input files below ``folder`` (see the module's docstring), sorted by path."""
    return [found for found in sorted(folder.rglob("*"))
            if not any(part.startswith(".") for part in found.relative_to(folder).parts)
            and is_input(found, on_special)]
