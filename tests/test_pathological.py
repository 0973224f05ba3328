"""Pathological text: long runs are cut in linear time; non-linguistic runs do not vote."""

from __future__ import annotations

import base64
import random
from pathlib import Path

import pytest

from mtsum.detect import detect_language, detect_paragraphs, linguistic_text, paragraph_language
from mtsum.text.segment import split_long

DATA = Path(__file__).parent / "data"


class Counter:
    """A token counter (one token per character) that records how much text it was shown."""

    def __init__(self) -> None:
        self.chars = 0
        self.calls = 0

    def __call__(self, text: str) -> int:
        self.chars += len(text)
        self.calls += 1
        return len(text)


def _blob(n: int) -> str:
    rng = random.Random(n)
    return base64.b64encode(rng.randbytes(n * 3 // 4 + 3)).decode()[:n]


@pytest.mark.parametrize("n", [20_000, 200_000])
def test_cutting_a_run_without_spaces_is_linear(n: int) -> None:
    counter = Counter()
    text = _blob(n)
    pieces = split_long(text, counter, 100)
    assert "".join(pieces) == text and all(len(p) <= 100 for p in pieces)
    # the quadratic cutter measured ~n**2 / (2 * limit) characters: 2e8 for n = 200 000
    assert counter.chars <= 4 * n


def test_cutting_many_words_is_linear() -> None:
    counter = Counter()
    text = " ".join(["Regeringen vill höja skatten, sade hon."] * 20_000)
    pieces = split_long(text, counter, 300)
    assert " ".join(pieces) == text and all(len(p) <= 300 for p in pieces)
    assert counter.chars <= 6 * len(text)


@pytest.mark.parametrize(("text", "limit"), [
    ("x" * 1000, 7),
    ("a" * 3 + " " + "b" * 40 + " c d e, f g", 5),
    ("ord, " * 200, 9),
    ("one", 1),
])
def test_cut_pieces_fit_and_restore_the_text(text: str, limit: int) -> None:
    pieces = split_long(text, len, limit)
    assert all(len(p) <= limit for p in pieces)
    assert "".join(pieces).replace(" ", "") == text.replace(" ", "")


GERMAN = (DATA / "de_plain_bahn.txt").read_text(encoding="utf-8")


def test_german_article_with_a_base64_blob_is_german() -> None:
    text = GERMAN.replace("\n", "\n" + _blob(300_000) + "\n", 1)
    found = detect_language(text)
    assert found.language == "de" and found.confidence > 0.8


NOISE = [
    ("urls", "https://www.example.com/news/2024/01/artikel-ueber-nordkorea?id=123456&ref=abc "),
    ("emails", "redaktion.nachrichten@example-zeitung.de "),
    ("numbers", "2024-01-07 12:30 +49 30 1234567 3.14159 "),
    ("code", "const_value = getElementById(x); {foo: bar} "),
    ("camel", "getElementById innerHTML useState setTimeout "),
]


@pytest.mark.parametrize("noise", [n[1] for n in NOISE], ids=[n[0] for n in NOISE])
def test_noise_does_not_vote(noise: str) -> None:
    paragraph = noise * 40
    text = GERMAN + "\n\n" + paragraph
    assert detect_language(text).language == "de"
    assert linguistic_text(paragraph).strip() == ""
    found = detect_paragraphs([paragraph])[1][0]
    assert found is None  # too few letters left to judge
    assert paragraph_language(found, "de") == "de"


def test_linguistic_text_keeps_words_and_line_breaks() -> None:
    assert linguistic_text("Die Bahn\nfährt 2024 nach https://x.de Prag.") == "Die Bahn\nfährt   nach   Prag."
