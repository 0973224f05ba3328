"""Property tests (hypothesis) over the text path and the CLI.

Invariants: nothing but the documented errors escapes; every non-whitespace
character of the input comes out in exactly one segment, in order (nothing lost,
nothing duplicated); the CLI exits 0 or 2, with one message line on 2.

The example budget is a hypothesis profile: ``small`` (default, ``make test``) or
``large`` (``make reliability``, via MTSUM_FUZZ_PROFILE). With MTSUM_FUZZ_REPORT set,
each test adds how many inputs it tried to that file.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lingua import Language

from mtsum.clean import clean_paragraphs
from mtsum.detect import CANDIDATES, detect_language
from mtsum.errors import InputError
from mtsum.io.inputs import decode_bytes
from mtsum.text.segment import split_long, split_paragraphs, split_sentences

# Every language lingua knows: a text with letters no candidate writes is read against them all.
_LINGUA_LANGUAGES = tuple(lang.iso_code_639_1.name.lower() for lang in Language.all())
_COMMON = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}
settings.register_profile("small", max_examples=40, **_COMMON)
settings.register_profile("large", max_examples=2500, **_COMMON)
PROFILE = os.environ.get("MTSUM_FUZZ_PROFILE", "small")
settings.load_profile(PROFILE)
# lingua and the CLI cost milliseconds per example: a tenth of the budget
SLOW = settings(max_examples=max(10, settings.get_profile(PROFILE).max_examples // 10), **_COMMON)

TRIED: Counter[str] = Counter()

# What scraped news throws at us: words with abbreviations and quotes, every kind of
# newline, control and invisible characters, bidi marks, emoji, and anything else.
WORDS = ["Die", "Bahn", "fährt.", "Regeringen", "vill", "z. B.", "bl.a.", "kl. 14.00", "Am 30. Dezember",
         "„Ja“,", "”Nej”", "»so«", "Mr.", "U.S.", "3.", "Ver-", "teidigung", "—", "...", "?!", "https://x.de/a?b=1"]
SPECIALS = ["\n", "\n\n", "\r\n", "\r", "\u2028", "\u2029", "\x85", "\f", "\v", "\t", " ", "\u00a0", "\x00",
            "\x1b", "\u200b", "\u200d", "\ufeff", "\u200e", "\u202e", "\u2066", "😀", "👍🏽", "🇸🇪",
            "\U0001f468\u200d\U0001f469"]
pieces = st.one_of(st.sampled_from(WORDS), st.sampled_from(SPECIALS), st.characters(), st.text(max_size=8))
texts = st.lists(st.one_of(pieces, st.just(" ")), max_size=60).map("".join)


def visible(text: str) -> str:
    """The non-whitespace characters, in order: what must survive any split."""
    return "".join(ch for ch in text if not ch.isspace())


@pytest.fixture(scope="module", autouse=True)
def _report() -> object:
    yield
    path = os.environ.get("MTSUM_FUZZ_REPORT")
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(dict(TRIED)) + "\n")


@given(texts)
def test_split_paragraphs_loses_nothing(text: str) -> None:
    TRIED["split_paragraphs"] += 1
    paragraphs = split_paragraphs(text)
    assert all(p and p == p.strip() for p in paragraphs)
    assert visible("".join(paragraphs)) == visible(text)


@given(texts, st.sampled_from(["sv", "de", "en"]))
def test_split_sentences_loses_nothing(text: str, language: str) -> None:
    TRIED["split_sentences"] += 1
    for paragraph in split_paragraphs(text):
        assert visible("".join(split_sentences(paragraph, language))) == visible(paragraph)


@given(texts, st.integers(min_value=1, max_value=40), st.booleans())
def test_split_long_fits_and_loses_nothing(text: str, limit: int, by_words: bool) -> None:
    TRIED["split_long"] += 1
    count = (lambda t: len(t.split())) if by_words else len
    if not text.strip():
        return
    pieces = split_long(text.strip(), count, limit)
    assert all(count(p) <= limit or len(p) == 1 for p in pieces)
    assert visible("".join(pieces)) == visible(text)


@given(st.lists(texts, max_size=8), st.sampled_from(["sv", "de", "en"]))
def test_clean_paragraphs_accounts_for_every_paragraph(paragraphs: list[str], language: str) -> None:
    TRIED["clean_paragraphs"] += 1
    result = clean_paragraphs(paragraphs, language)
    seen = [*result.kept_indices, *(r.index for r in result.removed)]
    if result.title is not None:
        seen.append(result.title_index)
    assert sorted(seen) == list(range(len(paragraphs)))


# "surrogatepass": a lone surrogate from characters() becomes the (invalid) bytes a broken
# encoder would write, which is input too.
@given(st.one_of(st.binary(max_size=300), texts.map(lambda t: t.encode("utf-8", "surrogatepass")),
                 texts.map(lambda t: t.encode("utf-16", "surrogatepass")),
                 texts.map(lambda t: t.encode("cp1252", "ignore"))))
def test_decode_bytes_returns_text_or_input_error(data: bytes) -> None:
    TRIED["decode_bytes"] += 1
    try:
        text = decode_bytes(data, "fuzz")
    except InputError as exc:
        assert str(exc).startswith("fuzz: ")
        return
    assert isinstance(text, str) and text.strip()


@SLOW
@given(texts)
def test_detection_always_answers(text: str) -> None:
    TRIED["detect_language"] += 1
    found = detect_language(text)
    assert found.language in (*CANDIDATES, *_LINGUA_LANGUAGES, "und") and 0.0 <= found.confidence <= 1.0


@SLOW
@given(texts)
def test_cli_translate_english_exits_0_or_2_and_loses_nothing(text: str) -> None:
    TRIED["cli translate"] += 1
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "in.txt"
        path.write_bytes(text.encode("utf-8"))
        result = CliRunner().invoke(main_cli(), ["-q", "translate", str(path), "--source", "en",
                                                 "--input-format", "text"], catch_exceptions=False)
        _check_exit(result)
        if result.exit_code == 0:
            assert visible(result.stdout) == visible(decode_bytes(text.encode("utf-8")))


@SLOW
@given(st.binary(max_size=200) | texts.map(lambda t: t.encode("utf-8")))
def test_cli_detect_exits_0_or_2(data: bytes) -> None:
    TRIED["cli detect"] += 1
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "in.txt"
        path.write_bytes(data)
        result = CliRunner().invoke(main_cli(), ["detect", str(path), "--format", "json"], catch_exceptions=False)
        _check_exit(result)
        if result.exit_code == 0:
            assert json.loads(result.stdout)["input"] == str(path)


def main_cli() -> object:
    from mtsum.cli import main

    return main


def _check_exit(result: object) -> None:
    assert result.exit_code in (0, 2), result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("mtsum: error:")]
    assert "Traceback" not in result.stderr and "unexpected" not in result.stderr
    assert len(errors) == (1 if result.exit_code == 2 else 0)
