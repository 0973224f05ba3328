"""mtsum.clean.headline: which line is the headline, with the shipped weights."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from mtsum.clean import clean_paragraphs, headline

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"

_BODY = [
    "Die Stadt Bergheim hat am Dienstag beschlossen, die alte Brücke über die Erft bis zum Sommer "
    "vollständig zu sanieren und in dieser Zeit für den Autoverkehr zu sperren.",
    "Nach Angaben der Verwaltung kostet die Sanierung der Brücke rund drei Millionen Euro, von denen "
    "das Land den größten Teil übernehmen wird, wie ein Sprecher mitteilte.",
    "Anwohner hatten sich seit Jahren über den schlechten Zustand der Brücke beschwert, die zuletzt nur "
    "noch mit Tempo dreißig befahren werden durfte und oft gesperrt war.",
]
_HEADLINE = "Bergheim saniert die Brücke über die Erft"


@pytest.mark.parametrize(
    "between",
    [
        # Lines shaped like a headline that once stood between a dev page's headline and
        # its text and were taken for it: a byline, an author's name, a post's meta line.
        "Matthias Weber",
        "Johanna Kropfitsch",
        "Posted by DT in Tagebuch",
        "Von Anna Schmidt",
        "Never miss a story",
    ],
)
def test_the_headline_is_not_the_line_between_it_and_the_text(between: str) -> None:
    result = clean_paragraphs(["Bergheimer Zeitung", _HEADLINE, between, *_BODY], "de")
    assert (result.title_index, result.title) == (1, _HEADLINE)


@pytest.mark.parametrize(
    "lines",
    [
        # Another article's title above the headline: the headline is the one whose
        # words the text below uses.
        ["Neue Ampel am Marktplatz", _HEADLINE, *_BODY],
        ["Neue Ampel am Marktplatz", "Lokales", _HEADLINE, "Von Anna Schmidt", *_BODY],
    ],
)
def test_the_headline_is_the_line_the_text_is_about(lines: list[str]) -> None:
    result = clean_paragraphs(lines, "de")
    assert result.title == _HEADLINE


_EN_HEADLINE = "City council approves new bridge over the river"
_EN_BODY = [
    "The city council voted on Monday to approve a new bridge over the river after a long debate, "
    "officials said on Tuesday.",
    "Construction is expected to begin next spring and to last about two years, according to the "
    "city's published plans.",
    "The bridge will carry two lanes of traffic as well as a protected bicycle path on each side, "
    "the mayor told reporters.",
]


@pytest.mark.parametrize(
    ("lines", "language", "title"),
    [
        # A "related" list under its heading runs on over short lines, through a menu and
        # into the article's own headline, which the text starts under.
        (["More News", "Sports", "Politics", "Weather", "Local", _EN_HEADLINE, *_EN_BODY], "en", _EN_HEADLINE),
        (["Weitere Nachrichten", "Sport", "Politik", "Wetter", _HEADLINE, *_BODY], "de", _HEADLINE),
    ],
)
def test_a_related_list_that_runs_into_the_headline_leaves_it_the_headline(
        lines: list[str], language: str, title: str) -> None:
    result = clean_paragraphs(lines, language)
    assert result.title == title
    assert result.title_index not in {r.index for r in result.removed}


@pytest.mark.parametrize(
    "lines",
    [
        _BODY,  # a page that opens with its text has no headline
        [_BODY[0] + " " + _BODY[1], *_BODY[2:]],
        [],
    ],
)
def test_prose_is_never_the_headline(lines: list[str]) -> None:
    assert clean_paragraphs(lines, "de").title is None


def test_candidates_leave_out_removed_lines_prose_and_furniture(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = ["Startseite | Lokales | Bergheim", "Libby sagt:", _HEADLINE, "Bergheimer Zeitung", *_BODY]
    result = clean_paragraphs(lines, "de")
    assert result.title == _HEADLINE
    seen: list[list[int]] = []
    original = headline.candidates

    def spy(*args):
        rows, matrix = original(*args)
        seen.append(rows)
        assert all(len(row) == len(headline.FEATURES) for row in matrix)
        return rows, matrix

    monkeypatch.setattr(headline, "candidates", spy)
    clean_paragraphs(lines, "de")
    assert 2 in seen[0]
    assert not {0, 1, 4, 5, 6} & set(seen[0])


def test_the_shipped_weights_fit_the_features() -> None:
    coef, intercept = headline.weights()
    assert len(coef) == len(headline.FEATURES)
    assert isinstance(intercept, float)


@pytest.fixture(scope="module")
def train_headline():
    sys.path.insert(0, str(SCRIPTS))
    try:
        spec = importlib.util.spec_from_file_location("train_headline", SCRIPTS / "train_headline.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["train_headline"] = module  # dataclasses look their module up there
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop("train_headline", None)
        sys.path.remove(str(SCRIPTS))


def test_training_labels_the_line_that_names_the_address_best(train_headline) -> None:
    # The lede shares the address's words too, with many more of its own.
    page = {
        "id": "x",
        "language": "de",
        "url": "https://example.de/lokales/bergheim-saniert-bruecke-erft/",
        "lines": ["Bergheimer Zeitung", _HEADLINE, "Von Anna Schmidt", *_BODY],
    }
    data = train_headline.prepare(page)
    assert data.asked
    rows_named = [bool(v) for v in data.label]
    assert sum(rows_named) == 1
    assert len(data.x) == len(rows_named) >= 2


def test_training_labels_the_line_that_is_the_truths_title(train_headline) -> None:
    # Typed with other quotes on the page than in the truth: the same title.
    title = "„Bergheim“ saniert die Brücke über die Erft"
    page = {
        "id": "y",
        "language": "de",
        "url": "https://example.de/p/123",
        "lines": ["Bergheimer Zeitung", '"Bergheim" saniert die Brücke über die Erft', "Von Anna Schmidt", *_BODY],
        "truth": title + "\n" + "\n".join(_BODY),
    }
    data = train_headline.prepare_titled(page)
    assert data.asked and data.source == "title"
    assert sum(bool(v) for v in data.label) == 1
    unseen = train_headline.prepare_titled({**page, "lines": page["lines"][2:]})  # the page never shows it
    assert not unseen.asked and not unseen.label.any()


# (line, is code or a list item): the rule of headline.code_or_bullet.
CODE_OR_BULLET = [
    ("var brueckeSaniert = true;", True),
    ("window.dataLayer = window.dataLayer || [];", True),
    ("googletag.cmd.push(function() { googletag.display('ad'); });", True),
    ("if (bruecke) { saniere(); }", True),
    ("Strict Standards: Non-static method nggGallery::get_option() should not be called", True),
    ("brueckeSanierung Bergheim", True),  # camelCase identifier
    ("bookmark_border URL kopieren", True),  # snake_case identifier
    ("Preis = 5 Euro", True),
    ("- Bergheim saniert die Brücke über die Erft", True),
    ("• Bergheim saniert die Brücke über die Erft", True),
    ("* Bergheim saniert die Brücke über die Erft", True),
    (_HEADLINE, False),
    ("Merkel (CDU) kritisiert die Pläne der Regierung", False),  # a headline's parenthesis
    ("Neues iPhone und eBay-Deal: YouTube wächst weiter", False),  # brand names are not camelCase code
    ("Bergheim - die Brücke wird saniert", False),  # a dash inside, not a bullet
    ("Was kostet die neue Brücke?", False),
]


@pytest.mark.parametrize(("line", "expected"), CODE_OR_BULLET)
def test_code_or_bullet(line: str, expected: bool) -> None:
    assert headline.code_or_bullet(line) is expected


@pytest.mark.parametrize("line", [line for line, code in CODE_OR_BULLET if code])
@pytest.mark.parametrize("above", [[], ["Bergheimer Zeitung"]])
def test_code_or_a_list_item_is_never_the_headline(line: str, above: list[str]) -> None:
    # Alone above the text, each of these was once chosen as the headline.
    result = clean_paragraphs([*above, line, *_BODY], "de")
    assert result.title != line
    assert result.title_index is None or result.title_index < len(above)


@pytest.mark.parametrize("line", ["- Brücke gesperrt", "var x = 1;", "sanierungBruecke Erft"])
def test_code_or_a_list_item_above_the_headline_leaves_it_the_headline(line: str) -> None:
    result = clean_paragraphs([line, _HEADLINE, *_BODY], "de")
    assert result.title == _HEADLINE
