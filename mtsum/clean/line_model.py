"""The learned part of the boilerplate classifier: gradient-boosted trees over line features.

:func:`mtsum.clean.features.analyse` describes every line (length, function words,
punctuation, links, the jusText class, the text blocks and the hand-written verdicts);
this module adds the context a person reads a line in (its neighbours, its place
relative to the main text, how much of the page is prose) and the words a line is
made of (a small lexicon of the n-grams that mark site furniture or article text in
Swedish, German and English: "läs också", "mehr zum thema", "said"). A gradient-boosted
tree ensemble trained by ``scripts/train_clean.py`` on annotated web pages weighs it all.
Everything ships as ``line_model.json`` (numpy only at run time, no model download).

Everything chosen rather than fitted is chosen on training folds only and scored on
the held-out ones: the decision thresholds (one per language, so that nearly all
article text stays), which hand-written verdicts drop a line whatever the model says,
and which packaged YAML rules plain-text cleaning uses. The file records the held-out
figures (by site and by dataset) beside the data it was trained on. Long
sentence-shaped paragraphs (see :attr:`LineFeatures.prose`) are never dropped by the
model. The file also holds the thresholds of scripts/html_restore.py, chosen with the model
on the dev pages' HTML.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from mtsum.clean.context import block_columns, prose_guard, prose_mass, topic_overlap, window_sum

if TYPE_CHECKING:
    from mtsum.clean.features import Analysis

__all__ = ["FEATURES", "Lexicon", "LineModel", "Trees", "current", "grams", "lexical_columns", "matrix", "use_model"]

MODEL_FILE = Path(__file__).parent / "data" / "line_model.json"
_CLASSES = ("good", "neargood", "short", "bad")
_WINDOWS = (1, 3, 8)
_LEXICAL_WINDOWS = (1, 3)
# scripts/html_restore.py's threshold for a model file written before restore thresholds were
# chosen with the model (last release's single value).
_RESTORE_UNTRAINED = 0.3

# Column names of :func:`matrix`, in order.
STRUCTURE_FEATURES: tuple[str, ...] = (
    "log_chars", "log_words", "stop_share", "sentence_end", "teaser", "link_share", "digit_share",
    "title_case", "separators", "furniture", "prose", "one_two_words", "title_case_short",
    *(f"class_{c}" for c in _CLASSES),
    "rule_verdict", "above_headline", "related_list", "inside_text", "in_main_block", "log_run", "extracted_page",
    "position", "before_main", "after_main", "no_block", "repeated",
    *(f"{name}_w{k}" for k in _WINDOWS for name in ("good", "stop", "chars", "removed", "verdict")),
    "page_good_share", "log_page_lines", "prose_above", "prose_below", "topic_share", "topic_words",
)
# Columns of :func:`lexical_columns`: the line's lexicon score and its neighbours' means.
LEXICAL_FEATURES: tuple[str, ...] = ("lexical", *(f"lexical_w{k}" for k in _LEXICAL_WINDOWS))
# What the trees see, in order; the model file must list the same.
FEATURES: tuple[str, ...] = STRUCTURE_FEATURES + LEXICAL_FEATURES

_LINE_COLUMNS = ("chars", "words", "stop_share", "sentence_end", "teaser", "link_share", "digit_share",
                 "title_case", "separators", "furniture")
_TOKEN = re.compile(r"[^\W\d_]+|\d+")
_NUMBER = re.compile(r"\d+")
# Whether a line holds a number at all: a pattern that opens with a character set is
# found by a quick scan for it, one that opens with a repeat (_NUMBER) is tried at
# every position, and this test on every line cost twice as much.
_DIGIT = re.compile(r"\d")


def grams(text: str) -> list[str]:
    """The lexicon's units of *text*: lower-cased words and word pairs, every number as "0"."""
    words = _words(text)
    return words + list(map(" ".join, itertools.pairwise(words)))


def _words(text: str) -> list[str]:
    low = text.lower()
    return _TOKEN.findall(_NUMBER.sub("0", low) if _DIGIT.search(low) else low)


@dataclass(frozen=True)
class Lexicon:
    """Logistic regression over the n-grams a line contains (present or not)."""

    weights: dict[str, float]
    bias: float
    # The weights of words, and of word pairs keyed (first, second): pairs made by zip
    # need no string joined per pair of every line. Words hold no space, so these are
    # the same n-grams as :func:`grams`'.
    _units: dict[str, float] = field(init=False, repr=False, compare=False)
    _pairs: dict[tuple[str, ...], float] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_units", {k: v for k, v in self.weights.items() if " " not in k})
        object.__setattr__(self, "_pairs", {tuple(k.split(" ")): v for k, v in self.weights.items() if " " in k})

    def probability(self, texts: Sequence[str]) -> np.ndarray:
        unit, pair = self._units.get, self._pairs.get
        fsum, chain, pairwise = math.fsum, itertools.chain, itertools.pairwise
        logits = []
        for text in texts:
            words = _words(text)
            # filter(None, ...) skips the n-grams the lexicon lacks (get returns None).
            # fsum: exact, so the order a set yields its n-grams in (the hash seed) cannot
            # move a line across a tree split or the threshold.
            found = chain(filter(None, map(unit, set(words))), filter(None, map(pair, set(pairwise(words)))))
            logits.append(self.bias + fsum(found))
        return _sigmoid(np.asarray(logits, dtype=np.float64))


@dataclass(frozen=True)
class Trees:
    """A gradient-boosted ensemble as flat node arrays, walked one level at a time.

    Hand-written because the trees are trained with scikit-learn, too heavy a
    dependency for cleaning a page at run time; the walk is a few numpy gathers per
    level for all lines and trees at once. A leaf points to itself, so lines that
    reach a leaf early stay there.
    """

    roots: np.ndarray  # the first node of each tree
    feature: np.ndarray
    threshold: np.ndarray  # go left where x[feature] <= threshold
    children: np.ndarray  # nodes x 2: (right, left)
    value: np.ndarray
    baseline: float
    depth: int

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Trees:
        roots, feature, threshold, children, value = [], [], [], [], []
        for tree in data["trees"]:
            first = len(feature)
            roots.append(first)
            for k, leaf in enumerate(tree["leaf"]):
                feature.append(0 if leaf else tree["feature"][k])
                threshold.append(math.inf if leaf else tree["threshold"][k])
                me = first + k
                children.append((me, me) if leaf else (first + tree["right"][k], first + tree["left"][k]))
                value.append(tree["value"][k] if leaf else 0.0)
        return cls(np.asarray(roots, dtype=np.intp), np.asarray(feature, dtype=np.intp),
                   np.asarray(threshold, dtype=np.float64), np.asarray(children, dtype=np.intp).reshape(-1, 2),
                   np.asarray(value, dtype=np.float64), float(data["baseline"]), int(data["depth"]))

    def raw(self, x: np.ndarray) -> np.ndarray:
        """The summed log-odds for each row of *x*."""
        flat = np.ascontiguousarray(x, dtype=np.float64).ravel()
        start = (np.arange(len(x)) * x.shape[1])[:, None]
        node = np.broadcast_to(self.roots, (len(x), len(self.roots)))
        # np.take on flat arrays: a third faster than fancy indexing, most of all the
        # two-dimensional kind (children[node, left]); the same gathers, the same result.
        children = self.children.ravel()  # node's (right, left) at 2 * node, 2 * node + 1
        for _ in range(self.depth):
            left = np.take(flat, start + np.take(self.feature, node)) <= np.take(self.threshold, node)
            node = np.take(children, 2 * node + left)
        return self.baseline + np.take(self.value, node).sum(axis=1)


@dataclass(frozen=True)
class LineModel:
    """The lexicon, the trees over :data:`FEATURES`, and the decision thresholds.

    *thresholds* are per language (chosen on cross-validated pages of each language the
    training data has); other languages get *threshold*, the most conservative of them.
    """

    lexicon: Lexicon
    trees: Trees
    threshold: float
    thresholds: dict[str, float] = field(default_factory=dict)
    # scripts/html_restore.py's: below it a page line is sure article text. Per language, as the
    # model's probabilities are not calibrated alike for German and English.
    restore: float = _RESTORE_UNTRAINED
    restore_by_language: dict[str, float] = field(default_factory=dict)
    # Chosen with the thresholds, on training folds only (scripts/train_clean.py): the
    # hand-written verdicts that drop a line whatever the model says, and the packaged
    # YAML rules plain-text cleaning leaves out because the data did not bear them out.
    # None: every verdict of the last release (a model file written before they were chosen).
    strong: frozenset[str] | None = None
    rules_off: frozenset[str] = frozenset()

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LineModel:
        if list(data["features"]) != list(FEATURES):
            raise ValueError("line model was trained on other features: run scripts/train_clean.py")
        lexicon = Lexicon({str(k): float(v) for k, v in data["lexicon"].items()}, float(data["lexicon_bias"]))
        thresholds = {str(k): float(v) for k, v in data.get("thresholds", {}).items()}
        restore = {str(k): float(v) for k, v in data.get("restore_thresholds", {}).items()}
        strong = data.get("strong_verdicts")
        return cls(lexicon, Trees.from_dict(data), float(data["threshold"]), thresholds,
                   float(data.get("restore_threshold", _RESTORE_UNTRAINED)), restore,
                   None if strong is None else frozenset(map(str, strong)),
                   frozenset(map(str, data.get("rules_off", ()))))

    def threshold_for(self, language: str | None) -> float:
        return self.thresholds.get(language or "", self.threshold)

    def restore_threshold_for(self, language: str | None) -> float:
        """The P(boilerplate) below which scripts/html_restore.py puts a line back."""
        return self.restore_by_language.get(language or "", self.restore)

    def probability(self, x: np.ndarray) -> np.ndarray:
        """P(boilerplate) for each row of *x* (:func:`matrix` with :func:`lexical_columns`)."""
        return _sigmoid(self.trees.raw(x))

    def drops(self, weighed: np.ndarray, language: str | None = None) -> np.ndarray:
        """Which rows of :meth:`weigh`'s probabilities reach *language*'s threshold (NaN never)."""
        return weighed >= self.threshold_for(language)

    def weigh(self, x: np.ndarray, guard: np.ndarray, probability: np.ndarray | None = None) -> np.ndarray:
        """P(boilerplate) of the rows the model may drop; NaN on guarded rows."""
        p = np.full(len(x), np.nan)
        open_ = ~guard
        if open_.any():  # guarded rows stay whatever the trees say: not worth their time
            p[open_] = self.probability(x[open_]) if probability is None else probability[open_]
        return p

    def features(self, texts: Sequence[str], structure: np.ndarray, only: np.ndarray | None = None) -> np.ndarray:
        """:data:`FEATURES` of a page's live lines: their *structure* rows and *texts*.

        With *only* (a mask of rows), the lexical columns of the rows outside it are not
        worked out and read NaN.
        """
        return np.hstack((structure, lexical_columns(self.lexicon, texts, only)))


def lexical_columns(lexicon: Lexicon, texts: Sequence[str], only: np.ndarray | None = None) -> np.ndarray:
    """The :data:`LEXICAL_FEATURES` of consecutive lines *texts* (NaN on rows outside *only*)."""
    if not len(texts):
        return np.zeros((0, len(LEXICAL_FEATURES)))
    if only is None:
        p = lexicon.probability(texts)
    else:
        # Cleaning weighs the unguarded lines alone, and the lexicon's n-grams are the
        # dearest column: about a third of their work is on long prose lines that no
        # unguarded line's window reaches. A row it skips lies in no window of a row in
        # *only*, so its 0 moves none of their means.
        reach = max(_LEXICAL_WINDOWS)
        needed = window_sum(only[:, None].astype(np.float64), reach)[:, 0] + only > 0
        p = np.zeros(len(texts))
        p[needed] = lexicon.probability([texts[i] for i in np.flatnonzero(needed)])
    out = [p]
    for k in _LEXICAL_WINDOWS:
        sums = window_sum(np.column_stack((p, np.ones(len(p)))), k)
        out.append(np.divide(sums[:, 0], sums[:, 1], out=np.full(len(p), 0.5), where=sums[:, 1] > 0))
    columns = np.column_stack(out)
    if only is not None:
        columns[~only] = np.nan
    return columns


def _sigmoid(logits: np.ndarray) -> np.ndarray:
    # Clipped: a very long line sums many n-gram weights, and exp() would overflow (and warn).
    # (minimum/maximum, not np.clip: the same values, without clip's Python-level checks.)
    return 1.0 / (1.0 + np.exp(-np.minimum(np.maximum(logits, -50.0), 50.0)))


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
    """(line indices, :data:`STRUCTURE_FEATURES` rows, guard) for the lines the rules left on *page*."""
    n = len(texts)
    rows = [i for i, f in enumerate(page.feats) if f is not None]
    if not rows:
        return rows, np.zeros((0, len(STRUCTURE_FEATURES))), np.zeros(0, dtype=bool)
    idx = np.asarray(rows)
    # Columns are built whole, from one list per feature: a Python loop over the
    # cells of thousands of lines would cost more than the rest of the cleaning.
    table = np.array(
        [(f.chars, f.words, f.stop_share, f.sentence_end, f.teaser, f.link_share, f.digit_share, f.title_case,
          f.separators, f.furniture, f.prose) for f in (page.feats[i] for i in rows)],
        dtype=np.float64,
    )
    col = dict(zip(_LINE_COLUMNS, table.T))
    prose = table[:, -1] > 0
    classes = [page.classes[i] for i in rows]
    verdict_rows = np.fromiter((i in page.drops or i in above_headline for i in rows), dtype=np.float64,
                               count=len(rows))
    good, context = _context(n, idx, classes, col, verdict_rows)
    in_main, before, after = block_columns(page.block, idx)
    counts = Counter(texts[i] for i in rows)
    words = col["words"]
    columns = [
        np.log1p(col["chars"]), np.log1p(words), col["stop_share"], col["sentence_end"], col["teaser"],
        col["link_share"], col["digit_share"], col["title_case"], np.minimum(col["separators"], 3),
        np.minimum(col["furniture"], 3), prose, words <= 2, (words <= 4) & (col["title_case"] == 1.0),
        *(np.array([c == name for c in classes]) for name in _CLASSES),
        verdict_rows, np.array([i in above_headline for i in rows]), np.array([i in page.related for i in rows]),
        np.array([page.inside[i] for i in rows]), in_main, np.log1p(np.array([page.runs[i] for i in rows])),
        np.full(len(rows), page.extracted), idx / n, before, after, np.full(len(rows), page.block is None),
        np.array([counts[texts[i]] > 1 for i in rows]),
        *context,  # blocks of five columns, one per window
        np.full(len(rows), float(good.sum() / len(rows))), np.full(len(rows), math.log1p(n)),
        *prose_mass(good[idx] * col["chars"]),
    ]
    columns.extend(topic_overlap([texts[i] for i in rows], prose & (col["furniture"] < 2)))
    out = np.column_stack(columns).astype(np.float64, copy=False)
    return rows, out, prose_guard(n, idx, col, prose, verdict_rows)


def _context(n: int, idx: np.ndarray, classes: list[str], col: dict[str, np.ndarray], verdict_rows: np.ndarray
             ) -> tuple[np.ndarray, list[np.ndarray]]:
    """The page's good lines (all *n* lines) and, per window, the window means of the
    live lines *idx*: good, stop share, log characters, removed, verdict."""
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
    # Window means: the neighbours within k lines, the line itself excluded.
    # The last two columns count the live lines and all lines (one window sum for all).
    stacked = np.column_stack((good * live, stop * live, chars * live, removed, verdict * live, live, np.ones(n)))
    # Removed lines count in their own column (the fourth) only; the others average over live lines.
    counted = np.array([-2, -2, -2, -1, -2])  # per mean, its count column
    context = []
    for k in _WINDOWS:
        sums = window_sum(stacked, k)
        count = sums[:, counted]
        context.append(np.divide(sums[:, :-2], count, out=np.zeros(count.shape), where=count > 0)[idx])
    return good, context


