"""Tests for mtsum.io.html: HTML main-text extraction through trafilatura."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from mtsum.errors import InputError, MissingDependencyError
from mtsum.io.html import extract_html, extract_page

DATA = Path(__file__).parent / "data"

needs_trafilatura = pytest.mark.skipif(
    importlib.util.find_spec("trafilatura") is None,
    reason="trafilatura is not installed (pip install 'mtsum[html]')",
)

PAGES = [
    (
        "de_radwege.html",
        [
            "Streit um neue Radwege in Musterstadt",
            (
                "Der Stadtrat hat am Dienstag nach langer Debatte beschlossen, drei neue Radwege "
                "durch die Innenstadt zu bauen."
            ),
            (
                "Die Opposition kritisierte die Kosten von rund vier Millionen Euro als zu hoch und "
                "kündigte Widerstand an."
            ),
            "Der Bau soll im Frühjahr beginnen und etwa zwei Jahre dauern, teilte die Verwaltung mit.",
        ],
        [
            "Startseite",
            "Wirtschaft",
            "Impressum",
            "Datenschutz",
            "Alle Rechte vorbehalten",
        ],
    ),
    (
        # No <h1>: the title comes from <title>, without the site name.
        "sv_bro.html",
        [
            "Ny bro över älven",
            (
                "Kommunfullmäktige i Umeå röstade på måndagskvällen ja till en ny bro över Ume älv, "
                "efter en debatt som pågick i nästan fyra timmar."
            ),
            (
                "Bron beräknas kosta 480 miljoner kronor och ska stå klar 2027. Den ska bara vara "
                "öppen för gång, cykel och kollektivtrafik."
            ),
            "– Det här är det största beslutet vi har fattat på tio år, säger kommunalrådet Eva Ek.",
        ],
        ["Kultur", "Mallorca", "Kontakta oss", "Norrlandsposten", "rättigheter"],
    ),
    (
        "en_fire.html",
        [
            "Fire destroys warehouses in Portside harbour",
            (
                "A fire destroyed three warehouses in Portside harbour overnight, forcing the "
                "evacuation of nearby homes, officials said on Tuesday."
            ),
            # An in-article ad label is left for mtsum.clean to remove.
            "Advertisement",
            (
                "The blaze started shortly after midnight and burned for six hours before "
                "firefighters brought it under control."
            ),
            '"We have never seen anything like it," said fire chief Tom Baker. No one was injured.',
        ],
        [
            "Skip to main content",
            "Sign in",
            "Share on",
            "Related stories",
            "Privacy",
            "Copyright",
        ],
    ),
]


@needs_trafilatura
@pytest.mark.parametrize(("name", "paragraphs", "absent"), PAGES)
def test_main_text_in_blank_line_separated_paragraphs(
    name: str, paragraphs: list[str], absent: list[str]
) -> None:
    html = (DATA / name).read_text(encoding="utf-8")
    text = extract_html(html)
    assert text.split("\n\n") == paragraphs
    for word in absent:
        assert word not in text


@needs_trafilatura
def test_page_lines_join_inline_markup_as_a_browser_does() -> None:
    page = extract_page(
        "<html><head><title>Bruecke</title><style>p{}</style></head><body>"
        "<nav><ul><li><a href='/'>Start</a></li><li><a href='/lokales'>Lokales</a></li></ul></nav>"
        "<h1>Neue Br\u00fccke</h1>"
        "<p><span class='dropcap'>D</span>ie Stadt hat <b>heute</b> beschlossen,\ndie Br\u00fccke zu "
        "<em>erneuern</em>.</p><!-- ad slot -->"
        "<table><tr><td>Kosten</td><td>3 Mio.</td></tr></table>"
        "<p>Gewicht: <span>31</span><span>t</span><br>Stand: Mai</p>"
        "<script>var x = 'nicht Text';</script></body></html>"
    )
    assert page.lines == (
        "Bruecke", "Start", "Lokales", "Neue Br\u00fccke",
        # Not "D ie" (html-text's own text), and the source's line wrap is a space.
        "Die Stadt hat heute beschlossen, die Br\u00fccke zu erneuern.",
        "Kosten 3 Mio.",  # table cells a space apart, one line per row
        "Gewicht: 31t Stand: Mai",  # a lone <br> joins (join_soft_breaks)
    )


@needs_trafilatura
def test_bytes_and_url_are_accepted() -> None:
    raw = (DATA / "de_radwege.html").read_bytes()
    text = extract_html(raw, url="https://example.de/lokales/radwege")
    assert text.startswith("Streit um neue Radwege in Musterstadt\n\nDer Stadtrat")
    assert "Frühjahr" in text  # decoded as UTF-8


@needs_trafilatura
def test_title_is_not_repeated_when_it_opens_the_text() -> None:
    text = extract_html((DATA / "de_radwege.html").read_text(encoding="utf-8"))
    assert text.count("Streit um neue Radwege in Musterstadt") == 1


@needs_trafilatura
def test_extracted_text_feeds_the_cleaner() -> None:
    from mtsum.clean import clean_paragraphs

    text = extract_html((DATA / "en_fire.html").read_text(encoding="utf-8"))
    result = clean_paragraphs(text.split("\n\n"), "en")
    assert result.title == "Fire destroys warehouses in Portside harbour"
    assert [(r.text, r.rule) for r in result.removed] == [("Advertisement", "common:ad_marker")]
    assert len(result.paragraphs) == 3


@needs_trafilatura
@pytest.mark.parametrize(
    "html",
    [
        "",
        "   \n ",
        b"",
        "garbage <<<",
        b"\x00\x01\x02\xff",
        "<html><body></body></html>",
        "<html><head><title>Only a title</title></head><body></body></html>",
        "<html><body><script>var x = 1;</script><style>p {}</style></body></html>",
        '<div><nav><a href="/">Home</a><a href="/news">News</a></nav></div>',
    ],
)
def test_nothing_to_extract_raises_input_error(html: str | bytes) -> None:
    with pytest.raises(InputError):
        extract_html(html)


@needs_trafilatura
def test_input_error_names_the_url() -> None:
    with pytest.raises(InputError, match=r"^https://example\.com/x: .*no article text"):
        extract_html("<html><body></body></html>", url="https://example.com/x")


def test_missing_trafilatura_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "trafilatura", None)  # makes the import fail
    with pytest.raises(MissingDependencyError, match=r"pip install 'mtsum\[html\]'"):
        extract_html("<p>Hej</p>")


_FILLER = ("<p>Der Stadtrat hat am Dienstag nach langer Debatte beschlossen, drei neue Radwege durch die "
           "Innenstadt zu bauen.</p>")


@needs_trafilatura
@pytest.mark.parametrize(("table", "expected"), [
    # A layout table's one cell is a plain paragraph.
    ("<table><tr><td>Die Bauarbeiten sollen im kommenden Frühjahr beginnen und drei Jahre dauern.</td></tr></table>",
     ["Die Bauarbeiten sollen im kommenden Frühjahr beginnen und drei Jahre dauern."]),
    # A data table: one paragraph per row, cells apart, no header rule.
    ("<table><thead><tr><th>Stadt</th><th>Einwohner</th></tr></thead>"
     "<tr><td>Berlin</td><td>3,6 Mio.</td></tr><tr><td>Hamburg</td><td>1,8 Mio.</td></tr></table>",
     ["Stadt | Einwohner", "Berlin | 3,6 Mio.", "Hamburg | 1,8 Mio."]),
])
def test_tables_are_kept_as_paragraphs_without_markdown(table: str, expected: list[str]) -> None:
    closing = _FILLER.replace("Radwege", "Brücken")
    html = f"<html><body><article><h1>Neue Radwege</h1>{_FILLER}{table}{closing}</article></body></html>"
    paragraphs = extract_html(html).split("\n\n")
    assert paragraphs[2:-1] == expected
