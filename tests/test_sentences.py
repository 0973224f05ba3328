"""Sentence boundaries: our news corpus, pySBD's golden rules, and the splitter's invariants."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from mtsum.text.segment import split_sentences

DATA = Path(__file__).parent / "data"


def _corpus() -> list:
    cases = []
    for language in ("de", "en", "sv"):
        path = DATA / f"sentences_{language}.tsv"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip() and not line.startswith("#"):
                cases.append(pytest.param(language, line.split("\t"), id=f"{language}:{number}"))
    return cases


def _golden() -> list:
    rules = json.loads((DATA / "pysbd_golden_rules.json").read_text(encoding="utf-8"))
    return [pytest.param(language, case["text"], case["sentences"], id=f"{language}:{number}")
            for language in ("de", "en") for number, case in enumerate(rules[language], 1)
            if not case.get("pysbd_xfail")]  # the case pySBD's own suite marks xfail is not counted


CORPUS = _corpus()
GOLDEN = _golden()


def test_corpus_is_big_enough() -> None:
    for language in ("de", "en", "sv"):
        assert sum(case.values[0] == language for case in CORPUS) >= 60


@pytest.mark.parametrize(("language", "expected"), CORPUS)
def test_corpus(language: str, expected: list[str]) -> None:
    assert split_sentences(" ".join(expected), language) == expected


@pytest.mark.parametrize(("language", "text", "expected"), GOLDEN)
def test_pysbd_golden_rules(language: str, text: str, expected: list[str]) -> None:
    assert split_sentences(text, language) == expected


def _words(text: str) -> list[str]:
    return text.split()


@pytest.mark.parametrize(("language", "text"),
                         [pytest.param(c.values[0], " ".join(c.values[1]), id=c.id) for c in CORPUS]
                         + [pytest.param(*c.values[:2], id=f"golden-{c.id}") for c in GOLDEN])
def test_nothing_lost_or_duplicated(language: str, text: str) -> None:
    assert _words(" ".join(split_sentences(text, language))) == _words(text)


# Tokens that sit at or near sentence boundaries, shuffled into random paragraphs.
_PIECES = ["Er", "kam", "z.", "B.", "bl.a.", "U.S.", "3.", "1.)", "•", "„Das", "gut.“", "”Vi", "går.”", '"Go.', "–",
           "...", ". . .", "Jan.", "kl.", "14.00.", "Mr.", "Dr.", "(so", "he.)", "it!", "Why?", "», sa", "han.",
           "Die", "The", "Det", "a.", "b.", "Co.", "10.", "Jahr10.", "usw.", "osv.", "\n", "?!", "…"]


@pytest.mark.parametrize("seed", range(30))
@pytest.mark.parametrize("language", ["de", "en", "sv", "nl", "xx"])
def test_random_text_keeps_every_character(language: str, seed: int) -> None:
    rng = random.Random(seed)
    text = " ".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 80)))
    sentences = split_sentences(text, language)
    assert "".join("".join(sentences).split()) == "".join(text.split())
    assert all(s == s.strip() and s for s in sentences)


@pytest.mark.parametrize(("language", "text", "quote"), [
    ("de", "Er sagte: „Wir kommen. Morgen sind wir da. Versprochen!“ Dann ging er.",
     "Er sagte: „Wir kommen. Morgen sind wir da. Versprochen!“"),
    ("de", "»Das ist vorbei. Wir gehen«, sagte sie. Dann ging sie.", "»Das ist vorbei. Wir gehen«, sagte sie."),
    ("sv", "Hon sa: ”Vi är klara. Nu åker vi. Hej då!” Sedan åkte de.", "Hon sa: ”Vi är klara. Nu åker vi. Hej då!”"),
    ("sv", "»Vi vann. Det är stort», sa han. Sedan firade de.", "»Vi vann. Det är stort», sa han."),
    ("en", 'He said: "We are ready. We have been ready for months." The army agreed.',
     'He said: "We are ready. We have been ready for months."'),
])
def test_quoted_speech_stays_whole(language: str, text: str, quote: str) -> None:
    assert split_sentences(text, language)[0] == quote


def test_line_break_ends_a_sentence() -> None:
    assert split_sentences("Rubrik utan punkt\nBrödtext här. Mer text.", "sv") == [
        "Rubrik utan punkt", "Brödtext här.", "Mer text."]


def test_other_languages_use_the_moses_prefix_lists() -> None:
    # Dutch "bijv." (for example) is in sentence-splitter's Dutch list and never ends a sentence there.
    assert split_sentences("Zie bijv. Drie. Dat is alles.", "nl") == ["Zie bijv. Drie.", "Dat is alles."]


def test_a_megabyte_paragraph_is_split_in_linear_time() -> None:
    # Quadratic work would take minutes here; each pattern stresses one rule (abbreviation
    # runs, open quotes, rejected candidates, enumerations, ordinals, words split by tabs
    # and no-break spaces), and a 100 000-dot run stresses the candidate search.
    unit = ("Am 3. Oktober sagte Dr. Weber u. a.: „Wir kommen. Bald.“ Der Preis stieg um 3,5 Prozent. "
            "das gilt z. B. für alle, ende. nicht groß ”Vi. Ni. 1. 2. Wort.\tDas\tWort.\u00a0Das ")
    text = unit * (900_000 // len(unit)) + "Ende" + "." * 100_000 + "x. Schluss."
    sentences = split_sentences(text, "de")
    assert len(sentences) > len(text) // len(unit)
    assert "".join("".join(sentences).split()) == "".join(text.split())
