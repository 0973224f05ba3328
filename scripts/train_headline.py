"""Train the headline finder (mtsum/clean/data/headline_model.json).

The dev pages of ``make eval-clean`` (``../shared/cleaning-dev/pages.jsonl``) annotate
no headline, but most page addresses spell theirs out. Each page is cleaned as shipped,
recording the headline candidates :func:`mtsum.clean.headline.candidates` weighs and their
features. Of the candidates that share two words (four letters or more, umlauts folded
as slugs write them) with the page's address, the one that names it best (most shared
words for its length: a lede shares them among many more) is labelled the headline.
A page is learned when its address has three such words and some line of the page
names it; where no candidate does, all of them are learned as not the headline.

The model is scikit-learn's logistic regression (a training-time dependency only: the
product reads the exported weights). Honest figures come from 5-fold cross-validation
split by site (the URL's host), repeated over ``--splits`` assignments of sites to
folds: on how many pages the best-scored candidate, by a model that never saw the
page's site, names the address.

Train the headline finder before the line model (scripts/train_clean.py): which lines
stand above the headline is one of the line model's inputs.

    python scripts/train_headline.py              # cross-validate, train, write the model
    python scripts/train_headline.py --dry-run    # figures only
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from eval_clean import DEFAULT_DATA, address_words, load_pages, words_of  # noqa: E402
from train_clean import folds, host_of, recording  # noqa: E402

from mtsum.clean import clean_paragraphs, headline  # noqa: E402

# Two shared address words make a headline; an address needs three to be asked.
SHARED_WORDS = 2
ADDRESS_WORDS = 3
FOLDS = 5


@dataclass
class Page:
    id: str
    host: str
    x: np.ndarray  # one row of headline.FEATURES per candidate
    label: np.ndarray  # True: the candidate names the page's address
    asked: bool  # the address has enough words, and some line of the page names it


def prepare(page: dict) -> Page:
    wanted = address_words(page.get("url", ""))
    # (texts, candidate rows, their features) of each page cleaned
    with recording(headline, "candidates", lambda args, out: (list(args[0]), *out)) as recorded:
        clean_paragraphs(page["lines"], page["language"])
    texts, rows, matrix = recorded[0] if recorded else ([], [], [])
    label = np.zeros(len(rows), dtype=bool)
    if rows:
        # A lede names the address too, with many more words: the headline names it best.
        named = [words_of(texts[i]) for i in rows]
        overlap = [len(wanted & w) / len(wanted | w) if len(wanted & w) >= SHARED_WORDS else 0.0 for w in named]
        label = np.array([v > 0 and v == max(overlap) for v in overlap], dtype=bool)
    asked = len(wanted) >= ADDRESS_WORDS and any(len(wanted & words_of(line)) >= SHARED_WORDS for line in page["lines"])
    x = np.array(matrix, dtype=np.float64).reshape(len(rows), len(headline.FEATURES))
    return Page(page["id"], host_of(page["url"]), x, label & asked, asked)


def fit(pages: Sequence[Page], c: float):
    from sklearn.linear_model import LogisticRegression

    learned = [p for p in pages if p.asked]
    x = np.concatenate([p.x for p in learned])
    y = np.concatenate([p.label for p in learned])
    return LogisticRegression(C=c, max_iter=5000).fit(x, y)


def found(model, pages: Sequence[Page]) -> int:
    """Pages asked whose best candidate names the address."""
    return sum(bool(p.label[np.argmax(model.decision_function(p.x))]) for p in pages if p.asked and len(p.x))


def cross_validate(pages: Sequence[Page], splits: int, c: float) -> list[int]:
    out = []
    for seed in range(splits):
        fold_of = folds(pages, FOLDS, seed)
        train = [[p for p, f in zip(pages, fold_of) if f != k] for k in range(FOLDS)]
        test = [[p for p, f in zip(pages, fold_of) if f == k] for k in range(FOLDS)]
        out.append(sum(found(fit(train[k], c), test[k]) for k in range(FOLDS)))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="cleaning-dev folder (default: %(default)s)")
    parser.add_argument("--splits", type=int, default=3, help="fold assignments to cross-validate over")
    parser.add_argument("-C", type=float, default=1.0, help="inverse regularisation strength")
    parser.add_argument("--dry-run", action="store_true", help="print the figures, write nothing")
    args = parser.parse_args(argv)

    # The candidates do not depend on the weights: any will do (the shipped file may be
    # missing, or stale after a change of features).
    if not (args.data / "pages.jsonl").is_file():
        # Learned from cleaning-dev's addresses alone: without it (a fresh clone) the
        # packaged headline model stays.
        print(f"{args.data} not found: the headline model is not refitted")
        return 0
    headline.weights = lambda: ((0.0,) * len(headline.FEATURES), 0.0)
    pages = [prepare(p) for p in load_pages(args.data)]
    asked = sum(p.asked for p in pages)
    reachable = sum(p.asked and bool(p.label.any()) for p in pages)
    first = sum(p.asked and bool(p.label.any()) and bool(p.label[0]) for p in pages)
    print(f"{len(pages)} pages, {asked} with an address that names a line; a candidate names it on {reachable}")
    print(f"the first candidate names it on {first}")
    held = cross_validate(pages, args.splits, args.C)
    held_text = ", ".join(map(str, held))
    print(f"held out (5-fold by site, {args.splits} splits): the best candidate names it on {held_text}")
    model = fit(pages, args.C)
    fitted = found(model, pages)
    print(f"fit on all pages: {fitted}")
    if args.dry_run:
        return 0
    data = {
        "features": list(headline.FEATURES),
        "coef": [round(float(v), 6) for v in model.coef_[0]],
        "intercept": round(float(model.intercept_[0]), 6),
        "C": args.C,
        "pages": {"asked": asked, "reachable": reachable, "held_out": held, "fit": fitted},
    }
    headline.MODEL_FILE.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {headline.MODEL_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
