"""scripts/html_restore.py: article lines an HTML extraction missed, put back from the whole page
(the training and evaluation scripts' old HTML path; mtsum's own path restores nothing)."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from mtsum.clean import line_model, line_scores

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import html_restore as restore
from html_restore import restore_article_lines, restore_below

DATA = Path(__file__).parent / "data"
# An article whose third paragraph sits in a layout table: trafilatura (tables off)
# leaves it out, html-text's flattening keeps it.
TABLE_PAGE = DATA / "de_strassenbahn_table.html"
IN_TABLE = "Die Bauarbeiten sollen im kommenden Frühjahr beginnen"

needs_html = pytest.mark.skipif(
    importlib.util.find_spec("trafilatura") is None or importlib.util.find_spec("html_text") is None,
    reason="needs the html extra (pip install 'mtsum[html]')",
)

MENU = ["Startseite", "Politik", "Sport", "Kultur"]
FOOTER = ["Impressum", "Datenschutz", "Kontakt", "© 2024 Musterstädter Anzeiger"]
BODY = [
    "Der Stadtrat hat am Mittwoch beschlossen, eine neue Straßenbahnlinie vom Hauptbahnhof bis zum "
    "Universitätsviertel zu bauen. Die Entscheidung fiel nach einer langen Debatte.",
    "Die Linie soll rund neun Kilometer lang werden und vierzehn Haltestellen haben. Die Verwaltung "
    "rechnet mit Kosten von etwa 120 Millionen Euro.",
    "Die Bauarbeiten sollen im kommenden Frühjahr beginnen und werden nach Angaben der Stadtwerke etwa "
    "drei Jahre dauern. Während dieser Zeit wird es Umleitungen geben.",
    "Die Opposition kritisierte die Pläne als zu teuer und forderte stattdessen mehr Busse. Ein "
    "Bürgerbegehren gegen das Projekt ist bereits angekündigt worden.",
    "Der Oberbürgermeister zeigte sich dennoch zuversichtlich, dass die Bahn wie geplant fahren wird, "
    "sagte er am Abend vor Journalisten.",
]
TITLE = "Neue Straßenbahn für Musterstadt"
PAGE = [*MENU, TITLE, *BODY, *FOOTER]


@pytest.mark.parametrize(
    ("extracted", "expected_origin"),
    [
        # the middle paragraph missing: put back between its neighbours
        ([TITLE, BODY[0], BODY[1], BODY[3], BODY[4]], [0, 1, 2, None, 3, 4]),
        # nothing missing: nothing added, nothing reordered
        ([TITLE, *BODY], [0, 1, 2, 3, 4, 5]),
        # the same text with other spacing is not added twice
        ([TITLE, BODY[0].replace(" ", "  "), *BODY[1:]], [0, 1, 2, 3, 4, 5]),
    ],
)
def test_missing_article_lines_come_back_in_page_order(extracted: list[str], expected_origin: list) -> None:
    merged = restore_article_lines(extracted, PAGE, "de")
    assert merged.origin == expected_origin
    assert merged.restored == [i for i, o in enumerate(expected_origin) if o is None]
    for i, origin in enumerate(merged.origin):
        assert merged.paragraphs[i] == (PAGE[PAGE.index(BODY[2])] if origin is None else extracted[origin])


def test_menus_and_footers_are_not_restored() -> None:
    merged = restore_article_lines([TITLE, BODY[0], BODY[1], BODY[3], BODY[4]], PAGE, "de")
    for line in MENU + FOOTER:
        assert line not in merged.paragraphs
    scores = line_scores(PAGE, "de")
    assert all(scores[PAGE.index(line)] < restore_below("de") for line in BODY)


def test_nothing_outside_the_extracted_span_is_restored() -> None:
    # A page of two articles: the extraction chose the second; the first stays out
    # however article-like it reads (comments and sidebars are the real cases).
    other = [f"Auch in Bergstadt: {s}" for s in BODY]
    page = [*MENU, "Seilbahn zum Berg", *other, *FOOTER, *MENU, TITLE, *BODY, *FOOTER]
    merged = restore_article_lines([TITLE, *BODY], page, "de")
    assert merged.restored == []


@pytest.mark.parametrize(("table_rows", "restored"), [(4, True), (5, False)])
def test_the_span_grows_past_a_small_table_the_extraction_stopped_at(table_rows: int, restored: bool) -> None:
    # Trafilatura often ends the article at a fact box; the text after it is the same
    # article when it follows within four lines. Farther on it is what follows the article.
    table = [f"Haltestelle {k}: {k * 3} Minuten" for k in range(table_rows)]
    page = [TITLE, BODY[0], BODY[1], *table, BODY[2], BODY[3]]
    scores = {i: (0.6 if line in table else 0.05) for i, line in enumerate(page)}
    # The restore threshold pinned above the article's scores: what is tested is the span.
    model = line_model.current()
    assert model is not None
    line_model.use_model(dataclasses.replace(model, restore_by_language={"de": 0.3}))
    try:
        merged = restore_article_lines([TITLE, BODY[0], BODY[1]], page, "de", scores=scores)
    finally:
        line_model.use_model(None)
    assert merged.paragraphs == ([TITLE, BODY[0], BODY[1], BODY[2], BODY[3]] if restored else [TITLE, BODY[0], BODY[1]])


@pytest.mark.parametrize(("above", "below"), [(0, 0), (3, 40), (40, 3), (60, 80)])
def test_only_the_article_and_its_surroundings_are_scored(
    above: int, below: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Scoring is most of what HTML cleaning costs; lines farther than restore._AROUND
    # from the extracted article cannot come back, so they are not scored.
    page = [f"Menüpunkt {k}" for k in range(above)] + PAGE + [f"Fußzeile {k}" for k in range(below)]
    extracted = [TITLE, BODY[0], BODY[1], BODY[3], BODY[4]]
    first, last = page.index(TITLE), page.index(BODY[4])
    window = restore.scoring_window(extracted, page)
    assert window == range(max(0, first - restore._AROUND), min(len(page), last + restore._AROUND + 1))
    scored: list[list[str]] = []
    real = restore.line_scores

    def spy(lines: list[str], *args: object, **kwargs: object) -> dict[int, float]:
        scored.append(list(lines))
        return real(lines, *args, **kwargs)

    monkeypatch.setattr(restore, "line_scores", spy)
    merged = restore_article_lines(extracted, page, "de")
    assert scored == [page[window.start : window.stop]]
    assert merged.paragraphs == [TITLE, *BODY]


def test_a_page_without_the_extracted_text_is_not_scored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(restore, "line_scores", lambda *a, **k: pytest.fail("scored a page it cannot restore from"))
    assert restore.scoring_window(["Ganz anderer Text hier"], PAGE) == range(0)
    merged = restore_article_lines(["Ganz anderer Text hier"], PAGE, "de")
    assert merged.paragraphs == ["Ganz anderer Text hier"] and merged.restored == []


@pytest.mark.parametrize("page", [[], ()])
def test_without_page_lines_the_extraction_stands(page: list) -> None:
    merged = restore_article_lines(["a", "b"], page, "de")
    assert (merged.paragraphs, merged.origin, merged.restored) == (["a", "b"], [0, 1], [])


@needs_html
def test_extract_page_flattens_the_whole_page() -> None:
    from mtsum.io.html import extract_page

    page = extract_page(TABLE_PAGE.read_text(encoding="utf-8"), include_tables=False)
    assert IN_TABLE not in page.text  # trafilatura, tables off
    assert any(line.startswith(IN_TABLE) for line in page.lines)
    assert {"Startseite", "Impressum"} <= set(page.lines)
    assert extract_page(TABLE_PAGE.read_bytes(), flatten=False).lines == ()


@needs_html
@pytest.mark.parametrize("clean", [True, False])
def test_translate_keeps_the_table_paragraph_without_restoring(tiny_models: Path, clean: bool) -> None:
    # The HTML path is trafilatura's extraction, tables included, and nothing put back
    # from the page (mtsum.clean.extracted): the table's paragraph comes from trafilatura.
    from mtsum.cli import main

    args = ["translate", str(TABLE_PAGE), "--format", "json", "--models", str(tiny_models)]
    result = CliRunner().invoke(main, [*args, "--clean"] if clean else args, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    sources = [p["source"] for p in data["paragraphs"]]
    assert data.get("restored", []) == []
    assert sum(s.startswith(IN_TABLE) for s in sources) == 1  # not "| Die Bauarbeiten ... |"
    assert not {"Startseite", "Impressum", "Datenschutz"} & set(sources)
    if clean:
        assert data["source_title"] == TITLE


def test_restore_thresholds_come_with_the_line_model() -> None:
    # Chosen per language by scripts/train_clean.py with the model they belong to;
    # a language without dev pages (Swedish) gets the highest, restoring the most.
    from mtsum.clean import line_model

    model = line_model.current()
    assert model is not None and {"de", "en"} <= model.restore_by_language.keys()
    assert restore_below("de") == model.restore_by_language["de"]
    assert restore_below("sv") == model.restore == max(model.restore_by_language.values())
    assert all(0.0 < t < 0.5 for t in model.restore_by_language.values())
