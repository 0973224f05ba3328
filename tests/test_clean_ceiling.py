"""scripts/clean_ceiling.py: where a page's article lies, and what its ceiling rows drop."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"

PROSE = (
    "Der Stadtrat hat am Dienstagabend nach einer langen Debatte beschlossen, dass die alte Brücke über den "
    "Fluss im kommenden Jahr für den Verkehr gesperrt und danach vollständig erneuert wird."
)
COSTS = (
    "Die Kosten von rund zwölf Millionen Euro teilen sich die Stadt und das Land, wie ein Sprecher der "
    "Verwaltung am Mittwoch auf Nachfrage mitteilte."
)
AUTHOR = "Über den Autor: Er schreibt seit vielen Jahren für diese Zeitung über die Stadt und ihre Menschen."
WEATHER = "Wetter in Köln: 12 Grad"
PAGE = {
    "id": "x",
    "language": "de",
    "url": "https://example.de/a",
    "lines": [
        "Startseite", "Lokales", "Die alte Brücke wird erneuert", PROSE, "Die Arbeiten sollen zwei Jahre dauern.",
        COSTS, AUTHOR, WEATHER, "Impressum",
    ],
    "with": ["Die alte Brücke wird erneuert", "Die Kosten von rund zwölf Millionen Euro"],
    "without": ["Über den Autor", "Wetter in Köln"],
}


@pytest.fixture(scope="module")
def ceiling():
    sys.path.insert(0, str(SCRIPTS))
    try:
        import clean_ceiling
        import train_clean

        yield clean_ceiling, train_clean
    finally:
        sys.path.remove(str(SCRIPTS))
        for name in ("clean_ceiling", "train_clean", "eval_clean"):
            sys.modules.pop(name, None)


def test_the_article_edges_are_its_first_and_last_annotated_lines(ceiling):
    clean_ceiling, train_clean = ceiling
    data = train_clean.prepare(PAGE)
    above, below = clean_ceiling.article_edges(data)
    rows = np.asarray(data.rows)
    assert list(rows[above]) == [i for i in data.rows if i < 2]
    assert list(rows[below]) == [i for i in data.rows if i > 5] == [6, 7]


@pytest.mark.parametrize(
    ("title", "author", "weather"),
    [
        ("as shipped", True, True),
        ("+ unguarded lines above the article", True, True),
        ("+ unguarded lines below the article", True, False),
        ("+ unguarded lines above and below", True, False),
        ("+ all lines above and below, guarded prose too", False, False),
    ],
)
def test_a_ceiling_row_drops_what_lies_outside_the_article_and_never_the_article(ceiling, title, author, weather):
    clean_ceiling, train_clean = ceiling
    data = train_clean.prepare(PAGE)
    never = np.zeros(len(data.rows))  # a model that drops nothing: the edges alone decide
    above, below = clean_ceiling.article_edges(data)
    rule = clean_ceiling.RULES[title]
    text = train_clean.cleaned(data, rule(data, never > 0, above, below))
    assert (AUTHOR in text, WEATHER in text) == (author, weather)  # the author's box is guarded prose
    out = clean_ceiling.tally([data], [never], [(above, below)], {"de": 0.5, "en": 0.5}, rule)
    assert out["de"].keep == 1.0
    assert out["de"].drop == 1.0 - (author + weather) / 2


def test_bagged_ensembles_average_their_log_odds(ceiling):
    # train_clean --bags K merges K exported ensembles into one: its raw score must be
    # the mean of theirs, so the shipped Trees walker reads it unchanged.
    import numpy as np

    from mtsum.clean.line_model import Trees

    _, train_clean = ceiling

    def stump(feature: int, threshold: float, left: float, right: float, baseline: float) -> dict:
        tree = {"feature": [feature, 0, 0], "threshold": [threshold, 0.0, 0.0], "left": [1, 0, 0],
                "right": [2, 0, 0], "leaf": [False, True, True], "value": [0.0, left, right]}
        return {"trees": [tree], "baseline": baseline, "depth": 1}

    members = [stump(0, 0.5, -1.0, 2.0, 0.25), stump(1, 0.0, 0.5, -3.0, -0.75)]
    x = np.array([[0.0, -1.0], [1.0, 1.0], [0.2, 3.0]])
    merged = Trees.from_dict(train_clean.average(members)).raw(x)
    expected = np.mean([Trees.from_dict(m).raw(x) for m in members], axis=0)
    assert np.allclose(merged, expected)
