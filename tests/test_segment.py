"""Paragraph and sentence segmentation."""

from __future__ import annotations

import pytest

from mtsum.text.segment import split_long, split_paragraphs, split_sentences

SENTENCE_CASES = [
    # (language, text, expected sentences)
    ("de", "Am 30. Dezember 2023 haben russische Streitkräfte eine Rakete abgefeuert. Kirby bestätigte das.",
     ["Am 30. Dezember 2023 haben russische Streitkräfte eine Rakete abgefeuert.", "Kirby bestätigte das."]),
    ("de", "Das gilt z. B. für Raketen, d. h. für Waffen. Dr. Müller sagte u. a. etwas.",
     ["Das gilt z. B. für Raketen, d. h. für Waffen.", "Dr. Müller sagte u. a. etwas."]),
    ("de", "Er kam am 2. Januar. Sie blieb.", ["Er kam am 2. Januar.", "Sie blieb."]),
    ("de", "Der Preis stieg um 3,5 Prozent. Das ist viel.", ["Der Preis stieg um 3,5 Prozent.", "Das ist viel."]),
    ("de", '"Wir liefern. Wir helfen", so Kirby. Dann ging er.',
     ['"Wir liefern. Wir helfen", so Kirby.', "Dann ging er."]),
    ("de", "Er sagte: „Das ist gut. Wir gehen.“ Dann ging er.",
     ["Er sagte: „Das ist gut. Wir gehen.“", "Dann ging er."]),
    ("sv", "– Vi har förberett, sade han. ”Vi har aldrig exporterat vapen.” Nästa mening.",
     ["– Vi har förberett, sade han.", "”Vi har aldrig exporterat vapen.”", "Nästa mening."]),
    ("sv", "Ryssland köper bl.a. raketer, t.ex. artilleri. Det s.k. kriget fortsätter.",
     ["Ryssland köper bl.a. raketer, t.ex. artilleri.", "Det s.k. kriget fortsätter."]),
    ("sv", "Mötet börjar kl. 14.00 i dag. Alla ska komma.", ["Mötet börjar kl. 14.00 i dag.", "Alla ska komma."]),
    ("sv", "Det hände den 6 sept. 2022 i Kiev. Sedan hände mer.",
     ["Det hände den 6 sept. 2022 i Kiev.", "Sedan hände mer."]),
    ("sv", "Han sa: ”Det är slut. Nu går vi hem.” Sedan gick han.",
     ["Han sa: ”Det är slut. Nu går vi hem.”", "Sedan gick han."]),
    ("sv", "Dr. Svensson kom. Han gick.", ["Dr. Svensson kom.", "Han gick."]),
    ("en", "Mr. Smith arrived at 5 p.m. on Monday. He left.", ["Mr. Smith arrived at 5 p.m. on Monday.", "He left."]),
]


@pytest.mark.parametrize(("language", "text", "expected"), SENTENCE_CASES)
def test_split_sentences(language: str, text: str, expected: list[str]) -> None:
    assert split_sentences(text, language) == expected


@pytest.mark.parametrize("language", ["sv", "de", "en", "xx"])
def test_split_sentences_loses_nothing(language: str) -> None:
    text = "Första. Andra meningen, z. B. hier! Tredje? ”Fjärde. Femte.” Sjätte"
    assert " ".join(split_sentences(text, language)).split() == text.split()


def test_split_sentences_empty() -> None:
    assert split_sentences("   ", "sv") == []


def test_unbalanced_quote_does_not_swallow_paragraph() -> None:
    sentence = "Detta är en ganska lång mening om ingenting särskilt alls. "
    text = '"' + sentence * 30
    assert len(split_sentences(text, "sv")) > 1


HARD_WRAPPED = """The Kremlin is buying rockets and artillery shells from North
Korea, according to newly declassified American intelligence, in
a sign that sanctions are biting.

The officials said the purchases showed that the Russian military
remained severely hampered by supply shortages, in part because
of export controls and sanctions imposed by Western allies.

North Korea denied the reports on Thursday and called them slander
against a sovereign state's right to self-defence and trade."""

PARAGRAPH_CASES = [
    # (name, text, expected paragraphs)
    ("blank lines", "First paragraph.\n\nSecond paragraph.\n", ["First paragraph.", "Second paragraph."]),
    ("one per line", "Line one.\nLine two.\nLine three.", ["Line one.", "Line two.", "Line three."]),
    ("crlf and spaces", "A  b.\r\n\r\n  C\td.  \r\n", ["A b.", "C d."]),
    ("ragged block keeps lines", "Menu\nNews\nSport\n\nBody text here.", ["Menu", "News", "Sport", "Body text here."]),
    ("hard-wrapped", HARD_WRAPPED, [
        "The Kremlin is buying rockets and artillery shells from North Korea, according to newly "
        "declassified American intelligence, in a sign that sanctions are biting.",
        "The officials said the purchases showed that the Russian military remained severely hampered "
        "by supply shortages, in part because of export controls and sanctions imposed by Western allies.",
        "North Korea denied the reports on Thursday and called them slander against a sovereign state's "
        "right to self-defence and trade.",
    ]),
    ("whitespace only", " \n\n \n", []),
]


@pytest.mark.parametrize(("name", "text", "expected"), PARAGRAPH_CASES, ids=[c[0] for c in PARAGRAPH_CASES])
def test_split_paragraphs(name: str, text: str, expected: list[str]) -> None:
    assert split_paragraphs(text) == expected


def test_swedish_seed_block_lines_stay_separate(seeds: dict) -> None:
    paragraphs = split_paragraphs(seeds["sv"].read_text(encoding="utf-8"))
    assert "USA: Ryssland köper raketer av Nordkorea" in paragraphs
    assert "Ukraina • Publicerad 6 september 2022" in paragraphs


def test_german_seed_is_eight_paragraphs(seeds: dict) -> None:
    assert len(split_paragraphs(seeds["de"].read_text(encoding="utf-8"))) == 8


def words(text: str) -> int:
    return len(text.split())


@pytest.mark.parametrize(("text", "limit"), [
    ("a b c, d e f g; h i j k l", 4),
    ("one two three four five six seven eight nine ten eleven", 3),
    ("short", 10),
])
def test_split_long_bounds_and_loses_nothing(text: str, limit: int) -> None:
    pieces = split_long(text, words, limit)
    assert all(words(p) <= limit for p in pieces)
    assert " ".join(pieces) == text


def test_split_long_prefers_clause_boundaries() -> None:
    assert split_long("a b c, d e f g; h i j k l", words, 4) == ["a b c,", "d e f g;", "h i j k", "l"]


def test_split_long_cuts_a_monster_word() -> None:
    pieces = split_long("x" * 50, len, 8)
    assert "".join(pieces) == "x" * 50 and all(len(p) <= 8 for p in pieces)
