"""Train the line model of the boilerplate classifier (mtsum/clean/data/line_model.json).

Learned from every annotated dataset at hand (scripts/clean_data.py): the committed
corpus ``data/cleaning/*.jsonl.gz`` and ``../shared/cleaning-dev`` when present. Lines
holding part of a ``with`` snippet are *keep*, of a ``without`` snippet *drop*.

Two models, both fitted with scikit-learn (a training-time dependency only: the
product reads the exported JSON with numpy):

1. the lexicon: logistic regression over the words and word pairs of a line that
   occur on at least ``--min-pages`` pages;
2. gradient-boosted trees over the structure features, the lexicon's score and its
   neighbours' scores. The lexicon score they are trained on is out-of-fold (from a
   lexicon that never saw the page's site), as it will be on a new page.

Everything chosen rather than fitted is chosen on training folds only (scripts/clean_cv.py):
the packaged YAML rules and hand-written verdicts that plain-text cleaning uses (those
the training pages bear out, scripts/clean_data.py), and each language's threshold
(the lowest whose keep share on held-out pages reaches ``--keep``). Shares count each
page's snippets of a kind as at most ``--per-page`` (3), as the benchmark pages carry a
few each while the public corpus labels every line (eval_clean.Tally); the figures are
also recorded with every snippet counted once (``*_every_snippet``). Held-out figures:

- by site: ``--folds``-fold cross-validation grouped by site, ``--splits`` assignments
  of sites to folds pooled; a fold's thresholds come from the other folds' held-out pages;
- by dataset: each dataset scored by a model trained on the others, its thresholds from
  a cross-validation by site on those others.

The shipped model is then trained on all pages, with the rules and verdicts all pages
bear out and the thresholds of the by-site held-out pages; the figures, the datasets and
their page counts are written into the model file. scripts/html_restore.py's thresholds are
chosen on the by-site held-out models with cleaning-dev's HTML pages (kept from the old
file when cleaning-dev is absent).

    python scripts/train_clean.py                 # cross-validate, train, write the model
    python scripts/train_clean.py --dry-run       # figures only
    python scripts/train_clean.py --datasets cleaning-dev readability
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import sys
import time
import zlib
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import clean_cv
import numpy as np
from clean_cv import Held, as_figures, dataset_figures, probabilities, site_figures, table
from clean_data import (  # noqa: F401  (names scripts/clean_ceiling.py reads from here)
    CORPUS,
    DEFAULT_DATA,
    DEV,
    REPO,
    PageData,
    Prepared,
    choices,
    cleaned,
    host_of,
    line_spans,
    lines_of,
    load_datasets,
    model_drops,
    packaged_rules,
    prepare,
    recording,
    set_strong,
    tally_drops,
)
from eval_clean import Tally, html_cleaned

from mtsum.clean import clean_paragraphs, line_model


def sampled(d: PageData, args: argparse.Namespace) -> np.ndarray:
    """The labelled rows of *d* learned from: at most ``--lines-per-page``, drawn by the
    page's key. A fully annotated page has a hundred labelled lines, a cleaning-dev page
    six: capped, pages weigh more alike, and the training fits in minutes."""
    rows = np.flatnonzero(d.label >= 0)
    if len(rows) <= args.lines_per_page:
        return rows
    rng = np.random.default_rng([args.seed, zlib.crc32(d.page.get("key", d.page.get("id", "")).encode())])
    return np.sort(rng.choice(rows, args.lines_per_page, replace=False))


def labelled(d: PageData, x: np.ndarray, args: argparse.Namespace) -> tuple[np.ndarray, np.ndarray]:
    rows = sampled(d, args)
    return x[rows], d.label[rows]


class Grams:
    """Each text's n-grams (line_model.grams) as column numbers, worked out once per run:
    every fold's lexicon is fitted on lines the others share."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self._column: dict[str, int] = {}
        self._of: dict[str, np.ndarray] = {}

    def of(self, text: str) -> np.ndarray:
        found = self._of.get(text)
        if found is None:
            column = self._column
            for gram in set(line_model.grams(text)):
                column.setdefault(gram, len(column))
            found = self._of[text] = np.unique(np.fromiter((column[g] for g in line_model.grams(text)), int))
        return found

    def names_of(self, column: int) -> str:
        if len(self.names) < len(self._column):
            self.names = sorted(self._column, key=self._column.__getitem__)
        return self.names[column]

    def matrix(self, texts: Sequence[str]) -> Any:
        from scipy.sparse import csr_matrix

        columns = [self.of(t) for t in texts]
        indptr = np.concatenate(([0], np.cumsum([len(c) for c in columns])))
        indices = np.concatenate(columns) if columns else np.zeros(0, int)
        return csr_matrix((np.ones(len(indices)), indices, indptr), shape=(len(texts), len(self._column)))


GRAMS = Grams()


def fit_lexicon(datas: Sequence[PageData], args: argparse.Namespace) -> line_model.Lexicon:
    from sklearn.linear_model import LogisticRegression

    chosen = [sampled(d, args) for d in datas]
    docs = [texts[r] for d, rows in zip(datas, chosen) for texts in (d.texts,) for r in rows]
    y = np.concatenate([d.label[rows] for d, rows in zip(datas, chosen)])
    x = GRAMS.matrix(docs)
    lines = np.asarray(x.sum(axis=0)).ravel()
    # An n-gram must be on several lines and several pages (site names are not).
    pages = np.zeros(x.shape[1])
    start = 0
    for rows in chosen:
        pages[np.unique(x.indices[x.indptr[start]:x.indptr[start + len(rows)]])] += 1
        start += len(rows)
    keep = np.flatnonzero((lines >= args.min_lines) & (pages >= args.min_pages))
    # liblinear: the same L2 logistic loss (its intercept penalized too), several times
    # faster than lbfgs on a hundred thousand sparse n-gram columns.
    model = LogisticRegression(C=args.lexicon_c, max_iter=5000, class_weight="balanced", solver="liblinear",
                               random_state=args.seed)
    model.fit(x[:, keep], y)
    weights = dict(sorted((GRAMS.names_of(k), round(float(w), 4)) for k, w in zip(keep, model.coef_[0])
                          if abs(w) >= 0.01))
    return line_model.Lexicon(weights, float(model.intercept_[0]))


def out_of_fold_lexical(datas: Sequence[PageData], args: argparse.Namespace) -> list[np.ndarray]:
    """Each page's lexical columns from a lexicon trained without its site."""
    fold = clean_cv.folds([d.site for d in datas], args.lexicon_folds, args.seed + 1)
    out: list[np.ndarray] = [np.zeros(0)] * len(datas)
    for k in range(args.lexicon_folds):
        lexicon = fit_lexicon([d for d, f in zip(datas, fold) if f != k], args)
        for j, d in enumerate(datas):
            if fold[j] == k:
                out[j] = line_model.lexical_columns(lexicon, d.texts)
    return out


def fit_trees(datas: Sequence[PageData], lexical: Sequence[np.ndarray], args: argparse.Namespace) -> dict:
    """``args.bags`` tree ensembles, each fitted on a bootstrap sample of the sites of
    *datas* (all of them, unsampled, for one), as one ensemble whose log-odds are their mean."""
    if args.bags == 1:
        return fit_ensemble(datas, lexical, args)
    hosts = sorted({d.site for d in datas})
    members = []
    for bag in range(args.bags):
        # Sites, not lines, are drawn: a page is scored by models that never saw its
        # site, and a site's pages share their furniture.
        drawn = Counter(np.random.default_rng([args.seed, bag]).choice(len(hosts), len(hosts)).tolist())
        times = {host: drawn[k] for k, host in enumerate(hosts)}
        sample = [(d, lex) for d, lex in zip(datas, lexical) for _ in range(times[d.site])]
        members.append(fit_ensemble([d for d, _ in sample], [lex for _, lex in sample], args))
    return average(members)


def average(members: Sequence[dict]) -> dict:
    """Tree ensembles (:func:`export_trees`) as one whose log-odds are the mean of theirs."""
    k = len(members)
    trees = [{**tree, "value": [round(v / k, 9) for v in tree["value"]]} for m in members for tree in m["trees"]]
    return {"trees": trees, "baseline": math.fsum(m["baseline"] for m in members) / k,
            "depth": max(m["depth"] for m in members)}


def fit_ensemble(datas: Sequence[PageData], lexical: Sequence[np.ndarray], args: argparse.Namespace) -> dict:
    from sklearn.ensemble import HistGradientBoostingClassifier

    parts = [labelled(d, np.hstack((d.x, lex)), args) for d, lex in zip(datas, lexical) if len(d.x)]
    x = np.vstack([p[0] for p in parts])
    y = np.concatenate([p[1] for p in parts])
    model = HistGradientBoostingClassifier(
        max_iter=args.trees, learning_rate=args.learning_rate, max_leaf_nodes=args.leaves, max_depth=args.depth,
        min_samples_leaf=20, l2_regularization=1.0, class_weight="balanced", random_state=args.seed,
    )
    model.fit(x, y)
    spec = export_trees(model)
    gap = np.abs(line_model.Trees.from_dict(spec).raw(x[:500]) - model.decision_function(x[:500])).max()
    if gap > 1e-4:
        sys.exit(f"exported trees disagree with scikit-learn's by {gap}: fix export_trees")
    return spec


def export_trees(model: Any) -> dict:
    """The fitted ensemble as lists (see mtsum.clean.line_model.Trees)."""
    trees, depth = [], 0
    for (predictor,) in model._predictors:  # one tree per iteration for two classes
        nodes = predictor.nodes
        depth = max(depth, int(nodes["depth"].max()))
        trees.append({
            "feature": nodes["feature_idx"].astype(int).tolist(),
            "threshold": nodes["num_threshold"].astype(float).tolist(),  # rounding would move lines across
            "left": nodes["left"].astype(int).tolist(),
            "right": nodes["right"].astype(int).tolist(),
            "leaf": nodes["is_leaf"].astype(bool).tolist(),
            "value": [round(float(v), 7) for v in nodes["value"]],
        })
    return {"trees": trees, "baseline": float(np.ravel(model._baseline_prediction)[0]), "depth": depth}


def fit(datas: Sequence[PageData], args: argparse.Namespace) -> dict:
    """The whole model trained on *datas*, as the JSON spec (threshold to be set)."""
    lexicon = fit_lexicon(datas, args)
    spec = fit_trees(datas, out_of_fold_lexical(datas, args), args)
    return {"features": list(line_model.FEATURES), "lexicon": lexicon.weights, "lexicon_bias": lexicon.bias,
            **spec, "threshold": 0.5}




def fit_model(datas: Sequence[PageData], args: argparse.Namespace) -> line_model.LineModel:
    return line_model.LineModel.from_dict(fit(datas, args))


# --- scripts/html_restore.py's thresholds (HTML), on cleaning-dev's HTML pages ----------------

RESTORE_SWEEP = tuple(round(0.05 * k, 2) for k in range(11))  # 0.0 to 0.5


class Restore:
    """Cleaned HTML texts of cleaning-dev's pages, by restore threshold, scored by the
    first by-site split's held-out models (see scripts/html_restore.py)."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.texts: list[tuple[dict, dict[float, str]]] = []

    def on_fold(self, split: int, model: line_model.LineModel, held: Sequence[Held]) -> None:
        if split:
            return
        from html_restore import scoring_window, window_scores

        from mtsum.errors import InputError
        from mtsum.io.html import extract_page

        for h in held:
            page = h.data.page
            if page["dataset"] != DEV or not page.get("html"):
                continue
            try:
                extracted = extract_page((self.data_dir / page["html"]).read_bytes())
            except InputError:
                self.texts.append((page, dict.fromkeys(RESTORE_SWEEP, "")))
                continue
            paragraphs, lines = extracted.text.split("\n\n"), list(extracted.lines)
            line_model.use_model(model)
            try:
                scores = window_scores(lines, scoring_window(paragraphs, lines), page["language"])
                texts = {below: html_cleaned(paragraphs, lines, page["language"], below=below, scores=scores)
                         for below in RESTORE_SWEEP}
            finally:
                line_model.use_model(None)
            self.texts.append((page, texts))

    def choose(self, keep: float, per_page: int | None = None) -> dict[str, float]:
        """Per language, the lowest restore threshold whose held-out HTML keep share reaches
        *keep* (the highest swept where none does): the higher, the more menus come back."""
        out = {}
        for lang in sorted({p["language"] for p, _ in self.texts}):
            for below in RESTORE_SWEEP:
                tally = Tally(per_page=per_page)
                for page, texts in self.texts:
                    if page["language"] == lang:
                        tally.add(page, texts[below], 0.0)
                if tally.keep >= keep or below == RESTORE_SWEEP[-1]:
                    out[lang] = below
                    break
        return out


# --- the shipped model ------------------------------------------------------------------


def in_sample(model: line_model.LineModel, datas: Sequence[PageData], per_page: int | None) -> dict:
    held = [Held(d, probabilities(model, d), d.forced) for d in datas]
    out: dict[tuple[str, str], Tally] = defaultdict(lambda: Tally(per_page=per_page))
    for h in held:
        h.add_to(out[h.data.page["dataset"], h.data.language], model.thresholds | {"*": model.threshold})
    return as_figures(out)


def own_pages_report(model: line_model.LineModel) -> str:
    """How the model does on tests/data/scraped (a check, not a choice: nothing is fitted to them)."""
    wrong = Counter()
    line_model.use_model(model)
    try:
        for path in sorted((REPO / "tests" / "data" / "scraped").glob("*.txt")):
            marks, lines = zip(*(raw.partition(" ")[::2] for raw in path.read_text(encoding="utf-8").splitlines()))
            result = clean_paragraphs(list(lines), path.name[:2])
            wrong[path.name[:2], "article lines dropped"] += sum(marks[r.index] in "KT" for r in result.removed)
            wrong[path.name[:2], "boilerplate lines kept"] += sum(marks[i] == "D" for i in result.kept_indices)
    finally:
        line_model.use_model(None)
    found = ", ".join(f"{lang} {what} {n}" for (lang, what), n in sorted(wrong.items()))
    return f"own pages (tests/data/scraped): {found}"


def arguments(description: str) -> argparse.ArgumentParser:
    """The options of the training and its cross-validation (scripts/clean_ceiling.py shares them)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the cleaning-dev folder, where present")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="the committed corpus folder")
    parser.add_argument("--datasets", nargs="*", help="datasets to use (default: all at hand)")
    parser.add_argument("--folds", type=int, default=5, help="folds by site")
    parser.add_argument("--inner-folds", type=int, default=0,
                        help="folds by site for the by-dataset thresholds (0: the by-site held-out pages')")
    parser.add_argument("--lexicon-folds", type=int, default=3, help="folds for the trees' out-of-fold lexicon")
    parser.add_argument("--trees", type=int, default=100, help="trees per ensemble")
    parser.add_argument("--bags", type=int, default=1,
                        help="ensembles averaged, each fitted on a bootstrap sample of the sites")
    parser.add_argument("--learning-rate", type=float, default=0.1)
    parser.add_argument("--leaves", type=int, default=15, help="leaves per tree")
    # Trees x depth is the cost of a page at run time (see mtsum.clean.line_model.Trees).
    parser.add_argument("--depth", type=int, default=5, help="levels per tree")
    parser.add_argument("--lexicon-c", type=float, default=1.0, help="inverse L2 strength of the lexicon")
    parser.add_argument("--min-pages", type=int, default=3, help="pages an n-gram must be on to be learned")
    parser.add_argument("--min-lines", type=int, default=3, help="lines an n-gram must be on to be learned")
    parser.add_argument("--lines-per-page", type=int, default=40, help="labelled lines learned per page, at most")
    parser.add_argument("--rule-sites", type=int, default=2,
                        help="sites a verdict must drop boilerplate on to be borne out, and a rule remove "
                        "article text on to be left out")
    parser.add_argument("--rule-precision", type=float, default=0.9,
                        help="share of a rule's or verdict's labelled removals that must be boilerplate")
    # 40, the Swedish set issue 30 asks for: a threshold chosen on 13 Swedish pages, 7 of
    # them a wiki, forums and blogs, kept nearly every line of Swedish news (0.97).
    parser.add_argument("--language-pages", type=int, default=40,
                        help="pages a language needs for a threshold of its own")
    parser.add_argument("--seed", type=int, default=0, help="the first split's fold assignment")
    parser.add_argument("--splits", type=int, default=3,
                        help="fold assignments by site pooled (more held-out records for the thresholds)")
    parser.add_argument("--keep", type=float, default=0.97, help="held-out keep share to reach")
    parser.add_argument("--per-page", type=int, default=3,
                        help="snippets of each kind a page counts for at most, as on the benchmark pages "
                        "(cleaning-dev's median); 0: every labelled snippet counts once")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = arguments(__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=line_model.MODEL_FILE)
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args(argv)

    started = time.time()
    pages = load_datasets(args.data, args.datasets, args.corpus)
    counts = Counter(p["dataset"] for p in pages)
    print("datasets: " + ", ".join(f"{name} {n} pages" for name, n in sorted(counts.items())), file=sys.stderr)
    prep = Prepared(pages)
    candidates = packaged_rules()
    restore = Restore(args.data)
    by_site, held = site_figures(prep, fit_model, args, candidates, restore.on_fold)
    by_dataset = dataset_figures(prep, fit_model, args, candidates, held)

    off, strong = choices(prep.full, candidates, args.rule_sites, args.rule_precision)
    datas = [prep.get(j, off) for j in range(len(pages))]
    set_strong(datas, strong)
    spec = fit(datas, args)
    borrowed: dict[str, str] = {}
    thresholds = clean_cv.choose_thresholds(held, args.keep, args.language_pages, args.per_page, borrowed)
    spec["threshold"] = thresholds.pop("*")
    # A language with too few pages for a threshold of its own, or whose keep target the
    # model cannot reach (Swedish, so far), takes its nearest language's (clean_cv.NEAREST),
    # else the most conservative one; the file says which.
    languages = Counter(p["language"] for p in pages)
    spec["thresholds"] = {lang: thresholds.get(lang, spec["threshold"]) for lang in sorted({*languages, "sv"})}

    def source(lang: str) -> str:
        why = (f"{languages[lang]} pages, fewer than {args.language_pages}" if languages[lang] < args.language_pages
               else f"{languages[lang]} pages, held-out keeps under {args.keep} even where the model drops nothing")
        if lang not in thresholds:
            return f"the most conservative of the others ({why})"
        if languages[lang] < args.language_pages or lang in borrowed:
            return f"the nearest language's, {clean_cv.NEAREST[lang]} ({why})"
        return f"{args.folds}-fold by site, {languages[lang]} pages"

    spec["threshold_from"] = {lang: source(lang) for lang in spec["thresholds"]}
    spec["strong_verdicts"] = sorted(strong)
    spec["rules_off"] = sorted(off)
    chosen = restore.choose(args.keep, args.per_page)
    if chosen:
        spec["restore_thresholds"], spec["restore_threshold"] = chosen, max(chosen.values())
    elif args.out.is_file():  # no HTML pages at hand: the last choice stands
        old = json.loads(args.out.read_text(encoding="utf-8"))
        spec.update({k: old[k] for k in ("restore_thresholds", "restore_threshold") if k in old})
    model = line_model.LineModel.from_dict(spec)
    figures = {f"{kind}{suffix}": as_figures(tallies[scoring])
               for kind, tallies in (("by_site", by_site), ("by_dataset", by_dataset))
               for scoring, suffix in clean_cv.SCORINGS.items()}
    figures.update({f"in_sample{suffix}": in_sample(model, datas, clean_cv.scoring_per_page(scoring, args.per_page))
                    for scoring, suffix in clean_cv.SCORINGS.items()})
    print(f"\nthresholds: {spec['threshold_from']} -> {spec['thresholds']}; verdicts: {', '.join(sorted(strong))}")
    print(f"packaged rules left out ({len(off)} of {len(candidates)}): {', '.join(sorted(off))}\n")
    for scoring, suffix in clean_cv.SCORINGS.items():
        how = f"at most {args.per_page} snippets of a kind a page" if scoring == "benchmark" else "every snippet"
        print(f"## scored with {how}\n")
        print(table(f"held out, {args.folds}-fold by site, {args.splits} splits pooled", figures["by_site" + suffix])
              + "\n")
        if figures["by_dataset" + suffix]:
            print(table("held out by dataset (trained on the others)", figures["by_dataset" + suffix]) + "\n")
        print(table("in-sample: shipped model on its training pages", figures["in_sample" + suffix]) + "\n")
    print(own_pages_report(model))
    spec["held_out"] = {**figures, "folds": args.folds, "splits": args.splits, "keep_target": args.keep,
                        "per_page": args.per_page}
    spec["trained_on"] = {
        "datasets": dict(sorted(counts.items())),
        "languages": dict(sorted(languages.items())),
        "date": datetime.date.today().isoformat(),
        "command": "scripts/train_clean.py " + " ".join(argv if argv is not None else sys.argv[1:]),
    }
    print(f"done in {time.time() - started:.0f} s", file=sys.stderr)
    if not args.dry_run:
        args.out.write_text(json.dumps(spec, separators=(",", ":")) + "\n", encoding="utf-8")
        print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KiB)", file=sys.stderr)
    return 0


# --- what scripts/clean_ceiling.py reads from here ------------------------------------------


def figures(title: str, tallies: dict[str, Tally]) -> str:
    cells = " | ".join(f"{tallies[lang].keep:.3f} | {tallies[lang].drop:.3f}" for lang in ("de", "en"))
    return f"| {title} | {cells} |"


def folds(pages: Sequence[Any], k: int, seed: int) -> list[int]:
    """A fold number for each page (scripts/train_headline.py's, which have a ``host``)."""
    return clean_cv.folds([getattr(p, "host", None) or p.site for p in pages], k, seed)


def prepare_all(data_dir: Path, started: float) -> list[PageData]:
    return Prepared(load_datasets(data_dir)).full


def cross_validate(datas: Sequence[PageData], args: argparse.Namespace, html: Any, started: float
                   ) -> tuple[list[list[np.ndarray]], list]:
    """Per split, each page's held-out probabilities, in *datas*' order."""
    for name, default in (("rule_sites", 2), ("rule_precision", 0.9), ("lexicon_folds", 3), ("lines_per_page", 40)):
        setattr(args, name, getattr(args, name, default))
    prep = Prepared([d.page for d in datas])
    splits = clean_cv.by_site(prep, range(len(datas)), fit_model, args, packaged_rules(), args.splits, args.folds)
    return [[h.p for h in held] for held in splits], []


def choose_thresholds(datas: Sequence[PageData], probs: Sequence[np.ndarray], keep: float,
                      per_page: int | None = None) -> dict[str, float]:
    return clean_cv.choose_thresholds([Held(d, p, d.forced) for d, p in zip(datas, probs)], keep, per_page=per_page)


if __name__ == "__main__":
    sys.exit(main())
