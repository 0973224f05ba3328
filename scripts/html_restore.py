"""Put back article lines an HTML extraction missed, from the page around the article.

Trafilatura keeps at most 0.964 (German) and 0.899 (English) of the annotated article
snippets of the dev pages in any of its settings (README, "Cleaning accuracy"): a
list, a fact box or a paragraph in an unusual container is lost with the page's
furniture. The page is therefore also read whole, one line per block element
(:func:`mtsum.io.html.extract_page`), and its lines around the extracted article
(:func:`scoring_window`) are scored by the same line model that cleans scraped
text. Lines it is sure are article text (P(boilerplate) below the model's restore
threshold for the language, :func:`restore_below`) and that the extraction lacks are
inserted where they stand on the page; cleaning then runs over the merged
paragraphs as usual, so the rules still have their say over a restored line.

Not part of mtsum's HTML path any more (:mod:`mtsum.clean.extracted`): on held-out
pages the lines it put back were more often menus and teasers than article text
(``scripts/eval_html.py --steps``). It lives here, beside the scripts that use it:
scripts/train_clean.py fits its thresholds (kept in the line model file), and
scripts/eval_clean.py and scripts/eval_html.py score the old HTML path with it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from mtsum.clean import line_scores, normalize_paragraph

__all__ = ["Restored", "restore_article_lines", "restore_below", "scoring_window", "window_scores"]

# How far past the last placed paragraph the next one is looked for: extraction and
# flattening keep the page's order, and a bound keeps a huge page linear.
_LOOKAHEAD = 400
# The span grows over sure lines at most this many lines apart: an article that goes
# on past the extraction's end, past a small table or fact box trafilatura stopped at;
# the heading, name and date lines above comments stop it. Held out at the shipped
# thresholds (scripts/train_clean.py's folds), German keeps 0.968 / drops 0.917 with
# 2, 0.971 / 0.911 with 4, 0.976 / 0.908 with 8 (English the same for all): 4 is the
# smallest that keeps 0.97, as the thresholds are the lowest that do.
_GAP = 4
# Only the span and this many lines either side of it are scored: nothing further
# away can come back unless the span grows over sure lines all the way there, and
# scoring is most of the time HTML cleaning takes (a page has some 185 lines, an
# article's span a few dozen). The line model reads a line mostly in its
# neighbourhood (8 lines either side at most). Held out, 25 kept what the whole page
# kept, at a cost of one English boilerplate snippet in 243; 10 lost German boilerplate
# (README, "Cleaning accuracy").
_AROUND = 25


@dataclass(frozen=True)
class Restored:
    """The extracted paragraphs with the restored page lines among them, in page order."""

    paragraphs: list[str]
    origin: list[int | None]  # the extracted paragraph's index; None for a restored line

    @property
    def restored(self) -> list[int]:
        """Indices (in :attr:`paragraphs`) of the lines put back from the page."""
        return [i for i, o in enumerate(self.origin) if o is None]


def restore_article_lines(
    paragraphs: Sequence[str],
    page_lines: Sequence[str],
    language: str,
    *,
    extra_rules: Iterable[str | os.PathLike[str]] | None = None,
    below: float | None = None,
    scores: Mapping[int, float] | None = None,
) -> Restored:
    """Merge into *paragraphs* the lines of *page_lines* the line model is sure are article text.

    A line is sure below *below*, by default :func:`restore_below` of *language*.
    *scores* are the line model's P(boilerplate) of *page_lines* by index when already
    known (scripts/train_clean.py passes held-out ones); else the lines of
    :func:`scoring_window` are scored, as a page of their own.
    """
    unchanged = Restored(list(paragraphs), list(range(len(paragraphs))))
    if not page_lines:
        return unchanged
    if below is None:
        below = restore_below(language)
    lines = [_key(line) for line in page_lines]
    keys = [_key(p) for p in paragraphs]
    # Only inside the extracted article's span: comments, sidebars and footers around
    # it are what the extraction rightly left out.
    positions, on_page = _placement(keys, lines)
    if not on_page:
        return unchanged
    if scores is None:
        scores = window_scores(page_lines, _window(on_page, len(page_lines)), language, extra_rules=extra_rules)
    sure = sorted(i for i, p in scores.items() if p < below)
    if not sure:
        return unchanged
    extracted = " ".join(keys)
    covered = set(positions)
    first, last = _grow((min(on_page), max(on_page)), sure)
    # (page position, paragraphs before lines at one position, order) sorts both kinds into page order.
    items = [(pos, 0, k) for k, pos in enumerate(positions)]
    items += [(i, 1, i) for i in sure
              if first <= i <= last and i not in covered and lines[i] and lines[i] not in extracted]
    items.sort()
    return Restored(
        [paragraphs[k] if kind == 0 else page_lines[k] for _, kind, k in items],
        [k if kind == 0 else None for _, kind, k in items],
    )


def scoring_window(paragraphs: Sequence[str], page_lines: Sequence[str]) -> range:
    """The *page_lines* :func:`restore_article_lines` scores: the extracted article's
    span and :data:`_AROUND` lines either side (empty where no paragraph is found)."""
    on_page = _placement([_key(p) for p in paragraphs], [_key(line) for line in page_lines])[1]
    return _window(on_page, len(page_lines))


def window_scores(
    page_lines: Sequence[str],
    window: range,
    language: str,
    *,
    extra_rules: Iterable[str | os.PathLike[str]] | None = None,
) -> dict[int, float]:
    """The line model's P(boilerplate) of the *window* of *page_lines*, scored as a
    page of their own, by index in *page_lines*."""
    scored = line_scores(page_lines[window.start : window.stop], language, extra_rules=extra_rules)
    return {window.start + i: p for i, p in scored.items()}


def _window(on_page: list[int], n: int) -> range:
    if not on_page:
        return range(0)
    return range(max(0, min(on_page) - _AROUND), min(n, max(on_page) + _AROUND + 1))


def restore_below(language: str) -> float:
    """The line model's restore threshold for *language* (0.0, nothing restored, without a model).

    Chosen with the model (scripts/train_clean.py, README "Cleaning accuracy"):
    per language the lowest at which, on sites the model never saw, trafilatura's text
    with the lines restored keeps 0.97 of the article; higher ones bring menus and
    teasers back. Other languages get the highest, keeping the most.
    """
    from mtsum.clean import line_model

    model = line_model.current()
    return model.restore_threshold_for(language) if model is not None else 0.0


def _key(text: str) -> str:
    # trafilatura writes a list item as "- item"; the flattened page has "item".
    return " ".join(normalize_paragraph(text).split()).removeprefix("- ")


def _grow(span: tuple[int, int], sure: list[int]) -> tuple[int, int]:
    first, last = span
    if first > last:
        return span
    for i in sure:  # ascending
        if last < i <= last + _GAP + 1:
            last = i
    for i in reversed(sure):
        if first - _GAP - 1 <= i < first:
            first = i
    return first, last


def _placement(keys: list[str], lines: list[str]) -> tuple[list[int], list[int]]:
    """:func:`_positions` of the paragraph *keys* in the page *lines*, and the positions
    of the paragraphs found there (the extracted article's span on the page)."""
    positions, placed = _positions(keys, lines)
    return positions, [pos for pos, found in zip(positions, placed) if found]


def _positions(paragraphs: list[str], lines: list[str]) -> tuple[list[int], list[bool]]:
    """The page line each paragraph starts on, in order, and whether it was found there;
    one not found stays by its predecessor."""
    exact: dict[str, int] = {}
    for i, line in enumerate(lines):
        exact.setdefault(line, i)
    out, placed, cursor = [], [], 0
    for para in paragraphs:
        head = para[:60]
        found = exact.get(para)
        if found is None or found < cursor:
            found = next((j for j in range(cursor, min(len(lines), cursor + _LOOKAHEAD))
                          if head and (head in lines[j] or (len(lines[j]) > 15 and lines[j] in para))), None)
        if found is not None:
            cursor = found
        out.append(cursor)
        placed.append(found is not None)
    return out, placed
