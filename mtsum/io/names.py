"""Names as mtsum shows them, and output file names that never overwrite each other."""

from __future__ import annotations

import re
from collections.abc import Iterable

#: A lone surrogate: no valid text holds one, but ``os.fsdecode`` and JSON's ``\\ud800`` make them.
SURROGATE = re.compile("[\ud800-\udfff]")


def unique_stems(stems: Iterable[str]) -> list[str]:
    """Each stem as given, or ``x-2``, ``x-3``… where an earlier one took ``x``.

    Compared case-insensitively: on macOS and Windows ``A.txt`` and ``a.txt`` are one
    file, so ``a/x.txt`` and ``b/X.txt`` must not share an output either.
    """
    taken: set[str] = set()
    names: list[str] = []
    for stem in stems:
        name, n = stem, 2
        while name.lower() in taken:
            name, n = f"{stem}-{n}", n + 1
        taken.add(name.lower())
        names.append(name)
    return names


def shown(text: object, names: bool = True) -> str:
    """``text`` as valid Unicode, for ids, messages and records. With ``names``, a file
    name's bytes that are not UTF-8 (which Python keeps as surrogates, ``os.fsdecode``)
    become ``\\xff``, as ``os.fsencode(name).decode("utf-8", "backslashreplace")`` shows
    them; any other lone surrogate becomes ``\\ud800``, as JSON escapes it. Valid text is
    returned unchanged."""
    text = str(text)
    if SURROGATE.search(text) is None:
        return text
    return SURROGATE.sub(lambda m: (f"\\x{ord(m[0]) - 0xDC00:02x}" if names and 0xDC80 <= ord(m[0]) <= 0xDCFF
                                     else f"\\u{ord(m[0]):04x}"), text)
