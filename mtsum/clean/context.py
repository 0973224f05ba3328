"""Per-line context for the line model (:mod:`mtsum.clean.line_model`): sums over a
line's neighbours, its place in the page's prose and main block, how much it shares the
prose's topic, and the prose guard (the lines the model never drops)."""

from __future__ import annotations

import functools
import itertools
import math
import re
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from mtsum.clean.features import Block

__all__ = ["between_prose", "block_columns", "prose_guard", "prose_mass", "topic_overlap", "window_sum"]

# Lines a short sentence may stand from guarded prose and still count as the article.
_NEAR_PROSE = 2


def window_sum(values: np.ndarray, k: int) -> np.ndarray:
    """Per row, the column sums over the rows within *k* of it, the row itself excluded."""
    # Shifted adds, not differences of cumulative sums: a row's sum then depends on its
    # window's values alone, to the last bit, so the lexical columns of the lines
    # cleaning weighs come out the same whether or not the lines no window of theirs
    # reaches were scored (lexical_columns' *only*). 2k adds of a page's rows.
    out = np.zeros(values.shape)
    for d in range(1, min(k, len(values) - 1) + 1):
        out[d:] += values[:-d]
        out[:-d] += values[d:]
    return out


def prose_mass(mass: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per line, the share of the page's prose characters above it and below it: a soft
    place in the article, where the main block's edges are hard and often run past it."""
    total = mass.sum()
    if not total:
        zero = np.zeros(len(mass))
        return zero, zero
    through = np.cumsum(mass)
    return (through - mass) / total, (total - through) / total


def block_columns(block: Block | None, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """In the main block, log distance before it, log distance after it."""
    if block is None:
        none = np.zeros(len(idx))
        return none, none, none
    in_main = (idx >= block.start) & (idx <= block.end)
    return in_main, np.log1p(np.maximum(block.start - idx, 0)), np.log1p(np.maximum(idx - block.end, 0))


def prose_guard(n: int, idx: np.ndarray, col: dict[str, np.ndarray], prose: np.ndarray,
                verdict_rows: np.ndarray) -> np.ndarray:
    """The rows the model never drops: prose, short sentences beside it, and short runs between it."""
    guard = prose & (col["furniture"] < 2)
    # A short sentence next to guarded prose ("No one was injured.") is the article's too.
    near = np.zeros(n)
    near[idx[guard]] = 1.0
    near = window_sum(near[:, None], _NEAR_PROSE)[:, 0] > 0
    words = col["words"]
    sentence = (col["sentence_end"] > 0) & (col["stop_share"] >= 0.15) & (words >= 3) & (col["furniture"] == 0)
    guard |= sentence & (col["teaser"] == 0) & near[idx] & (verdict_rows == 0)
    guard |= between_prose(guard, verdict_rows > 0)
    return guard


# A run of this many lines or fewer between two guarded prose lines is the article's
# own (a sub-heading and its list, a fact line): menus and teaser lists stand around
# the text, and the ones inside it have hand-written verdicts.
_BETWEEN_PROSE = 8


def between_prose(guard: np.ndarray, verdict: np.ndarray) -> np.ndarray:
    out = np.zeros(len(guard), dtype=bool)
    anchors = np.flatnonzero(guard)
    for a, b in itertools.pairwise(anchors):
        if 1 < b - a <= _BETWEEN_PROSE + 1 and not verdict[a + 1 : b].any():
            out[a + 1 : b] = True
    return out


# Content words: four letters or more, cut to their first six (a crude stem that makes
# "Dankbarkeit"/"dankbar" or "Ikigai"/"Ikigais" one word), function words left out.
_CONTENT = re.compile(r"[^\W\d_]{4,}")
_STEM = 6


@functools.lru_cache(maxsize=1)
def _function_words() -> frozenset[str]:
    from mtsum.clean.words import stopwords

    return stopwords("de") | stopwords("en") | stopwords("sv")


def topic_overlap(texts: Sequence[str], anchor: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per line, the share of its content words that the page's *anchor* lines (its prose,
    site vocabulary aside) use elsewhere, and the log count of them; -1 share for a line
    without any.

    An article's own sub-heading, caption or list item speaks of what its prose speaks
    of; a menu, a share bar or the teaser of another story does not."""
    skip = _function_words()
    words = [[w[:_STEM] for w in map(str.lower, _CONTENT.findall(t)) if w not in skip] for t in texts]
    vocabulary: Counter[str] = Counter()
    for k in np.flatnonzero(anchor):
        vocabulary.update(set(words[k]))
    share, found = np.full(len(texts), -1.0), np.zeros(len(texts))
    for k, mine in enumerate(words):
        if not mine:
            continue
        own = set(mine) if anchor[k] else set()
        hits = sum(vocabulary[w] > (w in own) for w in mine)
        share[k], found[k] = hits / len(mine), math.log1p(hits)
    return share, found
