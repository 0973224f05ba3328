"""Train the headline finder (mtsum/clean/data/headline_model.json).

Two kinds of page teach it. The public pages of ``data/cleaning/`` come with a ground
truth whose first line is the title: where the page shows that line, the candidate that
is it (quotes and dashes folded, case aside) is the headline and the others are not.
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
page's site, is the truth's title, and on how many it names the address.
``--address-only`` learns from the addresses alone, as before the public pages.

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

from clean_corpus import committed  # noqa: E402
from clean_corpus import load_pages as corpus_pages  # noqa: E402
from eval_clean import DEFAULT_DATA, address_words, load_pages, title_key, words_of  # noqa: E402
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
    label: np.ndarray  # True: the candidate is the headline (the truth's title, or names the address)
    asked: bool  # the page shows its headline: its truth's title, or a line naming its address
    source: str = "address"  # what labelled it: "title" (a ground truth's) or "address"


def _candidates(page: dict) -> tuple[list[str], list[int], list[list[float]]]:
    """(texts, candidate rows, their features) of *page* cleaned as shipped."""
    with recording(headline, "candidates", lambda args, out: (list(args[0]), *out)) as recorded:
        clean_paragraphs(page["lines"], page["language"])
    return recorded[0] if recorded else ([], [], [])


def prepare_titled(page: dict) -> Page:
    """A public page with a ground truth: its headline is the truth's first line, where the
    page shows that line."""
    wanted = title_key(page["truth"].strip().split("\n")[0])
    texts, rows, matrix = _candidates(page)
    label = np.array([title_key(texts[i]) == wanted for i in rows], dtype=bool)
    asked = any(title_key(line) == wanted for line in page["lines"])
    x = np.array(matrix, dtype=np.float64).reshape(len(rows), len(headline.FEATURES))
    return Page(page["id"], host_of(page["url"]), x, label & asked, asked, "title")


def prepare(page: dict) -> Page:
    wanted = address_words(page.get("url", ""))
    texts, rows, matrix = _candidates(page)
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


def found(model, pages: Sequence[Page], source: str | None = None) -> int:
    """Pages asked (labelled by *source*, default any) whose best candidate is the headline."""
    return sum(bool(p.label[np.argmax(model.decision_function(p.x))])
               for p in pages if p.asked and len(p.x) and source in (None, p.source))


def cross_validate(pages: Sequence[Page], splits: int, c: float, source: str | None = None) -> list[int]:
    out = []
    for seed in range(splits):
        fold_of = folds(pages, FOLDS, seed)
        train = [[p for p, f in zip(pages, fold_of) if f != k] for k in range(FOLDS)]
        test = [[p for p, f in zip(pages, fold_of) if f == k] for k in range(FOLDS)]
        out.append(sum(found(fit(train[k], c), test[k], source) for k in range(FOLDS)))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="cleaning-dev folder (default: %(default)s)")
    parser.add_argument("--splits", type=int, default=3, help="fold assignments to cross-validate over")
    parser.add_argument("-C", type=float, default=1.0, help="inverse regularisation strength")
    parser.add_argument("--dry-run", action="store_true", help="print the figures, write nothing")
    parser.add_argument("--address-only", action="store_true",
                        help="learn from cleaning-dev's addresses alone, not the public pages' titles")
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
    if not args.address_only:
        titled = [prepare_titled(p) for p in corpus_pages(committed()) if (p.get("truth") or "").strip()]
        shown = sum(p.asked for p in titled)
        among = sum(p.asked and bool(p.label.any()) for p in titled)
        print(f"{len(titled)} public pages with a ground truth, {shown} showing its title; "
              f"a candidate is it on {among}")
        pages += titled
    held = {source: cross_validate(pages, args.splits, args.C, source) for source in ("address", "title")}
    for source, counts in held.items():
        what = "names the address" if source == "address" else "is the truth's title"
        print(f"held out (5-fold by site, {args.splits} splits): the best candidate {what} on "
              f"{', '.join(map(str, counts))}")
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
        "pages": {"asked": asked, "reachable": reachable, "held_out": held, "fit": fitted,
                  "learned_from": "addresses" if args.address_only else "addresses and titles"},
    }
    headline.MODEL_FILE.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {headline.MODEL_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
