"""Reading inputs: encodings, binary and empty files, directories."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from mtsum.errors import ConfigError, InputError
from mtsum.io.inputs import decode_bytes, read_input

TEXT = "Ryssland köper raketer av Nordkorea – så säger USA. Größe, Straße, “quotes”."

DECODE_CASES = [
    ("utf-8", TEXT.encode("utf-8")),
    ("utf-8 with BOM", codecs.BOM_UTF8 + TEXT.encode("utf-8")),
    ("utf-16 LE with BOM", codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le")),
    ("utf-16 BE with BOM", codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be")),
    ("cp1252", TEXT.encode("cp1252")),
]


@pytest.mark.parametrize(("name", "data"), DECODE_CASES, ids=[c[0] for c in DECODE_CASES])
def test_decode_bytes(name: str, data: bytes) -> None:
    assert decode_bytes(data) == TEXT


BAD_CASES = [
    ("empty", b"", "empty"),
    ("whitespace", b" \n\t\n", "empty"),
    ("NUL bytes", b"\x7fELF\x02\x01\x01\x00\x00\x00\x00" * 20, "binary"),
    ("PNG header", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary"),
    ("random high bytes", bytes(range(128, 256)) * 8, "not UTF-8"),
    ("control characters", b"\x01\x02\x03\x04\x05\x06\x07\x08 abc" * 10, "binary"),
]


@pytest.mark.parametrize(("name", "data", "message"), BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_decode_bytes_refuses(name: str, data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        decode_bytes(data, "x.txt")


def test_read_input_missing(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_input(str(tmp_path / "nope.txt"))


def test_read_input_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a directory"):
        read_input(str(tmp_path))


def test_read_input_text(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(TEXT, encoding="utf-8")
    doc = read_input(str(path))
    assert (doc.name, doc.text, doc.format) == (str(path), TEXT, "text")


def test_read_input_unknown_format(tmp_path: Path) -> None:
    # A setting, not the input, is wrong: the same ConfigError as the Python API's.
    with pytest.raises(ConfigError, match="unknown input format 'pdf': use one of auto, text, html"):
        read_input("-", "pdf")


def test_read_input_from_a_fifo_reads_everything(tmp_path: Path) -> None:
    # Pipes and FIFOs are read through poll() so a stop signal is never lost; the
    # text must still arrive whole, across several writes larger than one chunk.
    import os
    import threading

    fifo = tmp_path / "in.txt"
    os.mkfifo(fifo)
    text = "Der Rat tagte am Montag.\n\n" + "Ein langer Absatz. " * 10_000

    def write() -> None:
        with open(fifo, "wb") as f:
            data = text.encode()
            for start in range(0, len(data), 50_000):
                f.write(data[start : start + 50_000])
                f.flush()

    writer = threading.Thread(target=write)
    writer.start()
    doc = read_input(str(fifo))
    writer.join()
    assert doc.text == text


class _BrokenStdin:
    """A standard input whose reads fail (a detached terminal: EIO; a closed descriptor: EBADF)."""

    def __init__(self, errno_: int) -> None:
        self.errno = errno_

    def fileno(self) -> int:
        import os

        raise OSError(self.errno, os.strerror(self.errno))

    def read(self) -> bytes:
        import os

        raise OSError(self.errno, os.strerror(self.errno))


@pytest.mark.parametrize(("stdin", "message"), [
    (None, "standard input is closed"),  # what Python sets when the process starts with fd 0 closed
    ("closed", "standard input is closed"),
    ("EBADF", "standard input is closed"),
    ("EIO", "cannot read: Input/output error"),
])
def test_read_input_from_an_unusable_stdin(stdin: object, message: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno
    import io
    import sys

    if stdin == "closed":
        stdin = io.TextIOWrapper(io.BytesIO(b"text"))
        stdin.close()
    elif isinstance(stdin, str):
        stdin = _BrokenStdin(getattr(errno, stdin))
    monkeypatch.setattr(sys, "stdin", stdin)
    with pytest.raises(InputError, match=f"^<stdin>: {message}"):
        read_input("-")
