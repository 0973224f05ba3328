"""Main-text extraction from HTML pages, delegated to trafilatura.

Deciding what is navigation, footer or advertising in the page is trafilatura's
job here; the paragraph-level cleaning in :mod:`mtsum.clean` runs afterwards on
the text this returns. The page is also flattened whole, one line per block element
(html-text), so that cleaning can put back article lines the extraction missed
(:mod:`mtsum.clean.restore`).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

from mtsum.errors import InputError, MissingDependencyError

__all__ = ["ExtractedPage", "extract_html", "extract_page"]

_INSTALL_HINT = "reading HTML needs trafilatura: pip install 'mtsum[html]'"


@dataclass(frozen=True)
class ExtractedPage:
    """An HTML page read: trafilatura's main text and the whole page as lines."""

    text: str  # the main text: paragraphs separated by blank lines
    lines: tuple[str, ...]  # every text of the page, one line per block element


def extract_html(
    html: str | bytes,
    url: str | None = None,
    *,
    favor_recall: bool = False,
    favor_precision: bool = False,
    fallbacks: bool = True,
) -> str:
    """Return the main text of *html*: paragraphs separated by blank lines.

    The page title comes first when trafilatura finds one that is not already the
    first paragraph. *url* only helps trafilatura's heuristics and metadata. The
    keyword options are trafilatura's (``fallbacks=False`` is its fast mode); the
    defaults are the ones measured best, for scripts/eval_clean.py to compare.
    Raises MissingDependencyError without trafilatura, and InputError when the
    page is empty or no text can be extracted from it.
    """
    return extract_page(html, url, favor_recall=favor_recall, favor_precision=favor_precision,
                        fallbacks=fallbacks, flatten=False).text


def extract_page(
    html: str | bytes,
    url: str | None = None,
    *,
    favor_recall: bool = False,
    favor_precision: bool = False,
    fallbacks: bool = True,
    flatten: bool = True,
) -> ExtractedPage:
    """:func:`extract_html`'s text, and with *flatten* the page's lines (html-text)."""
    try:
        import trafilatura
        from trafilatura.utils import load_html
    except ImportError as e:  # lxml_html_clean missing also surfaces here
        raise MissingDependencyError(f"{_INSTALL_HINT} ({e})") from e

    where = f"{url}: " if url else ""
    if not html.strip():
        raise InputError(f"{where}the HTML document is empty")
    # Parsed once (trafilatura's encoding detection) for both readers; trafilatura
    # works on its own copy of the tree.
    tree = load_html(html)
    lines = _flatten(tree) if flatten and tree is not None else ()

    # Settings chosen with figures (scripts/eval_clean.py --compare, README "Cleaning
    # accuracy"): trafilatura's balanced mode with its fallback extractors kept the most
    # article text on the annotated dev pages and dropped as much boilerplate as
    # favor_recall; favor_precision and the fast mode (no fallbacks) lost article text.
    doc = trafilatura.bare_extraction(
        tree if tree is not None else html,
        url=url,
        favor_recall=favor_recall,
        favor_precision=favor_precision,
        **_fallback_option(trafilatura, fallbacks),
        include_comments=False,
        include_tables=False,
        include_images=False,
        with_metadata=True,
    )
    text, title = _text_and_title(doc)
    paragraphs = _paragraphs(text)
    if not paragraphs:
        # Last resort for fragments without any article structure.
        paragraphs = _paragraphs(trafilatura.html2txt(html))
    if not paragraphs:
        raise InputError(
            f"{where}no article text could be extracted from the HTML; "
            "if the page needs JavaScript, save the rendered page or paste its text"
        )

    title = " ".join(title.split()) if title else ""
    if title and title.casefold() != paragraphs[0].casefold():
        paragraphs.insert(0, title)
    return ExtractedPage("\n\n".join(paragraphs), lines)


# Phrasing elements a browser runs together with their neighbours: only whitespace in
# the source separates them ("<span>D</span>ie" is "Die", "31<span>g</span>" is "31g").
_INLINE = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "font", "i", "kbd", "mark", "q",
    "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var", "wbr",
})


def _flatten(tree: Any) -> tuple[str, ...]:
    """Every text of the page, one line per block element, as a naive scraper saves it.

    html-text cleans the page (scripts, styles, comments) and says which elements
    break the line. Its own text puts a space between any two elements, which splits
    words that inline markup splits (a drop cap); here inline elements join as a
    browser joins them, and other elements (table cells, buttons) are a space apart.
    """
    try:
        import html_text
        from lxml import etree
    except ImportError as e:
        raise MissingDependencyError(f"{_INSTALL_HINT} ({e})") from e
    breaks = html_text.NEWLINE_TAGS | html_text.DOUBLE_NEWLINE_TAGS
    try:
        tree = html_text.cleaner.clean_html(tree)
    except AssertionError:  # lxml's cleaner on some malformed trees (html-text does the same)
        pass
    lines: list[str] = []
    parts: list[str] = []

    def separate(tag: str) -> None:
        if tag in breaks:
            lines.append("".join(parts))
            parts.clear()
        elif tag not in _INLINE:
            parts.append(" ")

    for event, el in etree.iterwalk(tree, events=("start", "end")):
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if event == "start":
            separate(tag)
            parts.append((el.text or "") if tag else "")  # a comment's text is not the page's
        else:
            separate(tag)
            if el is not tree:
                parts.append(el.tail or "")
    lines.append("".join(parts))
    # Not _paragraphs: a newline inside a text node is the source's wrapping, a space
    # on the page; only the elements above break lines.
    return tuple(line for line in (" ".join(text.split()) for text in lines) if line)


def _fallback_option(trafilatura: Any, fallbacks: bool) -> dict[str, bool]:
    # trafilatura 2 renamed no_fallback to fast and warns on the old name.
    if "fast" in inspect.signature(trafilatura.bare_extraction).parameters:
        return {"fast": not fallbacks}
    return {"no_fallback": not fallbacks}


def _text_and_title(doc: Any) -> tuple[str, str]:
    # trafilatura 1.x returns a dict, 2.x a Document object.
    if doc is None:
        return "", ""
    if isinstance(doc, dict):
        return doc.get("text") or "", doc.get("title") or ""
    return getattr(doc, "text", None) or "", getattr(doc, "title", None) or ""


def _paragraphs(text: str | None) -> list[str]:
    return [" ".join(line.split()) for line in (text or "").splitlines() if line.strip()]
