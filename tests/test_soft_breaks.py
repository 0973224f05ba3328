"""HTML: a soft line break inside one block joins into one paragraph; ``<br><br>`` and
block boundaries still separate paragraphs (mtsum.io.html.join_soft_breaks)."""

from __future__ import annotations

import importlib.util

import pytest

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("trafilatura") is None,
    reason="trafilatura is not installed (pip install 'mtsum[html]')",
)

BEFORE = ("Der Stadtrat hat am Dienstag nach langer Debatte beschlossen, drei neue Radwege durch die "
          "Innenstadt zu bauen.")
AFTER = ("Die Opposition kritisierte die Kosten von rund vier Millionen Euro als zu hoch und kündigte "
         "Widerstand an.")
SEIT = "Seit die schwedische Klimaaktivistin Greta Thunberg streikt, gehen weltweit Schüler auf die Straße."
KURZ = "Seit langem streikt sie für das Klima in Schweden."

# (the block between two article paragraphs, the paragraphs mtsum must make of it)
CASES = [
    # Soft breaks: one paragraph.
    ("<p>Seit<br>die schwedische Klimaaktivistin Greta Thunberg streikt, gehen weltweit Schüler auf die "
     "Straße.</p>", [SEIT]),
    ("<p>Seit<br/>\n   die schwedische Klimaaktivistin Greta Thunberg streikt, gehen weltweit Schüler auf "
     "die Straße.</p>", [SEIT]),
    ("<p>Seit\ndie schwedische Klimaaktivistin Greta Thunberg streikt, gehen weltweit Schüler auf die "
     "Straße.</p>", [SEIT]),
    ("<div>Seit\n   die <b>schwedische</b> Klimaaktivistin Greta Thunberg streikt, gehen weltweit\n"
     "Schüler auf die Straße.</div>", [SEIT]),
    ("<div>Seit<br>die <b>schwedische</b><br>Klimaaktivistin Greta Thunberg streikt, gehen weltweit Schüler "
     "auf die Straße.</div>", [SEIT]),
    ("<p><br>Seit die schwedische Klimaaktivistin Greta Thunberg streikt, gehen weltweit Schüler auf die "
     "Straße.<br></p>", [SEIT]),
    # Hard breaks: two paragraphs.
    (f"<p>{KURZ}<br><br>{SEIT}</p>", [KURZ, SEIT]),
    (f"<p>{KURZ}<br> &nbsp;\n<br />{SEIT}</p>", [KURZ, SEIT]),
    (f"<p>{KURZ}<br><br><br><br>{SEIT}</p>", [KURZ, SEIT]),
    (f"<p>{KURZ}</p><p>{SEIT}</p>", [KURZ, SEIT]),
    (f"<div>{KURZ}</div>\n<div>{SEIT}</div>", [KURZ, SEIT]),
    # Both in one block.
    (f"<p>Seit langem streikt sie<br>für das Klima in Schweden.<br><br>{SEIT}</p>", [KURZ, SEIT]),
]


def _page(block: str) -> str:
    return (
        "<html><head><title>Klimastreik</title></head><body><article>"
        "<h1>Schüler streiken für das Klima</h1>"
        f"<p>{BEFORE}</p>{block}<p>{AFTER}</p></article></body></html>"
    )


@pytest.mark.parametrize(("block", "expected"), CASES)
def test_soft_breaks_join_hard_breaks_separate(block: str, expected: list[str]) -> None:
    from mtsum.io.html import extract_html

    paragraphs = extract_html(_page(block)).split("\n\n")
    start = paragraphs.index(BEFORE) + 1
    assert paragraphs[start:paragraphs.index(AFTER)] == expected


def test_preformatted_text_keeps_its_lines() -> None:
    from mtsum.io.html import extract_html

    paragraphs = extract_html(_page("<pre>total = 1\nprint(total)</pre>")).split("\n\n")
    assert "total = 1" in paragraphs and "print(total)" in paragraphs


@pytest.mark.parametrize(("html", "expected"), [
    ("<p>a<br>b</p>", "<p>a b</p>"),
    ("<p>a<br><br>b</p>", "<p>a<br>b</p>"),
    ("<p>a<br>\n<br>\nb</p>", "<p>a<br> b</p>"),
    ("<p><i>a</i><br>b</p>", "<p><i>a</i> b</p>"),
    ("<p>a\n  b</p>", "<p>a b</p>"),
    ("<pre>a\nb<br>c</pre>", "<pre>a\nb<br>c</pre>"),
    # Indentation between blocks stays; after an inline element it is a space.
    ("<div>\n  <p>a</p>\n  <p>b</p>\n</div>", "<div>\n  <p>a</p>\n  <p>b</p>\n</div>"),
    ("<p><b>a</b>\n  <b>b</b></p>", "<p><b>a</b> <b>b</b></p>"),
])
def test_join_soft_breaks_in_the_tree(html: str, expected: str) -> None:
    from lxml import html as lxml_html

    from mtsum.io.html import join_soft_breaks

    tree = lxml_html.fragment_fromstring(html)
    join_soft_breaks(tree)
    assert lxml_html.tostring(tree, encoding="unicode") == expected


def test_indentation_between_paragraphs_loses_no_paragraph() -> None:
    """A held-out page (readability's salon.com test page) lost four paragraphs, 2,300
    characters, when the whitespace between its indented blocks was collapsed."""
    import gzip
    import json
    from pathlib import Path

    from mtsum.io.html import extract_html

    corpus = Path(__file__).resolve().parent.parent / "data" / "cleaning" / "readability.jsonl.gz"
    with gzip.open(corpus, "rt", encoding="utf-8") as f:
        page = next(p for p in map(json.loads, f) if p["site"] == "salon.com")
    text = extract_html(page["html"])
    for start in ("In the midst of the fear, Uber stepped in", "As Mashable reports,",
                  "What can we learn from this incident?"):
        assert start in text
