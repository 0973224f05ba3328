"""Known-answer check: the real opus-mt models against hand-written English references.

tests/data/known_answers.tsv holds 8 Swedish and 8 German news sentences (columns
``lang``, ``source``, ``reference``; tab-separated, UTF-8, one header line). The
sources are copied verbatim from the sample articles:

* Swedish: seeds/000_*.txt (Blekinge Läns Tidning/TT, Russia buying rockets from
  North Korea), seeds/004_*.txt (UTRIKES, North Korea denies the arms deal),
  tests/data/sv_plain_skola.txt and tests/data/sv_norrland_bro.txt;
* German: seeds/002_*.txt (dts Nachrichtenagentur, John Kirby on North Korean
  missiles), tests/data/de_plain_bahn.txt and tests/data/de_musterstadt_radwege.txt.

The English references were translated by hand for this test (not by a machine),
faithfully and fairly literally, keeping names, numbers and dates. They are MIT like
mtsum.

The data checks below run in ``make test``: the file's shape, that every source
still occurs in a sample file of its language (so the data cannot drift from the
samples) and that every reference is English. The translation check is marked
``network`` and runs with ``make test-network``: each language's sentences are
translated in one call to :func:`mtsum.translate_text` with the default models, with
the transformers backend and (when ctranslate2 is installed) with an int8
CTranslate2 conversion; corpus chrF must reach :data:`MIN_CORPUS_CHRF` and every
sentence :data:`MIN_SENTENCE_CHRF`.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

import mtsum

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data"
KNOWN_ANSWERS = DATA / "known_answers.tsv"
HEADER = ["lang", "source", "reference"]
LANGUAGES = ("sv", "de")
BACKENDS = ("transformers", "ctranslate2")
MIN_ROWS_PER_LANGUAGE = 6
MIN_WORDS, MAX_WORDS = 8, 30
MIN_CORPUS_CHRF = 50.0  # sacrebleu chrF (char 6-grams, beta 2) over one language's sentences
MIN_SENTENCE_CHRF = 30.0  # a looser guard on each sentence

# The sample articles each language's sources must come from.
SAMPLE_FILES = {
    "sv": [*sorted(ROOT.glob("seeds/000_*.txt")), *sorted(ROOT.glob("seeds/004_*.txt")),
           *sorted(DATA.glob("sv_*.txt"))],
    "de": [*sorted(ROOT.glob("seeds/002_*.txt")), *sorted(DATA.glob("de_*.txt"))],
}


def read_table() -> tuple[list[str], list[list[str]]]:
    """The header and the rows of known_answers.tsv (no quoting: fields hold quote marks)."""
    with KNOWN_ANSWERS.open(encoding="utf-8", newline="") as f:
        lines = list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    return lines[0], lines[1:]


def rows_for(lang: str) -> list[tuple[str, str]]:
    """``(source, reference)`` pairs of one language, in file order."""
    return [(row[1], row[2]) for row in read_table()[1] if row[0] == lang]


ROWS = read_table()[1]
ROW_IDS = [f"{row[0]}-{i}" for i, row in enumerate(ROWS)]


# --- the data (make test) ----------------------------------------------------------------


def test_table_shape() -> None:
    header, rows = read_table()
    assert header == HEADER
    assert rows, "no rows"
    for n, row in enumerate(rows, start=2):
        assert len(row) == len(HEADER), f"line {n}: {len(row)} fields, want {len(HEADER)} (a tab inside a field?)"
        for name, value in zip(HEADER, row):
            assert value.strip(), f"line {n}: empty {name}"
            assert value == value.strip(), f"line {n}: {name} has leading or trailing whitespace"
    assert {row[0] for row in rows} == set(LANGUAGES)
    for lang in LANGUAGES:
        assert len(rows_for(lang)) >= MIN_ROWS_PER_LANGUAGE, f"fewer than {MIN_ROWS_PER_LANGUAGE} {lang} rows"
    sources = [row[1] for row in rows]
    assert len(set(sources)) == len(sources), "a source sentence is listed twice"


def test_sample_files_exist() -> None:
    for lang, files in SAMPLE_FILES.items():
        assert len(files) >= 2, f"sample files for {lang} not found: {files}"


@pytest.mark.parametrize(("lang", "source", "reference"), ROWS, ids=ROW_IDS)
def test_row(lang: str, source: str, reference: str) -> None:
    # The source is one sentence, word for word from a sample article of its language.
    texts = {path.name: path.read_text(encoding="utf-8") for path in SAMPLE_FILES[lang]}
    assert any(source in text for text in texts.values()), \
        f"not found verbatim in any {lang} sample ({', '.join(texts)}): {source!r}"
    assert MIN_WORDS <= len(source.split()) <= MAX_WORDS, f"{len(source.split())} words: {source!r}"
    assert mtsum.detect_language(source).language == lang
    # The reference is English, and not the source copied.
    assert reference != source
    letters = [ch for ch in reference if ch.isalpha()]
    assert sum(ch.isascii() for ch in letters) >= 0.9 * len(letters), f"not English-looking: {reference!r}"
    assert mtsum.detect_language(reference).language == "en", f"not detected as English: {reference!r}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_sources_come_back_as_one_paragraph_each(lang: str) -> None:
    """The network test sends one language's sources as one text, a paragraph each, and
    reads result.paragraphs[i] as the translation of source i: that holds only if the
    blank-line-joined text splits back into exactly these paragraphs."""
    sources = [source for source, _ in rows_for(lang)]
    assert mtsum.split_paragraphs("\n\n".join(sources)) == sources


# --- the real models (make test-network) -------------------------------------------------


@pytest.mark.network
@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_real_translation_meets_chrf(lang: str, backend: str) -> None:
    import sacrebleu

    config = mtsum.load_models_config()  # the packaged models.yaml: the real hub ids
    if backend == "ctranslate2":
        pytest.importorskip("ctranslate2")
        from mtsum.models.manage import convert_models

        # Into this test's own cache folder (MTSUM_CACHE_DIR, see conftest.py).
        convert_models(config, [lang], "int8")
    rows = rows_for(lang)
    sources = [source for source, _ in rows]
    references = [reference for _, reference in rows]

    # One call per language: a paragraph per sentence; cache=False so the model itself answers.
    result = mtsum.translate_text("\n\n".join(sources), source=lang, models=config, backend=backend, cache=False)
    assert result.models[lang]["backend"] == backend
    assert [p.source for p in result.paragraphs] == sources
    hypotheses = [p.translation for p in result.paragraphs]

    corpus = sacrebleu.corpus_chrf(hypotheses, [references]).score
    scores = [sacrebleu.sentence_chrf(hyp, [ref]).score for hyp, ref in zip(hypotheses, references)]
    report = "\n".join(f"  [{i}] chrF {score:5.1f}\n      src: {src}\n      hyp: {hyp}\n      ref: {ref}"
                       for i, (src, hyp, ref, score) in enumerate(zip(sources, hypotheses, references, scores)))
    assert corpus >= MIN_CORPUS_CHRF, \
        f"{lang}/{backend}: corpus chrF {corpus:.1f} < {MIN_CORPUS_CHRF}\n{report}"
    low = [i for i, score in enumerate(scores) if score < MIN_SENTENCE_CHRF]
    assert not low, f"{lang}/{backend}: sentence(s) {low} below chrF {MIN_SENTENCE_CHRF} " \
                    f"(corpus {corpus:.1f})\n{report}"
