"""One input-format rule everywhere: the Python API reads HTML as the CLI does, and
takes the CLI's options as keyword arguments (an unknown one is a ConfigError)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

import mtsum
from mtsum.io.inputs import INPUT_FORMATS, text_document

needs_trafilatura = pytest.mark.skipif(
    importlib.util.find_spec("trafilatura") is None,
    reason="trafilatura is not installed (pip install 'mtsum[html]')",
)

BODY = (
    "<nav><a href='/'>Startseite</a> <a href='/politik'>Politik</a></nav>"
    "<article><h1>Streit um neue Radwege in Musterstadt</h1>"
    "<p>Der Stadtrat hat am Dienstag nach langer Debatte beschlossen, drei neue Radwege durch die "
    "Innenstadt zu bauen.</p>"
    "<p>Die Opposition kritisierte die Kosten von rund vier Millionen Euro als zu hoch und kündigte "
    "Widerstand an.</p>"
    "<p>Der Bau soll im Frühjahr beginnen und etwa zwei Jahre dauern, teilte die Verwaltung mit.</p>"
    "</article><footer>Impressum</footer>"
)
PAGE = f"<!DOCTYPE html>\n<html lang='de'><head><title>Radwege</title></head><body>{BODY}</body></html>"

# (text, input_format, format the document is read as)
FORMATS = [
    (PAGE, "auto", "html"),
    ("  \n" + PAGE.replace("<!DOCTYPE html>", "<!doctype html>"), "auto", "html"),
    (PAGE.replace("<!DOCTYPE html>\n", ""), "auto", "html"),  # starts with <html
    (BODY, "html", "html"),  # a fragment, said to be HTML
    ("Der Stadtrat hat beschlossen.\n\nDie Opposition kritisierte die Kosten.", "auto", "text"),
    ("Der Stadtrat hat beschlossen, <b>drei</b> Radwege zu bauen.", "auto", "text"),  # markup mid-text
    (PAGE, "text", "text"),  # forced: the page's source is the text
]


@needs_trafilatura
@pytest.mark.parametrize(("text", "input_format", "expected"), FORMATS)
def test_text_document_decides_as_the_cli(text: str, input_format: str, expected: str) -> None:
    doc = text_document(text, input_format=input_format)
    assert doc.format == expected
    if expected == "html":
        assert "<" not in doc.text and "Startseite" not in doc.text and "Radwege" in doc.text


@needs_trafilatura
def test_cli_reads_a_doctype_file_as_the_api_does(tmp_path: Path) -> None:
    from mtsum.io.inputs import read_input

    path = tmp_path / "page.txt"  # no .html suffix: the text decides
    path.write_text(PAGE, encoding="utf-8")
    assert read_input(str(path)) == text_document(PAGE, str(path))


@needs_trafilatura
@pytest.mark.parametrize("input_format", ["auto", "html"])
def test_clean_text_reads_a_page_as_html(input_format: str) -> None:
    result = mtsum.clean_text(PAGE, input_format=input_format)
    assert result.settings["input_format"] == "html" and result.source_language == "de"
    assert result.title == "Streit um neue Radwege in Musterstadt"
    assert all("<" not in p for p in result.paragraphs)
    assert not any("Startseite" in p or "Impressum" in p for p in result.paragraphs)


def test_clean_text_as_text_keeps_plain_text_plain() -> None:
    line = "Der Stadtrat hat am Dienstag nach langer Debatte beschlossen, drei neue Radwege zu bauen."
    text = f"{line}\n\n{line}"
    assert mtsum.clean_text(text, input_format="text").settings["input_format"] == "text"


CALLS = [
    lambda fmt: mtsum.clean_text(PAGE, input_format=fmt),
    lambda fmt: mtsum.translate_text(PAGE, input_format=fmt),
    lambda fmt: mtsum.summarize_text(PAGE, input_format=fmt),
]


@pytest.mark.parametrize("call", CALLS, ids=["clean_text", "translate_text", "summarize_text"])
@pytest.mark.parametrize("bad", ["htm", "HTML", "", "markdown"])
def test_unknown_input_format_is_a_config_error_naming_the_choices(call, bad: str) -> None:
    # Checked before any model is looked for: no models needed here.
    with pytest.raises(mtsum.ConfigError) as err:
        call(bad)
    assert all(choice in str(err.value) for choice in INPUT_FORMATS)


@pytest.mark.parametrize("call", [
    lambda **kw: mtsum.translate_text("Der Stadtrat hat beschlossen.", **kw),
    lambda **kw: mtsum.summarize_text("Der Stadtrat hat beschlossen.", **kw),
], ids=["translate_text", "summarize_text"])
def test_unknown_keyword_is_a_config_error_not_a_type_error(call) -> None:
    with pytest.raises(mtsum.ConfigError, match=r"unknown setting\(s\) 'colour'.*backend"):
        call(colour="red")


@needs_trafilatura
def test_translate_text_reads_a_page_as_html(tiny_models: Path) -> None:
    result = mtsum.translate_text(PAGE, models=tiny_models)
    assert result.source_language == "de"
    sources = [p.source for p in result.paragraphs]
    assert sources[0] == "Streit um neue Radwege in Musterstadt"
    assert all("<" not in s for s in sources) and "Impressum" not in sources


@needs_trafilatura
def test_translate_text_takes_clean_as_the_cli_does(tiny_models: Path) -> None:
    text = "\n\n".join([
        "Der Stadtrat hat am Dienstag nach langer Debatte beschlossen, drei neue Radwege zu bauen.",
        "Anzeige",
        "Die Opposition kritisierte die Kosten von rund vier Millionen Euro als zu hoch.",
    ])
    plain = mtsum.translate_text(text, models=tiny_models)
    cleaned = mtsum.translate_text(text, models=tiny_models, clean=True)
    assert len(plain.paragraphs) == 3 and plain.removed is None
    assert [r.text for r in cleaned.removed] == ["Anzeige"]
    assert [p.source for p in cleaned.paragraphs] == [plain.paragraphs[0].source, plain.paragraphs[2].source]


@needs_trafilatura
def test_summarize_text_reads_a_page_as_html(tiny_models: Path) -> None:
    result = mtsum.summarize_text(PAGE, models=tiny_models, summarizer="extractive")
    assert result.source_language == "de" and result.source_title == "Streit um neue Radwege in Musterstadt"
    assert "<" not in result.summary
