"""Train the line model of the boilerplate classifier (mtsum/clean/data/line_model.json).

Each line of the annotated dev pages (``../shared/cleaning-dev/pages.jsonl``, see
scripts/eval_clean.py) that holds part of a ``with`` snippet is labelled *keep*, one
that holds part of a ``without`` snippet *drop*; lines holding neither are not used.
Lines the YAML rules, captions and duplicates remove stay removed and are not learned.

Two models, both fitted with scikit-learn (a training-time dependency only: the
product reads the exported JSON with numpy):

1. the lexicon: logistic regression over the words and word pairs of a line that
   occur on at least ``--min-pages`` pages;
2. gradient-boosted trees over the structure features, the lexicon's score and its
   neighbours' scores. The lexicon score they are trained on is out-of-fold (from a
   lexicon that never saw the page's site), as it will be on a new page. With
   ``--bags K`` (K > 1), K ensembles are fitted, each on a bootstrap sample of the
   sites, and averaged (bagging). The shipped model is one ensemble: bagging measured
   better held out, but by about what its own bootstrap draws move it, at three times
   the trees' run time (README, "Cleaning accuracy").

Honest figures come from K-fold cross-validation split by site (the URL's host): each
page is scored by models that never saw its site, and the cross-validation is repeated
over ``--splits`` different assignments of sites to folds. Each language's decision
threshold is the lowest whose held-out *keep* share (the eval's snippet measure), pooled
over the splits, reaches ``--keep`` on that language's pages (other languages get the
highest of them): one split's threshold moves with where a few sites fall (English's
from 0.889 to 0.915 between splits). The models saved are then trained on all pages and
used with those.

mtsum.clean.restore's thresholds are chosen the same way on the 120 pages with HTML: each
page's own lines (html-text's, as shipped) are scored by the fold's models, the lines
below a threshold are restored into trafilatura's text and the result cleaned as for
HTML input; per language the lowest threshold whose pooled keep share reaches
``--keep`` is written with the model.

    python scripts/train_clean.py                 # cross-validate, train, write the model
    python scripts/train_clean.py --dry-run       # figures only
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import math
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from eval_clean import DEFAULT_DATA, LANGUAGES, Tally, collapse, html_cleaned, load_pages  # noqa: E402

from mtsum.clean import (  # noqa: E402
    clean_paragraphs,
    line_model,
    line_scores,
    normalize_paragraph,
)
from mtsum.clean.restore import scoring_window, window_scores  # noqa: E402


@dataclass
class PageData:
    page: dict
    rows: list[int]
    x: np.ndarray
    guard: np.ndarray
    label: np.ndarray  # 1 drop, 0 keep, -1 unknown
    title: str | None
    kept: list[tuple[int, str]]
    host: str

    @property
    def texts(self) -> list[str]:
        return [normalize_paragraph(self.page["lines"][i]) for i in self.rows]


def host_of(url: str) -> str:
    parsed = urlparse(url or "")
    host = parsed.netloc
    if host == "web.archive.org":  # the archived site is in the path
        parts = [p for p in parsed.path.split("/") if "." in p and not p.startswith("http")]
        host = parts[0] if parts else host
    return host.removeprefix("www.") or (url or "?")


@contextlib.contextmanager
def recording(module: Any, name: str, keep: Callable[..., Any] = lambda args, out: out) -> Iterator[list[Any]]:
    """Collect ``keep(args, result)`` of each call of ``module.name`` while inside (what a
    model is given: :func:`mtsum.clean.line_model.matrix`'s rows, features and guard)."""
    recorded: list[Any] = []
    original = getattr(module, name)

    def record(*args):
        out = original(*args)
        recorded.append(keep(args, out))
        return out

    setattr(module, name, record)
    try:
        yield recorded
    finally:
        setattr(module, name, original)


def prepare(page: dict) -> PageData:
    """Run the rules with a model that drops nothing, recording the model's input."""
    with recording(line_model, "matrix") as recorded:
        result = clean_paragraphs(page["lines"], page["language"])
    empty = ([], np.zeros((0, len(line_model.STRUCTURE_FEATURES))), np.zeros(0, bool))
    rows, x, guard = recorded[0] if recorded else empty
    label = np.full(len(rows), -1)
    spans = line_spans(page["lines"])
    keep_lines = lines_of(page["with"], spans)
    drop_lines = lines_of(page["without"], spans)
    for r, i in enumerate(rows):
        if i in keep_lines:
            label[r] = 0
        elif i in drop_lines:
            label[r] = 1
    kept = list(zip(result.kept_indices, result.paragraphs))
    return PageData(page, rows, x, guard, label, result.title, kept, host_of(page["url"]))


def line_spans(lines: Sequence[str]) -> tuple[str, list[tuple[int, int, int]]]:
    parts, spans, pos = [], [], 0
    for i, line in enumerate(lines):
        text = collapse(normalize_paragraph(line))
        if not text:
            continue
        spans.append((pos, pos + len(text), i))
        parts.append(text)
        pos += len(text) + 1
    return " ".join(parts), spans


def lines_of(snippets: Sequence[str], spans: tuple[str, list[tuple[int, int, int]]]) -> set[int]:
    source, where = spans
    out: set[int] = set()
    for snippet in map(normalize_paragraph, snippets):
        if not snippet:
            continue
        start = source.find(snippet)
        while start >= 0:
            end = start + len(snippet)
            out.update(i for a, b, i in where if a < end and b > start)
            start = source.find(snippet, start + 1)
    return out


def cleaned(data: PageData, drop: np.ndarray) -> str:
    gone = {data.rows[r] for r in np.flatnonzero(drop)}
    kept = [text for i, text in data.kept if i not in gone]
    return " ".join(([data.title] if data.title else []) + kept)


def model_drops(data: PageData, p: np.ndarray, thresholds: dict[str, float]) -> np.ndarray:
    """The rows LineModel.decide drops, given their probabilities *p*."""
    return (p >= thresholds[data.page["language"]]) & ~data.guard if len(p) else np.zeros(0, bool)


def tally_drops(datas: Sequence[PageData], drops: Iterable[np.ndarray]) -> dict[str, Tally]:
    """The eval's keep/drop shares when each page loses the rows *drops* marks."""
    out = {lang: Tally() for lang in LANGUAGES}
    for data, drop in zip(datas, drops):
        out[data.page["language"]].add(data.page, cleaned(data, drop), 0.0)
    return out


def tally(datas: Sequence[PageData], probs: Sequence[np.ndarray], thresholds: dict[str, float]) -> dict[str, Tally]:
    """The eval's keep/drop shares with the decision rule of LineModel.decide."""
    return tally_drops(datas, (model_drops(d, p, thresholds) for d, p in zip(datas, probs)))


def folds(datas: Sequence[PageData], k: int, seed: int) -> list[int]:
    """A fold number for each page: all pages of a site in one fold."""
    hosts = sorted({d.host for d in datas})
    fold_of = dict(zip(np.random.default_rng(seed).permutation(hosts), np.arange(len(hosts)) % k))
    return [int(fold_of[d.host]) for d in datas]


def labelled(d: PageData, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return x[d.label >= 0], d.label[d.label >= 0]


def fit_lexicon(datas: Sequence[PageData], args: argparse.Namespace) -> line_model.Lexicon:
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression

    docs = [t for d in datas for t, y in zip(d.texts, d.label) if y >= 0]
    y = np.concatenate([d.label[d.label >= 0] for d in datas])
    # min_df counts lines, so a word must also be on several pages (site names are not).
    vectorizer = CountVectorizer(analyzer=line_model.grams, binary=True, min_df=args.min_lines)
    x = vectorizer.fit_transform(docs)
    pages = np.zeros(x.shape[1])
    for d in datas:
        seen = vectorizer.transform([t for t, lab in zip(d.texts, d.label) if lab >= 0] or [""])
        pages += np.asarray(seen.max(axis=0).todense()).ravel() > 0
    keep = pages >= args.min_pages
    model = LogisticRegression(C=args.lexicon_c, max_iter=5000, class_weight="balanced")
    model.fit(x[:, keep], y)
    names = vectorizer.get_feature_names_out()[keep]
    weights = {str(n): round(float(w), 4) for n, w in zip(names, model.coef_[0]) if abs(w) >= 0.01}
    return line_model.Lexicon(weights, float(model.intercept_[0]))


def out_of_fold_lexical(datas: Sequence[PageData], args: argparse.Namespace) -> list[np.ndarray]:
    """Each page's lexical columns from a lexicon trained without its site."""
    fold = folds(datas, args.folds, args.seed + 1)
    out: list[np.ndarray] = [np.zeros(0)] * len(datas)
    for k in range(args.folds):
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
    hosts = sorted({d.host for d in datas})
    members = []
    for bag in range(args.bags):
        # Sites, not lines, are drawn: a page is scored by models that never saw its
        # site, and a site's pages share their furniture.
        drawn = Counter(np.random.default_rng([args.seed, bag]).choice(len(hosts), len(hosts)).tolist())
        times = {host: drawn[k] for k, host in enumerate(hosts)}
        sample = [(d, lex) for d, lex in zip(datas, lexical) for _ in range(times[d.host])]
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

    parts = [labelled(d, np.hstack((d.x, lex))) for d, lex in zip(datas, lexical) if len(d.x)]
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


def probabilities(model: line_model.LineModel, d: PageData) -> np.ndarray:
    if not len(d.x):
        return np.zeros(0)
    return model.probability(model.features(d.texts, d.x))


def choose_thresholds(datas: Sequence[PageData], probs: Sequence[np.ndarray], keep: float) -> dict[str, float]:
    """Per language, the lowest threshold (dropping the most) whose keep share reaches *keep*.

    Keep grows with the threshold, so bisection finds it. One threshold per language:
    with a single one, the language that needs it highest (English) would set it for
    both, and German would keep more than it has to.
    """
    out = {}
    for lang in LANGUAGES:
        mine = [(d, p) for d, p in zip(datas, probs) if d.page["language"] == lang]

        def enough(t: float, lang: str = lang, mine: list = mine) -> bool:
            tallies = tally([d for d, _ in mine], [p for _, p in mine], {lang: t})
            return tallies[lang].keep >= keep or not tallies[lang].keep_total

        low, high = 0.0, 1.0
        for _ in range(14):
            mid = (low + high) / 2
            low, high = (low, mid) if enough(mid) else (mid, high)
        out[lang] = math.ceil(high * 1e4) / 1e4  # rounded up: rounding down could drop a line bisection kept
    return out


OWN_PAGES = REPO / "tests" / "data" / "scraped"


def own_pages() -> list[tuple[str, list[str], list[str]]]:
    """(language, marks, lines) of each of our own pages (see tests/data/scraped/README.md)."""
    out = []
    for path in sorted(OWN_PAGES.glob("*.txt")):
        marks, lines = [], []
        for raw in path.read_text(encoding="utf-8").splitlines():
            mark, _, text = raw.partition(" ")
            marks.append(mark)
            lines.append(text)
        out.append((path.name[:2], marks, lines))
    return out


def own_page_errors(model: line_model.LineModel, language: str, marks: list[str],
                    lines: list[str]) -> tuple[list[float], list[float]]:
    """On one of our own pages: P(boilerplate) of the article lines *model* drops, and of
    the boilerplate lines it keeps though a lower threshold would drop them (weighed,
    not guarded prose)."""
    line_model.use_model(model)
    try:
        with recording(line_model, "matrix") as recorded:
            scores = line_scores(lines, language)
            result = clean_paragraphs(lines, language)
    finally:
        line_model.use_model(None)
    rows, _, guard = recorded[-1]
    guarded = {i for i, g in zip(rows, guard) if g}
    gone = {r.index for r in result.removed}
    dropped = [scores[i] for i in gone if marks[i] in "KT" and i in scores]
    kept = [scores[i] for i in result.kept_indices if marks[i] == "D" and i in scores and i not in guarded]
    return dropped, kept


def respect_own_pages(model: line_model.LineModel, chosen: dict[str, float]) -> tuple[dict[str, float], float]:
    """Per-language thresholds and the default, so that the model drops no article line
    of our own Swedish and German pages (tests/test_clean_scraped.py).

    Those pages are a requirement, not training data: the model never learns from
    them. A dev language's threshold only goes up (keeps more) for them. Swedish has
    no dev pages: its threshold starts from the most conservative dev one, which is
    then fitted to our Swedish pages: lowered while boilerplate lines the model weighed
    stay, never as far as dropping one of their article lines.
    """
    thresholds = dict(chosen)
    default = max(chosen.values())
    pages = own_pages()

    def errors(language: str, t: float) -> tuple[list[float], list[float]]:
        probe = dataclasses.replace(model, threshold=default, thresholds={**thresholds, language: t})
        found = [own_page_errors(probe, language, marks, lines) for lang, marks, lines in pages if lang == language]
        return [p for d, _ in found for p in d], [p for _, k in found for p in k]

    def above(p: float) -> float:
        return math.ceil((p + 1e-4) * 1e4) / 1e4

    for language in sorted({lang for lang, _, _ in pages}):
        current = thresholds.get(language, default)
        while (dropped := errors(language, current)[0]):  # raise for article lines
            current = above(max(dropped))
        if language not in chosen:
            while True:  # lower for boilerplate lines, one at a time
                kept = [p for p in errors(language, current)[1] if p < current]
                lower = math.floor(max(kept) * 1e4) / 1e4 if kept else current
                if lower >= current or errors(language, lower)[0]:
                    break
                current = lower
        if current != thresholds.get(language):
            print(f"own {language} pages: threshold {thresholds.get(language, default)} -> {current}", file=sys.stderr)
        thresholds[language] = current
    return thresholds, max(default, *(thresholds[lang] for lang in chosen))


def figures(title: str, tallies: dict[str, Tally]) -> str:
    cells = " | ".join(f"{tallies[lang].keep:.3f} | {tallies[lang].drop:.3f}" for lang in LANGUAGES)
    return f"| {title} | {cells} |"


RESTORE_SWEEP = tuple(round(0.05 * k, 2) for k in range(11))  # 0.0 to 0.5


def extracted_pages(datas: Sequence[PageData], data_dir: Path) -> dict[int, tuple[list[str], list[str]]]:
    """trafilatura's paragraphs and html-text's page lines of each page with HTML, by page position."""
    from mtsum.errors import InputError
    from mtsum.extract import extract_page

    out = {}
    for j, d in enumerate(datas):
        if d.page.get("html"):
            try:
                page = extract_page((data_dir / d.page["html"]).read_bytes())
                out[j] = (page.text.split("\n\n"), list(page.lines))
            except InputError:
                out[j] = ([], [])
    return out


def held_out_scores(model: line_model.LineModel, d: PageData, paragraphs: list[str],
                    page_lines: list[str]) -> dict[int, float]:
    """P(boilerplate) by *model* of the HTML page's own lines (html-text's) that
    mtsum.clean.restore scores, by index in *page_lines*, as shipped."""
    line_model.use_model(model)
    try:
        return window_scores(page_lines, scoring_window(paragraphs, page_lines), d.page["language"])
    finally:
        line_model.use_model(None)


def restored_texts(d: PageData, scores: dict[int, float], paragraphs: list[str],
                   page_lines: list[str]) -> dict[float, str]:
    """The cleaned text of trafilatura + mtsum.clean.restore + cleaning, by restore threshold, with
    *scores* of *page_lines* from a model that never saw the page's site."""
    if not paragraphs:
        return dict.fromkeys(RESTORE_SWEEP, "")
    return {below: html_cleaned(paragraphs, page_lines, d.page["language"], below=below, scores=scores)
            for below in RESTORE_SWEEP}


def choose_restore(datas: Sequence[PageData], restored: Sequence[dict[int, dict[float, str]]],
                   keep: float) -> tuple[dict[str, float], dict[float, dict[str, Tally]]]:
    """Per language, the lowest restore threshold whose held-out HTML keep share, pooled
    over the splits, reaches *keep* (the highest swept where none does); and the sweep.

    Lowest, as with the decision thresholds: the higher it is, the more menus and teasers
    come back with the article lines.
    """
    table = {}
    for below in RESTORE_SWEEP:
        out = {lang: Tally() for lang in LANGUAGES}
        for texts_of in restored:
            for j, texts in texts_of.items():
                out[datas[j].page["language"]].add(datas[j].page, texts[below], 0.0)
        table[below] = out
    chosen = {}
    for lang in LANGUAGES:
        reaching = [below for below in RESTORE_SWEEP if table[below][lang].keep >= keep]
        chosen[lang] = reaching[0] if reaching else RESTORE_SWEEP[-1]
    return chosen, table


def cross_validate(
    datas: Sequence[PageData], args: argparse.Namespace, html: dict[int, tuple[list[str], list[str]]], started: float
) -> tuple[list[list[np.ndarray]], list[dict[int, dict[float, str]]]]:
    """Per split, each page's held-out probabilities and each HTML page's cleaned text by restore threshold."""
    splits: list[list[np.ndarray]] = []
    restored: list[dict[int, dict[float, str]]] = []
    for split in range(args.splits):
        fold = folds(datas, args.folds, args.seed + split)
        held: list[np.ndarray] = [np.zeros(0)] * len(datas)
        texts: dict[int, dict[float, str]] = {}
        for k in range(args.folds):
            model = line_model.LineModel.from_dict(fit([d for d, f in zip(datas, fold) if f != k], args))
            for j, d in enumerate(datas):
                if fold[j] == k:
                    held[j] = probabilities(model, d)
                    if j in html:
                        paragraphs, page_lines = html[j]
                        scores = held_out_scores(model, d, paragraphs, page_lines)
                        texts[j] = restored_texts(d, scores, paragraphs, page_lines)
        splits.append(held)
        restored.append(texts)
        print(f"split {split + 1}/{args.splits} done at {time.time() - started:.0f} s", file=sys.stderr)
    return splits, restored


def arguments(description: str) -> argparse.ArgumentParser:
    """The options of the training and its cross-validation (scripts/clean_ceiling.py shares them)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--folds", type=int, default=5)
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
    parser.add_argument("--seed", type=int, default=0, help="the first split's fold assignment")
    parser.add_argument("--splits", type=int, default=3, help="fold assignments the thresholds are pooled over")
    parser.add_argument("--keep", type=float, default=0.97, help="held-out keep share to reach")
    return parser


def prepare_all(data_dir: Path, started: float) -> list[PageData]:
    """Every dev page, prepared (:func:`prepare`)."""
    # A model that drops nothing, so the recorded page is the rules' output alone.
    never = {"trees": [{"feature": [0], "threshold": [0.0], "left": [0], "right": [0], "leaf": [True],
                        "value": [0.0]}], "baseline": 0.0, "depth": 0}
    line_model.use_model(line_model.LineModel(line_model.Lexicon({}, 0.0), line_model.Trees.from_dict(never), 2.0))
    try:
        datas = [prepare(p) for p in load_pages(data_dir)]
    finally:
        line_model.use_model(None)
    print(f"prepared {len(datas)} pages in {time.time() - started:.0f} s", file=sys.stderr)
    return datas


def main(argv: Sequence[str] | None = None) -> int:
    parser = arguments(__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=line_model.MODEL_FILE)
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args(argv)

    started = time.time()
    datas = prepare_all(args.data, started)

    splits, restored = cross_validate(datas, args, extracted_pages(datas, args.data), started)
    every_page = datas * args.splits  # pooled: each page once per split, with that split's probabilities
    every_held = [p for held in splits for p in held]
    chosen = choose_thresholds(every_page, every_held, args.keep)
    spec = fit(datas, args)
    spec["thresholds"], spec["threshold"] = respect_own_pages(line_model.LineModel.from_dict(spec), chosen)
    thresholds = spec["thresholds"]
    full = line_model.LineModel.from_dict(spec)
    fitted = [probabilities(full, d) for d in datas]
    print("| line model | German: keeps | German: drops | English: keeps | English: drops |\n|---|---:|---:|---:|---:|")
    pooled = tally(every_page, every_held, chosen)
    named = ", ".join(f"{lang} {t:.3f}" for lang, t in chosen.items())
    print(figures(f"held out ({args.folds}-fold by site, {args.splits} splits pooled), thresholds for keeps "
                  f"{args.keep}: {named}", pooled))
    for split, held_split in enumerate(splits):
        print(figures(f"held out, split {split} (--seed {args.seed + split}), those thresholds",
                      tally(datas, held_split, chosen)))
    named = ", ".join(f"{lang} {t:.3f}" for lang, t in thresholds.items())
    print(figures(f"held out, pooled, shipped thresholds (own pages kept): {named}",
                  tally(every_page, every_held, thresholds)))
    print(figures("fit on all dev pages, shipped thresholds", tally(datas, fitted, thresholds)))
    restore, sweep = choose_restore(datas, restored, args.keep)
    spec["restore_thresholds"], spec["restore_threshold"] = restore, max(restore.values())
    print(f"\n| HTML, held out ({args.splits} splits pooled): restore below | German: keeps | German: drops "
          "| English: keeps | English: drops |\n|---|---:|---:|---:|---:|")
    for below, out in sweep.items():
        marks = " / ".join(f"{lang} chosen" for lang, b in restore.items() if b == below)
        print(figures(f"{below:.2f}" + (f" ({marks})" if marks else ""), out))
    if not args.dry_run:
        spec["trained_on"] = (
            f"{len(datas)} pages of cleaning-dev; scripts/train_clean.py --bags {args.bags} --trees {args.trees} "
            f"--learning-rate {args.learning_rate} --leaves {args.leaves} --depth {args.depth} --keep {args.keep} "
            f"--splits {args.splits}"
        )
        args.out.write_text(json.dumps(spec, separators=(",", ":")) + "\n", encoding="utf-8")
        print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KiB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
