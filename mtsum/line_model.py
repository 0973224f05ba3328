"""The learned part of the boilerplate classifier: one small network over line features.

:func:`mtsum.boilerplate.analyse` describes every line (length, function words,
punctuation, links, the jusText class, the text blocks and the hand-written verdicts);
this module adds the context a person reads a line in (its neighbours, its place
relative to the main text, how much of the page is prose) and weighs it all with a
model trained by ``scripts/train_clean.py`` on annotated web pages. The weights ship
as ``line_model.json`` (a few kilobytes, numpy only at run time, no model download).

The decision threshold was chosen on held-out pages so that nearly all article text
stays; long sentence-shaped paragraphs (see :attr:`LineFeatures.prose`) are never
dropped by the model.
"""

from __future__ import annotations

import functools
import json
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from mtsum.boilerplate import Analysis

__all__ = ["FEATURES", "LineModel", "current", "matrix", "use_model"]

MODEL_FILE = Path(__file__).with_name("line_model.json")
_CLASSES = ("good", "neargood", "short", "bad")
_WINDOWS = (1, 3, 8)
# Lines a short sentence may stand from guarded prose and still count as the article.
_NEAR_PROSE = 2

# Column names, in order; the model file must list the same.
FEATURES: tuple[str, ...] = (
    "log_chars", "log_words", "stop_share", "sentence_end", "teaser", "link_share", "digit_share",
    "title_case", "separators", "furniture", "prose", "one_two_words", "title_case_short",
    *(f"class_{c}" for c in _CLASSES),
    "rule_verdict", "above_headline", "related_list", "inside_text", "in_main_block", "log_run", "extracted_page",
    "position", "before_main", "after_main", "no_block", "repeated",
    *(f"{name}_w{k}" for k in _WINDOWS for name in ("good", "stop", "chars", "removed", "verdict")),
    "page_good_share", "log_page_lines",
)


_LINE_COLUMNS = ("chars", "words", "stop_share", "sentence_end", "teaser", "link_share", "digit_share",
                 "title_case", "separators", "furniture")
_VERDICT = FEATURES.index("rule_verdict")
_IN_MAIN = FEATURES.index("in_main_block")


@dataclass(frozen=True)
class LineModel:
    """A one-hidden-layer network (or, with no hidden units, logistic regression)."""

    mean: np.ndarray
    scale: np.ndarray
    hidden_w: np.ndarray  # features x hidden (empty for logistic regression)
    hidden_b: np.ndarray
    out_w: np.ndarray
    out_b: float
    threshold: float
    verdict_threshold: float

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LineModel:
        if list(data["features"]) != list(FEATURES):
            raise ValueError("line model was trained on other features: run scripts/train_clean.py")
        arr = functools.partial(np.asarray, dtype=np.float64)
        return cls(arr(data["mean"]), arr(data["scale"]), arr(data["hidden_w"]).reshape(len(FEATURES), -1),
                   arr(data["hidden_b"]), arr(data["out_w"]), float(data["out_b"]), float(data["threshold"]),
                   float(data.get("verdict_threshold", data["threshold"])))

    def probability(self, x: np.ndarray) -> np.ndarray:
        """P(boilerplate) for each row of *x* (raw features, as from :func:`matrix`)."""
        z = (x - self.mean) / self.scale
        if self.hidden_w.shape[1]:
            z = np.tanh(z @ self.hidden_w + self.hidden_b)
        return 1.0 / (1.0 + np.exp(-(z @ self.out_w + self.out_b)))

    def decide(self, x: np.ndarray, guard: np.ndarray) -> np.ndarray:
        """Which rows to drop: likely boilerplate, and not a guarded prose paragraph.

        A hand-written verdict is strong evidence: such a line goes at the lower
        ``verdict_threshold``. Inside the main text block a line without a verdict
        stays (its short lines are sub-headings and list items: jusText's context rule).
        """
        if not len(x):
            return np.zeros(0, dtype=bool)
        p = self.probability(x)
        verdict = x[:, _VERDICT] > 0
        keep = guard | ((x[:, _IN_MAIN] > 0) & ~verdict)
        return ((p >= self.threshold) | (verdict & (p >= self.verdict_threshold))) & ~keep


_override: list[LineModel | None] = []


def use_model(model: LineModel | None) -> None:
    """Replace the packaged model (training and evaluation scripts); None restores it."""
    _override.clear()
    if model is not None:
        _override.append(model)


def current() -> LineModel | None:
    """The model in use: one set by :func:`use_model`, else the packaged file (if any)."""
    return _override[0] if _override else _packaged()


@functools.lru_cache(maxsize=1)
def _packaged() -> LineModel | None:
    if not MODEL_FILE.is_file():
        return None
    return LineModel.from_dict(json.loads(MODEL_FILE.read_text(encoding="utf-8")))


def matrix(
    texts: Sequence[str], page: Analysis, above_headline: frozenset[int] = frozenset()
) -> tuple[list[int], np.ndarray, np.ndarray]:
    """(line indices, feature rows, guard) for the lines the rules left on *page*."""
    n = len(texts)
    rows = [i for i, f in enumerate(page.feats) if f is not None]
    if not rows:
        return rows, np.zeros((0, len(FEATURES))), np.zeros(0, dtype=bool)
    feats = [page.feats[i] for i in rows]
    idx = np.asarray(rows)
    # Columns are built whole, from one list per feature: a Python loop over the
    # cells of thousands of lines would cost more than the rest of the cleaning.
    table = np.array(
        [(f.chars, f.words, f.stop_share, f.sentence_end, f.teaser, f.link_share, f.digit_share, f.title_case,
          f.separators, f.furniture, f.prose) for f in feats],
        dtype=np.float64,
    )
    col = dict(zip(_LINE_COLUMNS, table.T))
    prose = table[:, -1] > 0
    classes = [page.classes[i] for i in rows]
    verdict_rows = np.fromiter((i in page.drops or i in above_headline for i in rows), dtype=np.float64,
                               count=len(rows))
    live = np.zeros(n)
    live[idx] = 1.0
    good = np.zeros(n)
    good[idx] = [c == "good" for c in classes]
    stop = np.zeros(n)
    stop[idx] = col["stop_share"]
    chars = np.zeros(n)
    chars[idx] = np.log1p(col["chars"])
    verdict = np.zeros(n)
    verdict[idx] = verdict_rows
    removed = 1.0 - live
    # Window means by cumulative sums: the neighbours within k lines, the line itself excluded.
    stacked = np.column_stack((good * live, stop * live, chars * live, removed, verdict * live))
    context = []
    for k in _WINDOWS:
        # Removed lines count in their own column only; the others average over live lines.
        sums = _window_sum(stacked, k)
        count_live = _window_sum(live[:, None], k)[:, 0]
        count_all = _window_sum(np.ones((n, 1)), k)[:, 0]
        for c in range(stacked.shape[1]):
            count = count_all if c == 3 else count_live
            context.append(np.divide(sums[:, c], count, out=np.zeros(n), where=count > 0)[idx])
    block = page.block
    counts = Counter(texts[i] for i in rows)
    words = col["words"]
    if block is None:
        in_main = before = after = np.zeros(len(rows))
    else:
        in_main = (idx >= block.start) & (idx <= block.end)
        before = np.log1p(np.clip(block.start - idx, 0, None))
        after = np.log1p(np.clip(idx - block.end, 0, None))
    columns = [
        chars[idx], np.log1p(words), col["stop_share"], col["sentence_end"], col["teaser"], col["link_share"],
        col["digit_share"], col["title_case"], np.minimum(col["separators"], 3), np.minimum(col["furniture"], 3),
        prose, words <= 2, (words <= 4) & (col["title_case"] == 1.0),
        *(np.array([c == name for c in classes]) for name in _CLASSES),
        verdict_rows, np.array([i in above_headline for i in rows]), np.array([i in page.related for i in rows]),
        np.array([page.inside[i] for i in rows]), in_main, np.log1p(np.array([page.runs[i] for i in rows])),
        np.full(len(rows), page.extracted), idx / n, before, after, np.full(len(rows), block is None),
        np.array([counts[texts[i]] > 1 for i in rows]),
        *context,
        np.full(len(rows), float(good.sum() / len(rows))), np.full(len(rows), math.log1p(n)),
    ]
    out = np.column_stack([np.asarray(c, dtype=np.float64) for c in columns])
    guard = prose & (col["furniture"] < 2)
    # A short sentence next to guarded prose ("No one was injured.") is the article's too.
    near = np.zeros(n)
    near[idx[guard]] = 1.0
    near = _window_sum(near[:, None], _NEAR_PROSE)[:, 0] > 0
    sentence = (col["sentence_end"] > 0) & (col["stop_share"] >= 0.15) & (words >= 3) & (col["furniture"] == 0)
    guard |= sentence & (col["teaser"] == 0) & near[idx] & (verdict_rows == 0)
    return rows, out, guard


def _window_sum(values: np.ndarray, k: int) -> np.ndarray:
    """Per row, the column sums over the rows within *k* of it, the row itself excluded."""
    n = len(values)
    cum = np.vstack((np.zeros((1, values.shape[1])), np.cumsum(values, axis=0)))
    lo = np.clip(np.arange(n) - k, 0, n)
    hi = np.clip(np.arange(n) + k + 1, 0, n)
    return cum[hi] - cum[lo] - values
