"""Held-out figures for scripts/train_clean.py: cross-validation by site and by dataset.

Whatever cleaning chooses rather than fits is chosen inside each fold, from its training
pages only, and scored on the held-out pages:

- the packaged rules and hand-written verdicts in use (scripts/clean_data.py, "borne out");
- the lexicon, the trees (scripts/train_clean.py's fit);
- each language's threshold: by site, the lowest whose keep share on the *other* folds'
  held-out pages reaches ``--keep``; by dataset, the same from a cross-validation by site
  run on the training datasets alone. A language the training pages lack gets the most
  conservative threshold of those they have.

Shares are counted as the benchmark pages count them, at most ``--per-page`` snippets of
each kind a page (eval_clean.Tally), and also with every labelled snippet counted once
(the ``every snippet`` figures), which weighs pages by their length.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from clean_data import PageData, Prepared, choices, cleaned, set_strong
from eval_clean import Tally

from mtsum.clean import line_model

# (training pages, args) -> a LineModel
Fit = Callable[[Sequence[PageData], argparse.Namespace], line_model.LineModel]
REPORTED = ("de", "en", "sv")
# The language whose threshold a language without pages enough for its own takes.
NEAREST = {"sv": "de"}
# The scorings figures are given under, and the suffix of their keys in the model file:
# "benchmark" counts at most ``--per-page`` snippets of a kind a page, "every_snippet" all.
SCORINGS = {"benchmark": "", "every_snippet": "_every_snippet"}


def scoring_per_page(scoring: str, per_page: int | None) -> int | None:
    return per_page if scoring == "benchmark" else None


@dataclass
class Held:
    """A page scored by a model that never saw it, as that fold prepared it."""

    data: PageData
    p: np.ndarray
    forced: np.ndarray

    def drops(self, thresholds: dict[str, float]) -> np.ndarray:
        if not len(self.p):
            return np.zeros(0, bool)
        t = thresholds.get(self.data.language, thresholds["*"])
        return ((self.p >= t) & ~self.data.guard) | self.forced

    def add_to(self, tally: Tally, thresholds: dict[str, float]) -> None:
        tally.add(self.data.page, cleaned(self.data, self.drops(thresholds)), 0.0)


def folds(sites: Sequence[str], k: int, seed: int) -> list[int]:
    """A fold number for each page: all pages of a site in one fold."""
    hosts = sorted(set(sites))
    fold_of = dict(zip(np.random.default_rng(seed).permutation(hosts), np.arange(len(hosts)) % k))
    return [int(fold_of[s]) for s in sites]


def probabilities(model: line_model.LineModel, d: PageData) -> np.ndarray:
    if not len(d.x):
        return np.zeros(0)
    return model.probability(model.features(d.texts, d.x))


def choose_thresholds(held: Sequence[Held], keep: float, min_pages: int = 10, per_page: int | None = None,
                      borrowed: dict[str, str] | None = None) -> dict[str, float]:
    """Per language with *min_pages* pages or more, the lowest threshold (dropping the most)
    whose keep share over *held* reaches *keep*; a language with fewer, or whose keep share
    stays under *keep* even at a threshold that drops nothing, its :data:`NEAREST`
    language's (*borrowed*, when given, is told which and why); "*" (other languages): the highest of them.

    Keep grows with the threshold, so bisection finds it.
    """
    by_language: dict[str, list[Held]] = defaultdict(list)
    for h in held:
        by_language[h.data.language].append(h)
    out: dict[str, float] = {}
    unreachable: set[str] = set()  # languages whose keep target no threshold reaches
    for lang, mine in sorted(by_language.items()):
        # Pages, not records: with several splits pooled each page is held out once a split.
        if len({h.data.page["key"] for h in mine}) < min_pages:
            continue

        def enough(t: float, mine: list[Held] = mine, lang: str = lang) -> bool:
            tally = Tally(per_page=per_page)
            for h in mine:
                h.add_to(tally, {lang: t, "*": t})
            return tally.keep >= keep or not tally.keep_total

        if not enough(1.0):
            # Short of *keep* even where the model drops nothing: the lines are lost to
            # rules, duplicates or the headline, and no threshold of the model's can buy
            # them back (bisection would end at 1.0, a model that never drops).
            unreachable.add(lang)
            continue
        low, high = 0.0, 1.0
        for _ in range(14):
            mid = (low + high) / 2
            low, high = (low, mid) if enough(mid) else (mid, high)
        out[lang] = math.ceil(high * 1e4) / 1e4  # rounded up: rounding down could drop a line bisection kept
    # A language with too few pages takes its nearest language's threshold: Swedish
    # reads more like German than like English, and the features are the same.
    for lang, near in NEAREST.items():
        if lang not in out and near in out:
            out[lang] = out[near]
            if borrowed is not None:
                borrowed[lang] = "keep target out of the model's reach" if lang in unreachable else "too few pages"
    out["*"] = max(out.values(), default=1.0)
    return out


def fold_model(prep: Prepared, train: Sequence[int], test: Sequence[int], fit: Fit, args: argparse.Namespace,
               candidates: Sequence[str]) -> tuple[line_model.LineModel, list[Held]]:
    """A model fitted on the pages *train* (rules and verdicts chosen on them) and its
    held-out records of the pages *test*."""
    off, strong = choices([prep.full[j] for j in train], candidates, args.rule_sites, args.rule_precision)
    train_datas = [prep.get(j, off) for j in train]
    set_strong(train_datas, strong)
    model = fit(train_datas, args)
    held = []
    for j in test:
        d = prep.get(j, off)
        held.append(Held(d, probabilities(model, d), d.strong_rows(strong)))
    return model, held


def by_site(prep: Prepared, indices: Sequence[int], fit: Fit, args: argparse.Namespace, candidates: Sequence[str],
            splits: int, k: int, on_fold: Callable[..., None] | None = None) -> list[list[Held]]:
    """Per split, every page of *indices* held out once (folds by site), in *indices*' order."""
    out = []
    for split in range(splits):
        fold = folds([prep.full[j].site for j in indices], k, args.seed + split)
        held: list[Held | None] = [None] * len(indices)
        for f in range(k):
            train = [j for j, g in zip(indices, fold) if g != f]
            test_at = [n for n, g in enumerate(fold) if g == f]
            model, records = fold_model(prep, train, [indices[n] for n in test_at], fit, args, candidates)
            for n, h in zip(test_at, records):
                held[n] = h
            if on_fold is not None:
                on_fold(split, model, records)
        out.append([h for h in held if h is not None])
        print(f"  by site: split {split + 1}/{splits} of {len(indices)} pages done", file=sys.stderr)
    return out


def fold_thresholds(held: Sequence[Held], fold: Sequence[int], keep: float, per_page: int | None,
                    min_pages: int = 10) -> list[dict[str, float]]:
    """Per page, thresholds chosen on the held-out records of the other folds."""
    chosen = {f: choose_thresholds([h for h, g in zip(held, fold) if g != f], keep, min_pages, per_page)
              for f in set(fold)}
    return [chosen[f] for f in fold]


def score(held: Sequence[Held], thresholds: Sequence[dict[str, float]], per_page: int | None
          ) -> dict[str, dict[tuple[str, str], Tally]]:
    """Keep/drop tallies by (dataset, language), and by ("all", language), under each
    scoring: "benchmark" (at most *per_page* snippets of a kind a page) and "every_snippet"."""
    out: dict[str, dict[tuple[str, str], Tally]] = {}
    for scoring in SCORINGS:
        k = scoring_per_page(scoring, per_page)
        tallies: dict[tuple[str, str], Tally] = defaultdict(lambda k=k: Tally(per_page=k))
        for h, t in zip(held, thresholds):
            for dataset in (h.data.page["dataset"], "all"):
                h.add_to(tallies[dataset, h.data.language], t)
        out[scoring] = tallies
    return out


def merge(tallies: Iterable[dict[tuple[str, str], Tally]]) -> dict[tuple[str, str], Tally]:
    out: dict[tuple[str, str], Tally] = defaultdict(Tally)
    for one in tallies:
        for key, t in one.items():
            mine = out[key]
            mine.kept, mine.keep_total = mine.kept + t.kept, mine.keep_total + t.keep_total
            mine.dropped, mine.drop_total = mine.dropped + t.dropped, mine.drop_total + t.drop_total
            mine.pages = max(mine.pages, t.pages)  # the splits score the same pages
    return out


def site_figures(prep: Prepared, fit: Fit, args: argparse.Namespace, candidates: Sequence[str],
                 on_fold: Callable[..., None] | None = None) -> tuple[dict, list[Held]]:
    """Held-out tallies by site (thresholds from the other folds), all splits pooled, per
    scoring, and every held-out record (for the shipped thresholds)."""
    every = list(range(len(prep.full)))
    splits = by_site(prep, every, fit, args, candidates, args.splits, args.folds, on_fold)
    tallies = []
    for split, held in enumerate(splits):
        fold = folds([h.data.site for h in held], args.folds, args.seed + split)
        tallies.append(score(held, fold_thresholds(held, fold, args.keep, args.per_page, args.language_pages),
                             args.per_page))
    merged = {scoring: merge(t[scoring] for t in tallies) for scoring in tallies[0]}
    return merged, [h for held in splits for h in held]


def dataset_figures(prep: Prepared, fit: Fit, args: argparse.Namespace, candidates: Sequence[str],
                    by_site_held: Sequence[Held] = ()) -> dict:
    """Held-out tallies of each dataset by a model trained on the others.

    Its thresholds come from a cross-validation by site on the others (``--inner-folds``),
    or with ``--inner-folds 0`` from the by-site held-out pages of the others: their labels
    alone choose it, but the models that scored them had seen the held-out dataset (a
    third of the fits)."""
    names = sorted({p["dataset"] for p in prep.pages})
    out: dict[str, dict[tuple[str, str], Tally]] = {scoring: {} for scoring in SCORINGS}
    if len(names) < 2:
        return out
    for name in names:
        started = time.time()
        train = [j for j, p in enumerate(prep.pages) if p["dataset"] != name]
        test = [j for j, p in enumerate(prep.pages) if p["dataset"] == name]
        if args.inner_folds:
            inner = by_site(prep, train, fit, args, candidates, 1, args.inner_folds)[0]
        else:
            inner = [h for h in by_site_held if h.data.page["dataset"] != name]
        thresholds = choose_thresholds(inner, args.keep, args.language_pages, args.per_page)
        _, held = fold_model(prep, train, test, fit, args, candidates)
        for scoring, tallies in score(held, [thresholds] * len(held), args.per_page).items():
            out[scoring].update((key, t) for key, t in tallies.items() if key[0] != "all")
        print(f"  by dataset: {name} held out ({len(test)} pages) in {time.time() - started:.0f} s",
              file=sys.stderr)
    return out


def as_figures(tallies: dict[tuple[str, str], Tally]) -> dict[str, dict[str, dict[str, float]]]:
    """{dataset: {language: {keep, drop, pages}}} for the model file."""
    out: dict[str, dict[str, dict[str, float]]] = defaultdict(dict)
    for (dataset, lang), t in sorted(tallies.items()):
        if t.keep_total or t.drop_total:
            out[dataset][lang] = {"keep": round(t.keep, 3), "drop": round(t.drop, 3), "pages": t.pages}
    return dict(out)


def table(title: str, figures: dict[str, dict[str, dict[str, float]]]) -> str:
    """A Markdown table, a row per dataset, keep and drop per reported language."""
    head = " | ".join(f"{lang}: keeps | {lang}: drops" for lang in REPORTED)
    lines = [f"| {title} | {head} |", "|---|" + "---:|" * (2 * len(REPORTED))]
    for dataset, langs in figures.items():
        cells = " | ".join(f"{langs[lang]['keep']:.3f} | {langs[lang]['drop']:.3f} ({int(langs[lang]['pages'])})"
                           if lang in langs else "— | —" for lang in REPORTED)
        lines.append(f"| {dataset} | {cells} |")
    return "\n".join(lines)
