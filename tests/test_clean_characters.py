"""Cleaning chooses paragraphs and does not rewrite them; translation normalizes its own input.

A page's soft hyphens and zero-width spaces stay in what ``clean`` keeps (in NFC, whitespace
collapsed), so text copied from the page is found in the output.
Decisions (duplicates, rules) still compare normalized forms, and the model is given
the normalized text.
"""

from __future__ import annotations

import unicodedata

import pytest

from mtsum.clean import clean_paragraphs, normalize_paragraph
from mtsum.io.inputs import Document
from mtsum.pipeline.prepare import SourceDocument, prepare_source

LEDE = "Der Stadtrat hat am Montag nach langer Debatte beschlossen, eine neue Brücke zu bauen."
SOFT = "Die Bau\u00adar\u00adbei\u00adten sollen im kommenden Früh\u00adjahr beginnen und zwei Jahre dauern."
ZERO_WIDTH = "Ein Sprecher\u200b sagte, die Kosten lägen bei rund zwölf Millionen Euro für die Stadt."
DECOMPOSED = unicodedata.normalize("NFD", "Die Brücke soll über den Fluss führen und Radwege auf beiden Seiten haben.")
SPACED = "Der  Bau\u00a0beginnt \t im  Mai, wenn das Wetter es zulässt und die Genehmigung vorliegt."


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        (SOFT, SOFT),
        (ZERO_WIDTH, ZERO_WIDTH),
        # Composed: the same letters to a reader, in the form almost all text has.
        (DECOMPOSED, unicodedata.normalize("NFC", DECOMPOSED)),
        (SPACED, "Der Bau beginnt im Mai, wenn das Wetter es zulässt und die Genehmigung vorliegt."),
    ],
    ids=["soft-hyphens", "zero-width-space", "decomposed-letters-composed", "whitespace-collapsed"],
)
def test_a_kept_paragraph_keeps_its_characters(line: str, shown: str) -> None:
    result = clean_paragraphs([LEDE, line, LEDE.replace("Montag", "Dienstag")], "de")
    assert shown in result.paragraphs


def test_a_headline_keeps_its_characters() -> None:
    headline = "Stadt\u00adrat beschließt neue Brücke"
    result = clean_paragraphs([headline, LEDE, SOFT], "de")
    assert result.title == headline


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (SOFT, SOFT.replace("\u00ad", "")),
        (ZERO_WIDTH.replace("\u200b", ""), ZERO_WIDTH),
        (DECOMPOSED, unicodedata.normalize("NFC", DECOMPOSED)),
    ],
    ids=["soft-hyphens", "zero-width-space", "decomposed-letters"],
)
def test_repeats_are_still_found_on_normalized_forms(first: str, second: str) -> None:
    result = clean_paragraphs([LEDE, first, second], "de")
    assert result.kept_indices == [0, 1]
    assert [(r.index, r.rule, r.duplicate_of) for r in result.removed] == [(2, "exact_duplicate", 1)]
    assert result.paragraphs[1] == unicodedata.normalize("NFC", first)


def test_a_paragraph_that_lost_a_glued_marker_is_its_normalized_rest() -> None:
    result = clean_paragraphs([LEDE, "AnnonsAnnonsAnnons" + SOFT], "de")
    assert [(s.index, s.rule) for s in result.stripped] == [(1, "common:ad_marker_glued")]
    assert result.paragraphs[1] == normalize_paragraph(SOFT)


def test_the_model_is_given_normalized_text() -> None:
    paragraphs = [LEDE, SOFT, ZERO_WIDTH, DECOMPOSED]
    cleaned = clean_paragraphs(paragraphs, "de")
    asked: list[str] = []

    def segment(text: str, language: str) -> list[tuple[str, int]]:
        asked.append(text)
        return [(text, len(text.split()))]

    source = SourceDocument(Document("a.txt", "\n\n".join(paragraphs), "text"), "de", None, paragraphs,
                            [None] * len(paragraphs), cleaned)
    prepared = prepare_source(source, segment)
    assert asked == [normalize_paragraph(p) for p in paragraphs]
    # The paragraph's source stays as cleaning kept it: the page's characters, composed.
    assert [p.text for p in prepared.paragraphs] == [unicodedata.normalize("NFC", p) for p in paragraphs]
    assert prepared.paragraphs[1].text == SOFT
