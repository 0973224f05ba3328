"""Tests for mtsum.detect: language detection and per-paragraph language.

The accuracy test runs the detector over tests/data/detect_sentences.tsv, a
hand-written set of news sentences (see docs/detection.md and
scripts/detect_accuracy.py); its thresholds sit a little below the measured values.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest

from mtsum.detect import (
    CANDIDATES,
    MIN_LETTERS_FOR_PARAGRAPH,
    SUPPORTED,
    Detection,
    detect_language,
    detect_paragraphs,
    paragraph_language,
)

DATA = Path(__file__).parent / "data"
SENTENCES_TSV = DATA / "detect_sentences.tsv"

CLEAR = [
    ("sv", "Regeringen vill satsa mer pengar på polisen i hela landet nästa år."),
    ("sv", "Det blir mycket regn och kraftiga vindar längs västkusten i helgen."),
    ("sv", "Kvinnan fördes till sjukhuset med lindriga skador efter olyckan."),
    ("de", "Die Bundesregierung will im nächsten Jahr deutlich mehr Geld für Schulen ausgeben."),
    ("de", "Am Wochenende wird es in ganz Norddeutschland stürmisch und kalt."),
    ("de", "Die Frau wurde nach dem Unfall mit leichten Verletzungen ins Krankenhaus gebracht."),
    ("en", "The government wants to spend more money on the police across the country next year."),
    ("en", "Heavy rain and strong winds are expected along the west coast this weekend."),
    ("en", "The woman was taken to hospital with minor injuries after the crash."),
    ("da", "Regeringen vil bruge flere penge på politiet i hele landet næste år."),
    ("da", "Kvinden blev kørt på hospitalet med lettere skader efter ulykken."),
    ("da", "Hvad der sker nu, ved ingen endnu, siger borgmesteren til avisen."),
    ("nb", "Regjeringen vil bruke mer penger på politiet i hele landet neste år."),
    ("nb", "Kvinnen ble kjørt til sykehuset med lettere skader etter ulykken."),
    ("nb", "Hva som skjer nå, vet ingen ennå, sier ordføreren til avisen."),
    ("nl", "De regering wil volgend jaar meer geld uitgeven aan de politie in het hele land."),
    ("nl", "Dit weekend wordt er veel regen en harde wind verwacht langs de kust."),
    ("nl", "De vrouw werd na het ongeluk met lichte verwondingen naar het ziekenhuis gebracht."),
]

# Thresholds a little below what scripts/detect_accuracy.py measured on the TSV
# (docs/detection.md: sv/de/en 1.000; da 0.980, nb 0.980, nl 1.000 exact; da/nb/nl
# flagged as unsupported 1.000).
MIN_ACCURACY = {"sv": 0.95, "de": 0.95, "en": 0.95, "da": 0.90, "nb": 0.90, "nl": 0.95}
MIN_FLAGGED_UNSUPPORTED = {"da": 0.95, "nb": 0.95, "nl": 0.95}
MIN_SENTENCES_PER_LANGUAGE = 40


@pytest.mark.parametrize(("lang", "text"), CLEAR, ids=[f"{lang}-{i}" for i, (lang, _) in enumerate(CLEAR)])
def test_detects_clear_sentences(lang: str, text: str) -> None:
    found = detect_language(text)
    assert isinstance(found, Detection)
    assert found.language == lang, (text, found)
    assert 0.0 < found.confidence <= 1.0
    if lang not in SUPPORTED:
        assert found.language not in SUPPORTED


@pytest.mark.parametrize("text", ["", "   ", "12:45", "2024-05-01 – 3,5 %", "€ 100 / $ 95 !!!", "\n\t"])
def test_text_without_letters_is_undetermined(text: str) -> None:
    assert detect_language(text) == Detection("und", 0.0)


def test_detection_to_dict_and_alternatives() -> None:
    found = detect_language("Die Polizei hat den Bahnhof am Abend weiträumig abgesperrt.")
    assert found.to_dict() == {"language": "de", "confidence": round(found.confidence, 4)}
    assert "de" in found.alternatives
    assert set(found.alternatives) <= set(CANDIDATES)


def _read_tsv() -> list[tuple[str, str]]:
    with SENTENCES_TSV.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        assert next(reader) == ["lang", "sentence"]
        return [(row[0], row[1]) for row in reader if row]


@pytest.fixture(scope="module")
def tsv_predictions() -> dict[str, list[tuple[str, str]]]:
    """lang -> [(sentence, predicted label)] for every sentence of the TSV."""
    by_lang: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for lang, sentence in _read_tsv():
        by_lang[lang].append((sentence, detect_language(sentence).language))
    return dict(by_lang)


def test_tsv_is_well_formed() -> None:
    rows = _read_tsv()
    counts: dict[str, int] = defaultdict(int)
    for lang, sentence in rows:
        assert lang in CANDIDATES, lang
        assert 6 <= len(sentence.split()) <= 40, sentence
        counts[lang] += 1
    for lang in MIN_ACCURACY:
        assert counts[lang] >= MIN_SENTENCES_PER_LANGUAGE, (lang, counts[lang])
    assert len({s for _, s in rows}) == len(rows), "duplicate sentences"


@pytest.mark.parametrize("lang", sorted(MIN_ACCURACY))
def test_tsv_accuracy(lang: str, tsv_predictions: dict[str, list[tuple[str, str]]]) -> None:
    items = tsv_predictions[lang]
    wrong = [(s, p) for s, p in items if p != lang]
    accuracy = 1 - len(wrong) / len(items)
    assert accuracy >= MIN_ACCURACY[lang], (accuracy, wrong)


@pytest.mark.parametrize("lang", sorted(MIN_FLAGGED_UNSUPPORTED))
def test_tsv_neighbours_flagged_as_unsupported(
    lang: str, tsv_predictions: dict[str, list[tuple[str, str]]]
) -> None:
    # A Danish, Norwegian or Dutch text must not be mistaken for Swedish/German/English.
    items = tsv_predictions[lang]
    mistaken = [(s, p) for s, p in items if p in SUPPORTED]
    flagged = 1 - len(mistaken) / len(items)
    assert flagged >= MIN_FLAGGED_UNSUPPORTED[lang], (flagged, mistaken)


# --- paragraph_language -------------------------------------------------------------


def _paragraph_language(text: str, document_language: str) -> str:
    return paragraph_language(detect_paragraphs([text])[1][0], document_language)


LONG_EN = (
    "The minister told reporters on Monday that the government would not change its position "
    "on the new energy tax, despite growing pressure from businesses and opposition parties."
)
LONG_DA = (
    "Ministeren sagde mandag til journalisterne, at regeringen ikke vil ændre holdning til den "
    "nye afgift på energi, selv om presset fra virksomhederne og oppositionen vokser."
)
LONG_DE = (
    "Der Minister sagte am Montag vor Journalisten, die Regierung werde ihre Haltung zur neuen "
    "Energiesteuer trotz des wachsenden Drucks von Unternehmen und Opposition nicht ändern."
)


@pytest.mark.parametrize(
    ("text", "document_language"),
    [
        ("Annons", "sv"),
        ("Foto: Reuters", "de"),
        ("Breaking news from London", "de"),
        ("Updated 12:45", "sv"),
        ("Vad händer nu?", "de"),
        ("", "sv"),
    ],
)
def test_short_paragraph_inherits_document_language(text: str, document_language: str) -> None:
    assert sum(ch.isalpha() for ch in text) < MIN_LETTERS_FOR_PARAGRAPH
    assert _paragraph_language(text, document_language) == document_language


def test_long_english_paragraph_in_german_document_is_english() -> None:
    assert detect_language(LONG_EN).language == "en"
    assert _paragraph_language(LONG_EN, "de") == "en"


def test_long_german_paragraph_in_swedish_document_is_german() -> None:
    assert _paragraph_language(LONG_DE, "sv") == "de"


def test_long_danish_paragraph_in_swedish_document_follows_document() -> None:
    # Detected as Danish (unsupported), so the paragraph follows the Swedish document.
    assert detect_language(LONG_DA).language == "da"
    assert _paragraph_language(LONG_DA, "sv") == "sv"


def test_paragraph_in_document_language_keeps_it() -> None:
    assert _paragraph_language(LONG_EN, "en") == "en"
