"""Scraped Swedish and German pages of our own writing: what mtsum.clean keeps and drops.

Each file in tests/data/scraped marks every line T (headline), K (keep) or D (drop);
see the README there. No rule was written for these pages' words: they test that the
classifier generalizes from structure (menus, related lists, comment and newsletter
widgets around a block of prose). Nothing is fitted to them: the line model's thresholds,
verdicts and rules are chosen on annotated public pages by scripts/train_clean.py, which
prints how these pages fare as a check.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mtsum.clean import clean_paragraphs

SCRAPED = Path(__file__).parent / "data" / "scraped"
PAGES = sorted(SCRAPED.glob("*.txt"))


def read_page(path: Path) -> tuple[list[str], list[str]]:
    marks, lines = [], []
    for raw in path.read_text(encoding="utf-8").splitlines():
        mark, _, text = raw.partition(" ")
        assert mark in ("T", "K", "D", "A") and text, f"{path.name}: bad line {raw!r}"
        marks.append(mark)
        lines.append(text)
    return marks, lines


def test_there_are_a_dozen_swedish_and_german_pages() -> None:
    names = [p.name for p in PAGES]
    assert sum(n.startswith("sv_") for n in names) >= 6
    assert sum(n.startswith("de_") for n in names) >= 6


@pytest.mark.parametrize("path", PAGES, ids=[p.stem for p in PAGES])
def test_scraped_page(path: Path) -> None:
    marks, lines = read_page(path)
    result = clean_paragraphs(lines, path.name[:2])

    title = [i for i, m in enumerate(marks) if m == "T"]
    assert [result.title_index] == (title or [None]), lines[result.title_index or 0]
    kept = {i for i, m in enumerate(marks) if m == "K"}
    wrongly_dropped = [r.text for r in result.removed if r.index in kept]
    wrongly_kept = [lines[i] for i in result.kept_indices if marks[i] == "D"]
    assert sum(m == "A" for m in marks) <= 1, "an ambiguous line is the exception, not a way out"
    assert (wrongly_dropped, wrongly_kept) == ([], [])
    for removal in result.removed:
        assert removal.reason in ("boilerplate", "caption", "duplicate")
        assert removal.rule


def test_site_name_and_menu_are_not_the_headline() -> None:
    # The case from issue 9: a site name, then menu entries, then the article.
    lines = [
        "Sydsvenska Nyheter",
        "Sport",
        "Kultur",
        "Cykelbanan längs kusten blir klar i höst",
        "Den nya cykelbanan mellan Ystad och Simrishamn blir klar i oktober, ett halvår senare än "
        "planerat, eftersom arkeologer hittade rester av en boplats längs sträckan.",
        "Trafikverket räknar med att banan kommer att användas av flera tusen cyklister per dag.",
    ]
    result = clean_paragraphs(lines, "sv")
    assert result.title == "Cykelbanan längs kusten blir klar i höst"
    assert result.kept_indices == [4, 5]
    assert {r.index for r in result.removed} == {0, 1, 2}


_BRIDGE = [
    "Die Stadt Bergheim hat am Dienstag beschlossen, die alte Brücke über den Fluss bis zum Sommer "
    "vollständig zu sanieren und in dieser Zeit für den Autoverkehr zu sperren.",
    "Nach Angaben der Verwaltung kostet die Sanierung rund drei Millionen Euro, von denen das Land den "
    "größten Teil übernehmen wird, wie ein Sprecher mitteilte.",
    "Anwohner hatten sich seit Jahren über den schlechten Zustand der Brücke beschwert, die zuletzt nur "
    "noch mit Tempo dreißig befahren werden durfte und oft gesperrt war.",
    "Die Arbeiten sollen im März beginnen und nach Plan im Juli abgeschlossen sein, sagte der "
    "Bürgermeister bei der Sitzung des Stadtrats am Abend.",
]


def test_a_breadcrumb_between_headline_and_text_is_not_the_headline() -> None:
    # The structure pass calls the breadcrumb a menu row; the walk up to the headline
    # passes over it as over a rule's removal.
    header = ["Bergheimer Zeitung", "Brücke über die Erft wird saniert", "Startseite | Lokales | Bergheim | Verkehr"]
    result = clean_paragraphs(header + _BRIDGE, "de")
    assert (result.title_index, result.title) == (1, "Brücke über die Erft wird saniert")
    assert result.kept_indices == [3, 4, 5, 6]
    assert {r.index: r.rule for r in result.removed} == {0: "classifier:above-headline", 2: "classifier:menu-row"}


@pytest.mark.parametrize(
    ("language", "between"),
    [
        ("de", "1 Kommentar"),  # site vocabulary, short
        ("de", "Passwort vergessen"),
        ("en", "Email address"),
        ("sv", "Logga in"),
        ("de", "Zugehörige Themenseiten:"),  # a label ending in a colon
        ("de", "Libby sagt:"),
        ("de", "Name *"),  # a form field
        ("de", "Lokales / Bergheim"),  # a breadcrumb
        ("de", "Mai 28, 2014 um 12:34 pm"),  # a time stamp
        ("de", "8. April 2019 @ 13:06"),
    ],
)
def test_a_line_shaped_like_site_furniture_is_passed_over_for_the_headline(language: str, between: str) -> None:
    # Each of these once became the headline of a dev page (and kept the real one as body).
    lines = ["Brücke über die Erft wird saniert", between, *_BRIDGE]
    result = clean_paragraphs(lines, language)
    assert (result.title_index, result.title) == (0, "Brücke über die Erft wird saniert")


@pytest.mark.parametrize(
    "headline",
    [
        "Fünf HR-Trends 2023",  # digits, but under half of its tokens
        "Bundesliga: Bayern gewinnt 3:1 in Dortmund",
        "Was ist Freie Software und warum ist sie wichtig?",
        "Dimethylether: Alternative für das Heizen der Zukunft",
    ],
)
def test_headlines_are_not_taken_for_site_furniture(headline: str) -> None:
    # The page of the breadcrumb test above, with other headlines.
    result = clean_paragraphs(["Bergheimer Zeitung", headline, "Startseite | Lokales | Bergheim", *_BRIDGE], "de")
    assert (result.title_index, result.title) == (1, headline)
