"""Main-text extraction from HTML pages, delegated to trafilatura.

Deciding what is navigation, footer, comments or advertising in the page is
trafilatura's job: its extraction is the starting point of mtsum's HTML path, and
only the cleaning steps that pay for themselves on held-out pages run after it
(:mod:`mtsum.clean.extracted`). Before extraction the lines of one block are joined
(:func:`join_soft_breaks`), so a ``<br>`` inside a paragraph does not split it.
With *flatten*, :func:`extract_page` also gives the page whole, one line per block
element (html-text), for scripts/html_restore.py and the training scripts.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from typing import Any

from mtsum.errors import InputError, MissingDependencyError
from mtsum.io.standfirst import find_standfirst

__all__ = ["ExtractedPage", "extract_html", "extract_page", "join_soft_breaks"]

_INSTALL_HINT = "reading HTML needs trafilatura: pip install 'mtsum[html]'"


@dataclass(frozen=True)
class ExtractedPage:
    """An HTML page read: trafilatura's main text and the whole page as lines."""

    text: str  # the main text: paragraphs separated by blank lines
    lines: tuple[str, ...]  # every text of the page, one line per block element
    title: str = ""  # the page's title as trafilatura found it ("" without one)


def extract_html(
    html: str | bytes,
    url: str | None = None,
    *,
    favor_recall: bool = False,
    favor_precision: bool = False,
    fallbacks: bool = True,
    include_tables: bool = True,
    soft_breaks: bool = True,
    standfirst: bool = True,
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
                        fallbacks=fallbacks, include_tables=include_tables, soft_breaks=soft_breaks,
                        standfirst=standfirst, flatten=False).text


def extract_page(
    html: str | bytes,
    url: str | None = None,
    *,
    favor_recall: bool = False,
    favor_precision: bool = False,
    fallbacks: bool = True,
    include_tables: bool = True,
    soft_breaks: bool = True,
    flatten: bool = True,
    standfirst: bool = True,
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
    if soft_breaks and tree is not None:
        join_soft_breaks(tree)
    lines = _flatten(tree) if flatten and tree is not None else ()

    # Settings chosen on the dev pages and checked held out (scripts/eval_html.py
    # --compare --steps, README "Cleaning accuracy"): the balanced mode with its fallback
    # extractors; comments out (dev drops 0.909 to 0.923 German, 0.790 to 0.815 English);
    # tables in (dev English keeps 0.888 to 0.933; a layout table holds article text).
    # favor_precision lost article text everywhere (held-out token recall 0.93 to 0.94
    # against 0.95 to 0.96).
    doc = trafilatura.bare_extraction(
        tree if tree is not None else html,
        url=url,
        favor_recall=favor_recall,
        favor_precision=favor_precision,
        **_fallback_option(trafilatura, fallbacks),
        include_comments=False,
        include_tables=include_tables,
        include_images=False,
        with_metadata=True,
    )
    text, title = _field(doc, "text"), _field(doc, "title")
    paragraphs = _paragraphs(text)
    if standfirst and paragraphs:
        lead = find_standfirst(tree, _field(doc, "description"), paragraphs)
        if lead:
            paragraphs.insert(0, lead)
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
    return ExtractedPage("\n\n".join(paragraphs), lines, title)


def join_soft_breaks(tree: Any) -> None:
    """Join the lines of one block into one paragraph, in place: a lone ``<br>`` and
    the source's newlines become spaces; a run of ``<br>`` becomes one.

    Trafilatura writes every ``<br>`` as a line break and keeps the source's newlines
    inside a ``<div>``'s text, and one line is one paragraph to mtsum: "Seit<br>die
    schwedische Klimaaktivistin ..." became a paragraph "Seit", translated alone. A
    lone break is line wrapping inside one paragraph; two or more in a row
    (``<br><br>``) are how pages without ``<p>`` separate paragraphs, and trafilatura
    makes one break of them, which stays. Preformatted text keeps its lines.
    """
    kept = {el for pre in tree.iter("pre", "textarea") for el in pre.iter()}
    for el in tree.iter():
        # Whitespace alone is left as it is unless it follows an inline element ("<b>Seit</b>
        # <b>die</b>"): between blocks it is the source's indentation, and trafilatura,
        # given it collapsed, lost whole paragraphs of a page (salon.com, 2,300 characters).
        if el not in kept:
            if isinstance(el.tag, str) and el.text and "\n" in el.text and not el.text.isspace():
                el.text = _NEWLINES.sub(" ", el.text)
            if el.tail and "\n" in el.tail and (not el.tail.isspace() or _inline(el)):
                el.tail = _NEWLINES.sub(" ", el.tail)
    for br in list(tree.iter("br")):
        if br.getparent() is None or br in kept:  # removed with a run before it; or in <pre>
            continue
        run = [br]
        while not (run[-1].tail or "").strip():
            nxt = run[-1].getnext()
            if nxt is None or nxt.tag != "br":
                break
            run.append(nxt)
        if len(run) == 1:
            _remove_keeping_tail(br, " ")
        else:
            br.tail = run[-1].tail
            for extra in run[1:]:
                extra.getparent().remove(extra)


_NEWLINES = re.compile(r"\s*[\r\n]\s*")


def _inline(el: Any) -> bool:
    return isinstance(el.tag, str) and el.tag.lower() in _INLINE


def _remove_keeping_tail(el: Any, sep: str) -> None:
    text = sep + (el.tail or "")
    prev, parent = el.getprevious(), el.getparent()
    if prev is not None:
        prev.tail = (prev.tail or "") + text
    else:
        parent.text = (parent.text or "") + text
    parent.remove(el)


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


def _field(doc: Any, name: str) -> str:
    # trafilatura 1.x returns a dict, 2.x a Document object.
    if doc is None:
        return ""
    return (doc.get(name) if isinstance(doc, dict) else getattr(doc, name, None)) or ""


def _paragraphs(text: str | None) -> list[str]:
    """One paragraph per line; a table row ("| Berlin | 3,6 Mio. |", trafilatura's
    Markdown) loses its outer bars and the header rule ("|---|---|") goes: a layout
    table's one cell is a plain paragraph, a data table's row stays readable."""
    out = []
    for line in (text or "").splitlines():
        line = " ".join(line.split())
        if line.startswith("|") and line.endswith("|"):
            line = "" if _TABLE_RULE.fullmatch(line) else line[1:-1].strip()
        if line:
            out.append(line)
    return out


_TABLE_RULE = re.compile(r"[|:\- ]+")
