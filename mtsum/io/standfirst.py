"""The standfirst: the lead paragraph under a headline, which extraction often misses.

News pages set their lead (German *Teaser* or *Vorspann*, Swedish *ingress*) apart from
the body, in the page header beside the headline, and trafilatura's extraction, which
looks for the body, leaves it out on many of them. The page's own description (its
``description`` or ``og:description`` meta tag) is usually that very lead. So a lead
is put back only where the page shows its description as a block of its own: that
block's visible text, whole, goes before the body. A description the page does not
show (a search snippet, a summary written for social media) adds nothing, and neither
does an English page's, whose standfirst is a subtitle.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["find_standfirst"]

# A description this short is a label ("Nachrichten aus Berlin"), not a lead.
_MIN_WORDS = 8
# The block may run past its description (a truncated meta text) by this share.
_LONGER = 1.5
# Elements whose text a reader never sees, or sees as something else than a paragraph.
_SKIPPED = frozenset({"script", "style", "noscript", "template", "title", "head", "meta", "nav", "footer",
                      "aside", "button", "form", "select", "option", "figcaption"})
_BLOCKS = ("p", "div", "h2", "h3", "h4", "section", "header", "span", "strong", "b", "em", "summary")


def find_standfirst(tree: Any, description: str | None, paragraphs: Sequence[str]) -> str | None:
    """The visible text of the page's lead block when *paragraphs* (the extraction) lack it.

    *tree* is the parsed page (lxml), *description* the page's meta description. None when
    the description is short, already among *paragraphs*, or not shown on the page, and
    on a page declared English.
    """
    # A meta text cut short ends in an ellipsis the page does not show.
    want = _norm(description or "").rstrip(".… ")
    if len(want.split()) < _MIN_WORDS or tree is None or _declared_english(tree):
        return None
    extracted = _norm(" ".join(paragraphs))
    # A lead trafilatura did extract, whole or in part (its first words), is not added twice.
    if want in extracted or " ".join(want.split()[:_MIN_WORDS]) in extracted:
        return None
    if want not in _norm(tree.text_content()):  # the usual case, found at the cost of one pass
        return None
    best: str | None = None
    for el in tree.iter(*_BLOCKS):
        text = " ".join(el.text_content().split())
        if len(text) > _LONGER * len(want) + 40 or want not in text.casefold():
            continue
        if (best is None or len(text) < len(best)) and not _hidden(el):
            best = text
    return best


def _declared_english(tree: Any) -> bool:
    # An English page's standfirst is a subtitle (the "dek"), which English ground truths
    # leave out; a German Vorspann or a Swedish ingress is the article's first paragraph.
    root = tree.getroottree().getroot()
    lang = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang") or ""
    return lang.strip().lower().startswith("en")


def _hidden(el: Any) -> bool:
    for node in el.iterancestors():
        if isinstance(node.tag, str) and node.tag.lower() in _SKIPPED:
            return True
    return False


def _norm(text: str) -> str:
    # Case and spacing differ between a meta tag and the block that shows it.
    return " ".join(text.split()).casefold()
