"""Headings in the digest: the article's English headline, else its first sentence, else none.

A heading that repeats the summary below it says nothing, so an article without a
usable headline gets its first sentence only where the summary does not already start
with it, and no heading otherwise (the page then names the file). Lines that are code
or list items (scraped pages are full of both) are never a heading.
"""

from __future__ import annotations

import re

MAX_CHARS = 90
# How far into an article a first sentence is looked for.
_PARAGRAPHS = 3

_BULLET = re.compile(r"^\s*[-*•‣◦▪·]\s")
_CODE_CHARS = re.compile(r"[=(){};]")
_CAMEL_CASE = re.compile(r"\b[a-z]+[A-Z]")  # camelCase, getElementById
_WORDS = re.compile(r"\w+")


def headline_ok(text: str | None) -> bool:
    """Could ``text`` be a headline? Not a list item, not a line of code, not empty."""
    if not text or not text.strip():
        return False
    line = " ".join(text.split())
    return not (_BULLET.match(line) or _CODE_CHARS.search(line) or _CAMEL_CASE.search(line)) \
        and any(ch.isalpha() for ch in line)


def entry_title(title: str | None, translation: str, summary: str) -> str | None:
    """The heading for one article: its headline, else its first sentence if the summary
    does not repeat it, else None."""
    if headline_ok(title):
        return " ".join((title or "").split())
    first = first_sentence(translation)
    if first is None or f" {_normal(first)} " in f" {_normal(summary)} ":
        return None
    return shorten(first)


def first_sentence(text: str) -> str | None:
    """The first sentence, among the first paragraphs, that could be a headline."""
    from mtsum.text.segment import split_sentences

    for para in [p for p in text.split("\n\n") if p.strip()][:_PARAGRAPHS]:
        sentences = split_sentences(" ".join(para.split()), "en")
        if sentences and headline_ok(sentences[0]):
            return sentences[0].strip()
    return None


def shorten(text: str, limit: int = MAX_CHARS) -> str:
    """At most ``limit`` characters, cut at a word with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(",;:") + " …"


def _normal(text: str) -> str:
    return " ".join(_WORDS.findall(text.casefold()))
