"""File names as the digest shows, stores and links them.

A Linux file name is bytes, not text. Python hands an undecodable byte to us as a lone
surrogate (``os.fsdecode``'s surrogateescape), which UTF-8 output, JSON and SQLite all
refuse. So the name itself (for opening, and the name of its translation file) keeps
the surrogates, which round-trip to the original bytes; what a person reads shows an
undecodable byte as ``\\xff`` (:func:`shown`) and a control character such as a newline
as ``\\n`` (:func:`one_line`); a link is the original bytes URL-encoded (:func:`href`);
the state stores a name that is not UTF-8 as its bytes (:func:`db_key`).
"""

from __future__ import annotations

import os
import unicodedata
from urllib.parse import quote

# Line and paragraph separators that are not control characters (category Cc).
_BREAKS = {"\u2028", "\u2029", "\x85"}


def shown(name: str | os.PathLike[str]) -> str:
    """``name`` as valid Unicode: an undecodable byte becomes ``\\xff``."""
    text = os.fspath(name)
    try:
        return os.fsencode(text).decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a lone surrogate that no byte stands for
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def one_line(text: str | os.PathLike[str]) -> str:
    """:func:`shown`, and control characters escaped: a name that holds a newline stays one line."""
    out = shown(text)
    if out.isprintable():
        return out
    return "".join(ch.encode("unicode_escape").decode("ascii")
                   if unicodedata.category(ch) == "Cc" or ch in _BREAKS else ch for ch in out)


def href(relative: str) -> str:
    """A relative link to the file ``relative`` (``/``-separated): its bytes percent-encoded.

    ``#`` and ``?`` would end the path of a URL, a space or a newline would end an
    unquoted attribute or a Markdown destination; a byte that is not UTF-8 is sent as
    itself (``%FF``), which is what a web server or ``file://`` compares with the disk.
    """
    try:
        raw = os.fsencode(relative)
    except UnicodeEncodeError:
        raw = relative.encode("utf-8", "surrogatepass")
    return quote(raw, safe="/")


def md_destination(url: str) -> str:
    """A CommonMark link destination: ``<…>`` with ``<``, ``>`` and ``\\`` escaped.

    :func:`href` output has none of them, but a destination must stay one whatever it is given.
    """
    escaped = url.replace("\\", "\\\\").replace("<", "\\<").replace(">", "\\>")
    return "<" + "".join(ch for ch in escaped if ch not in "\r\n") + ">"


def db_key(path: str) -> str | bytes:
    """The state's key for ``path``: the text, or its bytes where the name is not UTF-8."""
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return os.fsencode(path)


def from_db_key(key: str | bytes) -> str:
    return os.fsdecode(key) if isinstance(key, bytes) else key
