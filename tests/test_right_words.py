"""The right words for odd inputs, and every line break Unicode knows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from mtsum.cli import main
from mtsum.errors import InputError
from mtsum.io.inputs import decode_bytes, read_input
from mtsum.render.json import json_line
from mtsum.text.segment import split_paragraphs

NO_TEXT = [
    ("emoji", "😀😂🎉👍🔥 🚀🌍✨💯🙏\n".encode()),
    ("symbols", "→ ★ ♥ © ® ™ § ¶ † ‡ • … ‰ ∞ ≈ ≠ ± × ÷\n".encode()),
    ("numbers", b"2024-01-07 12:30:00 +49 30 1234567\n" * 20),
    ("emoji-utf16", "🎉🎉🎉 ✨✨".encode("utf-16")),
]


@pytest.mark.parametrize("data", [n[1] for n in NO_TEXT], ids=[n[0] for n in NO_TEXT])
def test_symbol_only_text_is_not_binary(data: bytes) -> None:
    with pytest.raises(InputError) as caught:
        decode_bytes(data, "x.txt")
    assert "no translatable text" in str(caught.value) and "binary" not in str(caught.value)


BINARY = [
    ("nul", b"\x00\x01\x02\x03PK\x03\x04" * 50),
    ("controls", bytes(range(1, 9)) * 40),
    ("cp1252-garbage", bytes(range(0x80, 0x100)) * 3),
]


@pytest.mark.parametrize("data", [b[1] for b in BINARY], ids=[b[0] for b in BINARY])
def test_binary_is_still_binary(data: bytes) -> None:
    with pytest.raises(InputError, match=r"binary|not UTF-8"):
        decode_bytes(data, "x.bin")


def test_emoji_only_file_exit_2_with_the_right_words(tmp_path: Path) -> None:
    path = tmp_path / "emoji.txt"
    path.write_text("😀😂🎉👍🔥\n")
    result = CliRunner().invoke(main, ["translate", str(path), "--source", "en"])
    assert result.exit_code == 2 and "no translatable text" in result.stderr
    assert "convert it to UTF-8" not in result.stderr


def test_text_with_some_emoji_is_fine() -> None:
    assert decode_bytes("Die Bahn fährt nach Prag 🚆🎉.".encode()) == "Die Bahn fährt nach Prag 🚆🎉."


def test_symlink_loop_says_so(tmp_path: Path) -> None:
    loop = tmp_path / "loop.txt"
    loop.symlink_to(loop)
    with pytest.raises(InputError, match="symbolic link loop"):
        read_input(str(loop))


def test_broken_link_says_so(tmp_path: Path) -> None:
    link = tmp_path / "link.txt"
    link.symlink_to(tmp_path / "gone.txt")
    with pytest.raises(InputError, match="broken symbolic link"):
        read_input(str(link))


def test_missing_file_still_no_such_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_input(str(tmp_path / "nope.txt"))


BREAKS = [
    # (id, text, paragraphs)
    ("line-separator", "Erste Zeile.\u2028Zweite Zeile.", ["Erste Zeile.", "Zweite Zeile."]),
    ("paragraph-separator", "Erster Absatz.\u2029Zweiter Absatz.", ["Erster Absatz.", "Zweiter Absatz."]),
    ("nel", "Erste Zeile.\x85Zweite Zeile.", ["Erste Zeile.", "Zweite Zeile."]),
    ("form-feed", "Seite eins.\fSeite zwei.", ["Seite eins.", "Seite zwei."]),
    ("vertical-tab", "Erste Zeile.\vZweite Zeile.", ["Erste Zeile.", "Zweite Zeile."]),
    ("mixed", "a\r\nb\rc\u2028d\ne", ["a", "b", "c", "d", "e"]),
    ("blank-line-of-separators", "Erster Absatz mit mehr Text.\u2028\u2028Zweiter Absatz mit mehr Text.",
     ["Erster Absatz mit mehr Text.", "Zweiter Absatz mit mehr Text."]),
]


@pytest.mark.parametrize(("text", "expected"), [b[1:] for b in BREAKS], ids=[b[0] for b in BREAKS])
def test_every_line_break(text: str, expected: list[str]) -> None:
    assert split_paragraphs(text) == expected


@pytest.mark.parametrize("char", ["\u2028", "\u2029", "\x85"])
def test_json_line_escapes_line_separators(char: str) -> None:
    line = json_line({"text": f"a{char}b"})
    assert len(line.splitlines()) == 1 and json.loads(line) == {"text": f"a{char}b"}


def test_json_output_is_one_line_per_input(tmp_path: Path) -> None:
    path = tmp_path / "a\u2028b.txt"  # odd names too: the input name is in the JSON
    path.write_text("The first paragraph.\u2029The second\x85paragraph.")
    result = CliRunner().invoke(main, ["translate", str(path), "--source", "en", "--format", "json"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    assert [p["source"] for p in json.loads(lines[0])["paragraphs"]] == ["The first paragraph.", "The second",
                                                                          "paragraph."]
