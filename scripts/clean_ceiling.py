"""How far plain-text cleaning's *drops* could go if the article's place on the page were known.

The line model's held-out probabilities (scripts/train_clean.py's cross-validation by
site, its splits pooled, at the thresholds it would choose) decide as shipped; then
every unguarded line above the article's first annotated snippet, below its last, or
both, is dropped as well. The annotations say where the article is, so these rows are
ceilings for a better article finder, not figures any cleaning reaches: *keeps* cannot
move (no line between the first and last article snippet changes), *drops* show what
knowing the article's edges is worth with the prose guard in place, and the last row
what it is worth without it.

    python scripts/clean_ceiling.py        # needs the train extra (scikit-learn); a few minutes
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence

import numpy as np
import train_clean
from eval_clean import Tally
from train_clean import PageData, figures, line_spans, lines_of, model_drops, tally_drops


def article_edges(d: PageData) -> tuple[np.ndarray, np.ndarray]:
    """Per row of *d*: above the article's first annotated snippet; below its last."""
    rows = np.asarray(d.rows, dtype=int)
    article = lines_of(d.page["with"], line_spans(d.page["lines"]))
    if not article or not len(rows):
        return np.zeros(len(rows), bool), np.zeros(len(rows), bool)
    return rows < min(article), rows > max(article)


# (page, the rows the model drops as shipped, rows above the article, rows below it) -> the rows dropped
Rule = Callable[[PageData, np.ndarray, np.ndarray, np.ndarray], np.ndarray]


def tally(datas: Sequence[PageData], probs: Sequence[np.ndarray], edges: Sequence[tuple[np.ndarray, np.ndarray]],
          thresholds: dict[str, float], rule: Rule, per_page: int | None = None) -> dict[str, Tally]:
    return tally_drops(datas, (rule(d, model_drops(d, p, thresholds), above, below)
                               for d, p, (above, below) in zip(datas, probs, edges)), per_page)


RULES: dict[str, Rule] = {
    "as shipped": lambda d, model, above, below: model,
    "+ unguarded lines above the article": lambda d, model, above, below: model | above & ~d.guard,
    "+ unguarded lines below the article": lambda d, model, above, below: model | below & ~d.guard,
    "+ unguarded lines above and below": lambda d, model, above, below: model | (above | below) & ~d.guard,
    "+ all lines above and below, guarded prose too": lambda d, model, above, below: model | above | below,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = train_clean.arguments(__doc__.split("\n\n")[0]).parse_args(argv)
    started = time.time()
    datas = train_clean.prepare_all(args.data, started)
    splits, _ = train_clean.cross_validate(datas, args, {}, started)
    every_page = datas * args.splits
    every_held = [p for held in splits for p in held]
    thresholds = train_clean.choose_thresholds(every_page, every_held, args.keep, args.per_page)
    edges = [article_edges(d) for d in datas] * args.splits  # every_page's order
    named = ", ".join(f"{lang} {t:.3f}" for lang, t in thresholds.items())
    print(f"held out ({args.folds}-fold by site, {args.splits} splits pooled), thresholds {named}\n")
    print("| plain text, held out | German: keeps | German: drops | English: keeps | English: drops |\n"
          "|---|---:|---:|---:|---:|")
    for title, rule in RULES.items():
        print(figures(title, tally(every_page, every_held, edges, thresholds, rule, args.per_page)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
