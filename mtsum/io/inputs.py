"""Reading inputs: files or stdin, bytes to text, HTML to its main text.

Scraped news arrives in every encoding. UTF-8 (with or without BOM) and UTF-16 with
a BOM are decoded exactly; cp1252 is accepted only when the bytes decode to
plausible text, so a binary file is refused instead of turned into mojibake.
"""

from __future__ import annotations

import codecs
import errno
import os
import re
import select
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from mtsum.errors import ConfigError, InputError

INPUT_FORMATS = ("auto", "text", "html")
_HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
_ALLOWED_CONTROLS = set("\t\n\r\f\v")
_CONTROLS = [chr(i) for i in range(32) if chr(i) not in _ALLOWED_CONTROLS]
_WHITESPACE = [chr(i) for i in range(0x3001) if chr(i).isspace()]  # str.isspace has none above U+3000
_ASCII_LETTERS = bytes(range(65, 91)) + bytes(range(97, 123))
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
# How often a blocked read of a pipe or FIFO looks for a stop signal.
_SIGNAL_POLL_SECONDS = 0.5


@dataclass(frozen=True)
class Document:
    """One input: where it came from, its text, and whether it was HTML."""

    name: str
    text: str
    format: str  # "text" or "html"
    # HTML: the whole page, one line per block element (mtsum.io.html.extract_page);
    # kept for callers that set it, no longer read by cleaning (mtsum.clean.extracted).
    page_lines: tuple[str, ...] = ()


def read_input(name: str, input_format: str = "auto") -> Document:
    """Read a path (or ``-`` for stdin) and return its text.

    *input_format* is one of :data:`INPUT_FORMATS`; with ``auto`` an ``.html``/``.htm``
    file, or a document that starts like an HTML page, is HTML.

    Raises:
        ConfigError: an unknown *input_format*.
        InputError: missing path, a directory, unreadable, empty, binary or
            undecodable bytes, or HTML with no extractable text.
    """
    check_input_format(input_format)
    if name == "-":
        data = _read_stdin()
        label = "<stdin>"
        suffix = ""
    else:
        path = Path(name)
        label = name
        suffix = path.suffix.lower()
        _check_path(name, path)
        if path.is_dir():
            raise InputError(f"{name}: is a directory (pass the files inside it)")
        try:
            with path.open("rb") as f:
                data = _read_stream(f)
        except OSError as exc:
            raise InputError(f"{name}: cannot read: {exc.strerror}") from None
    text = decode_bytes(data, label)
    return text_document(text, label, input_format, suffix=suffix, url=None if label == "<stdin>" else label)


def text_document(text: str, name: str = "<text>", input_format: str = "auto", *,
                  suffix: str = "", url: str | None = None) -> Document:
    """*text* read as one input, by the rule every reader of mtsum shares (the CLI, the
    Python API, the digest): it is HTML when *input_format* is ``html``, or with ``auto``
    when the file's *suffix* is ``.html``/``.htm``/``.xhtml`` or the text starts like a
    page (``<!DOCTYPE html``, ``<html``); HTML is reduced to its main text
    (:func:`mtsum.io.html.extract_html`, *url* helping its heuristics).

    Raises:
        ConfigError: an unknown *input_format*.
        InputError: empty text, or HTML with no extractable text.
    """
    check_input_format(input_format)
    if not text.strip():
        raise InputError(f"{name}: empty input (nothing to translate)")
    is_html = input_format == "html" or (
        input_format == "auto" and (suffix.lower() in _HTML_SUFFIXES or _looks_like_html(text))
    )
    if is_html:
        from mtsum.io.html import extract_html

        text = extract_html(text, url=url)
    if not text.strip():
        raise InputError(f"{name}: empty input (nothing to translate)")
    return Document(name=name, text=text, format="html" if is_html else "text")


def check_input_format(input_format: str) -> None:
    """Raise ConfigError unless *input_format* is one of :data:`INPUT_FORMATS`."""
    if input_format not in INPUT_FORMATS:
        raise ConfigError(f"unknown input format {input_format!r}: use one of {', '.join(INPUT_FORMATS)}")


def _read_stdin() -> bytes:
    """All of standard input; a closed one (``<&-``) or a read error is an InputError."""
    closed = "standard input is closed (give a file, or pipe the text in: `... - < FILE`)"
    stream = sys.stdin
    if stream is None or getattr(stream, "closed", False):
        raise InputError(f"<stdin>: {closed}")  # Python sets sys.stdin to None when fd 0 is closed
    try:
        return _read_stream(getattr(stream, "buffer", stream))
    except OSError as exc:
        if exc.errno == errno.EBADF:
            raise InputError(f"<stdin>: {closed}") from None
        raise InputError(f"<stdin>: cannot read: {exc.strerror or exc}") from None
    except ValueError:  # "I/O operation on closed file"
        raise InputError(f"<stdin>: {closed}") from None


def _read_stream(f: BinaryIO) -> bytes:
    """All of *f*; from a pipe, FIFO or terminal in a way a stop signal always interrupts.

    A signal that lands between two read() calls (after the interpreter looked for
    signals, before the next call blocks) is only acted on when that read returns,
    which on a pipe whose writer stays open is never: Ctrl-C and SIGTERM were lost.
    Waiting in poll() with a timeout instead returns to Python twice a second, where
    the pending handler runs.
    """
    try:
        fd = f.fileno()
        mode = os.fstat(fd).st_mode
    except (AttributeError, OSError, ValueError):  # not a real file (tests, wrappers)
        return f.read()
    if stat.S_ISREG(mode) or not hasattr(select, "poll"):  # a regular file never blocks; Windows has no poll
        return f.read()
    poller = select.poll()  # unlike select(), any descriptor number
    poller.register(fd, select.POLLIN)
    chunks = []
    while True:
        if not poller.poll(_SIGNAL_POLL_SECONDS * 1000):
            continue
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _check_path(name: str, path: Path) -> None:
    """A missing path, a dangling link and a link loop are three different problems."""
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InputError(f"{name}: symbolic link loop (the link points back to itself)") from None
        if exc.errno == errno.ENOENT and path.is_symlink():
            raise InputError(f"{name}: broken symbolic link (its target {os.readlink(path)} does not exist)") from None
        if exc.errno == errno.ENOENT:
            raise InputError(f"{name}: no such file") from None
        raise InputError(f"{name}: cannot read: {exc.strerror or exc}") from None


def decode_bytes(data: bytes, label: str = "input") -> str:
    """Decode input bytes; see the module docstring for the rules.

    Raises:
        InputError: empty, binary or undecodable bytes.
    """
    if not data.strip():
        raise InputError(f"{label}: empty input (nothing to translate)")
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return _checked(data.decode(encoding), label)
            except UnicodeDecodeError:
                raise InputError(f"{label}: invalid {encoding.upper()} despite its byte-order mark") from None
    if b"\x00" in data:
        raise InputError(f"{label}: binary data, not text (NUL bytes; UTF-16 needs a byte-order mark)")
    try:
        return _checked(data.decode("utf-8"), label)
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise InputError(f"{label}: not UTF-8 and not plausible cp1252 text; convert it to UTF-8") from None
    return _checked(text, label, fallback=True)


def _checked(text: str, label: str, fallback: bool = False) -> str:
    if not text.replace("\ufeff", "").strip():  # a byte-order mark and blanks: UTF-16 spaces, a lone BOM
        raise InputError(f"{label}: empty input (nothing to translate)")
    # counted with C-speed string methods: a 100 MB input must not take a minute here
    controls = sum(text.count(ch) for ch in _CONTROLS)
    letters = _count_letters(text)
    visible = len(text) - sum(text.count(ch) for ch in _WHITESPACE)
    if fallback and (controls > max(2, len(text) // 1000) or letters < 0.3 * visible):
        raise InputError(f"{label}: not UTF-8 and not plausible cp1252 text; convert it to UTF-8")
    if controls > max(2, len(text) // 1000):
        raise InputError(f"{label}: binary data, not text ({controls} control characters); convert it to UTF-8")
    if letters < 0.3 * visible:
        # Correctly encoded text made of emoji, symbols or digits: its encoding is fine,
        # there is just nothing a translation model could work on.
        raise InputError(f"{label}: no translatable text ({letters} letters among {visible} "
                         "characters: emoji, symbols or numbers)")
    return text.lstrip("\ufeff")


def _count_letters(text: str) -> int:
    """How many characters are letters (str.isalpha); ASCII is counted at C speed."""
    count = 0
    for start in range(0, len(text), 1 << 20):  # in slices: no copy of a 100 MB input
        part = text[start:start + (1 << 20)]
        ascii_part = part.encode("ascii", "ignore")
        count += len(ascii_part) - len(ascii_part.translate(None, _ASCII_LETTERS))
        if len(ascii_part) < len(part):
            count += sum(ch.isalpha() for run in _NON_ASCII.findall(part) for ch in run)
    return count


def _looks_like_html(text: str) -> bool:
    head = text.lstrip()[:200].lower()
    return head.startswith(("<!doctype html", "<html"))
