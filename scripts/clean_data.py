"""The annotated pages scripts/train_clean.py learns from, prepared, and the choices it
makes on training folds alone: which packaged YAML rules and which hand-written verdicts
plain-text cleaning keeps.

Datasets: ``../shared/cleaning-dev`` when present (its README; never copied into the
repository) and the committed corpus ``data/cleaning/<dataset>.jsonl.gz`` (same keys
plus ``dataset`` and ``site``; built by scripts/clean_corpus.py). A page's lines that
hold part of a ``with`` snippet are labelled *keep*, those holding part of a
``without`` snippet *drop*; the others are not learned from.

A hand-written verdict is *borne out* by a set of training pages when the lines it
drops there are boilerplate on at least ``--rule-sites`` sites and article text in at
most ``1 - --rule-precision`` of the labelled lines it drops; only then does it drop a
line whatever the model says. A packaged rule is left out for a fold when the training
pages *speak against* it: it removes article text on at least ``--rule-sites`` sites,
and in more than ``1 - --rule-precision`` of the labelled lines it removes. Rules the
training pages say nothing about stay: most name general furniture (comment forms,
embed consent buttons) or Swedish wording that the few Swedish pages never show, and
a rule that fires on one held-out site only moves that site's figures by the lines it
removes (the README counts them).
"""

from __future__ import annotations

import contextlib
import gzip
import json
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from eval_clean import DEFAULT_DATA, Tally, collapse  # noqa: E402

from mtsum.clean import clean_paragraphs, cleaner, line_model, load_rules, normalize_paragraph  # noqa: E402

CORPUS = REPO / "data" / "cleaning"
DEV = "cleaning-dev"
# The hand-written verdicts that may drop a line whatever the model says (mtsum.clean.features).
VERDICTS = ("link", "site-furniture", "furniture-prose", "menu-row", "related-list", "above-headline")


def host_of(url: str) -> str:
    parsed = urlparse(url or "")
    host = parsed.netloc
    if host == "web.archive.org":  # the archived site is in the path
        parts = [p for p in parsed.path.split("/") if "." in p and not p.startswith("http")]
        host = parts[0] if parts else host
    return host.removeprefix("www.") or (url or "?")


def corpus_names(corpus: Path = CORPUS) -> list[str]:
    return sorted(p.name.removesuffix(".jsonl.gz") for p in corpus.glob("*.jsonl.gz"))


def load_datasets(dev: Path | None = DEFAULT_DATA, names: Sequence[str] | None = None,
                  corpus: Path = CORPUS) -> list[dict]:
    """Every page of the datasets *names* (default: the committed corpus, and cleaning-dev
    when *dev* holds it), each with ``dataset``, ``site`` and a unique ``key``."""
    have_dev = dev is not None and (dev / "pages.jsonl").is_file()
    wanted = list(names) if names else [*corpus_names(corpus), *([DEV] if have_dev else [])]
    pages = []
    for name in wanted:
        if name == DEV:
            path = (dev or DEFAULT_DATA) / "pages.jsonl"
            if not path.is_file():
                sys.exit(f"{path} not found: pass --data DIR (the cleaning-dev folder) or leave {DEV} out")
            rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
            rows = [{**p, "dataset": DEV, "site": host_of(p.get("url", ""))} for p in rows]
        else:
            path = corpus / f"{name}.jsonl.gz"
            if not path.is_file():
                sys.exit(f"{path} not found: the datasets are {', '.join(corpus_names(corpus)) or 'none'}")
            with gzip.open(path, "rt", encoding="utf-8") as f:
                rows = [json.loads(line) for line in f if line.strip()]
            rows = [{**p, "dataset": p.get("dataset", name), "site": p.get("site") or host_of(p.get("url", ""))}
                    for p in rows]
        pages += [{**p, "key": f"{p['dataset']}/{p.get('id', k)}"} for k, p in enumerate(rows)]
    return pages


@dataclass
class PageData:
    page: dict
    rows: list[int]
    x: np.ndarray
    guard: np.ndarray
    label: np.ndarray  # per row: 1 drop, 0 keep, -1 unknown
    title: str | None
    kept: list[tuple[int, str]]
    verdict: list[str]  # per row: its hand-written verdict ("" for none)
    header: np.ndarray  # per row: in the header above a headline near the top
    removed_by: dict[str, tuple[int, int]] = field(default_factory=dict)  # rule: (keep, drop) lines
    # The rows a verdict drops whatever the model says, for the verdicts in use (set_strong).
    forced: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))

    @property
    def texts(self) -> list[str]:
        return [normalize_paragraph(self.page["lines"][i]) for i in self.rows]

    @property
    def site(self) -> str:
        return self.page.get("site") or host_of(self.page.get("url", ""))

    @property
    def language(self) -> str:
        return self.page["language"]

    def strong_rows(self, strong: Iterable[str]) -> np.ndarray:
        chosen = set(strong)
        out = np.array([v in chosen and v != "above-headline" for v in self.verdict], dtype=bool)
        return out | self.header if "above-headline" in chosen else out


def set_strong(datas: Iterable[PageData], strong: Iterable[str]) -> None:
    chosen = tuple(strong)
    for d in datas:
        d.forced = d.strong_rows(chosen)


@contextlib.contextmanager
def recording(module: Any, name: str, keep: Callable[..., Any] = lambda args, out: out) -> Iterator[list[Any]]:
    """Collect ``keep(args, result)`` of each call of ``module.name`` while inside."""
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


def never_model(rules_off: Iterable[str] = ()) -> line_model.LineModel:
    """A model that drops nothing, no verdict forced: a page as the rules alone leave it."""
    never = {"trees": [{"feature": [0], "threshold": [0.0], "left": [0], "right": [0], "leaf": [True],
                        "value": [0.0]}], "baseline": 0.0, "depth": 0}
    return line_model.LineModel(line_model.Lexicon({}, 0.0), line_model.Trees.from_dict(never), 2.0,
                                strong=frozenset(), rules_off=frozenset(rules_off))


def prepare(page: dict, rules_off: Iterable[str] = ()) -> PageData:
    """Clean *page* with a model that drops nothing (the packaged rules less *rules_off*),
    recording the model's input, each row's verdict and label, and each rule's removals."""
    line_model.use_model(never_model(rules_off))
    try:
        with recording(cleaner, "decide", lambda args, out: args) as asked, recording(line_model, "matrix") as seen:
            result = clean_paragraphs(page["lines"], page["language"])
    finally:
        line_model.use_model(None)
    empty = ([], np.zeros((0, len(line_model.STRUCTURE_FEATURES))), np.zeros(0, bool))
    rows, x, guard = seen[0] if seen else empty
    spans = line_spans(page["lines"])
    keep_lines, drop_lines = lines_of(page["with"], spans), lines_of(page["without"], spans)
    label = np.array([0 if i in keep_lines else 1 if i in drop_lines else -1 for i in rows], dtype=int)
    verdict, header = [""] * len(rows), np.zeros(len(rows), bool)
    if asked:
        analysis, above, head = asked[0][1], set(asked[0][2]), set(asked[0][6])
        verdict = [page_verdict(analysis.drops.get(i), i in above) for i in rows]
        header = np.array([i in head for i in rows], dtype=bool)
    removed_by: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in result.removed:
        if r.rule and ":" in r.rule and not r.rule.startswith("classifier:"):
            removed_by[r.rule][0] += r.index in keep_lines
            removed_by[r.rule][1] += r.index in drop_lines and r.index not in keep_lines
    kept = list(zip(result.kept_indices, result.paragraphs))
    data = PageData(page, rows, x, guard, label, result.title, kept, verdict, header,
                    {k: (a, b) for k, (a, b) in removed_by.items()})
    set_strong([data], VERDICTS)
    return data


def page_verdict(drop: str | None, above: bool) -> str:
    if drop:
        return drop.split(":")[1]
    return "above-headline" if above else ""


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


class Prepared:
    """Pages prepared once per set of rules left out that touches them (most folds leave
    out rules that never fire on most pages)."""

    def __init__(self, pages: Sequence[dict]) -> None:
        started = time.time()
        self.pages = list(pages)
        self.full = [prepare(p) for p in self.pages]
        self._cache: dict[tuple[str, frozenset[str]], PageData] = {}
        print(f"prepared {len(self.full)} pages in {time.time() - started:.0f} s", file=sys.stderr)

    def get(self, j: int, rules_off: frozenset[str]) -> PageData:
        touched = frozenset(rules_off & self.full[j].removed_by.keys())
        if not touched:
            return self.full[j]
        key = (self.pages[j]["key"], touched)
        if key not in self._cache:
            self._cache[key] = prepare(self.pages[j], touched)
        return self._cache[key]


def packaged_rules() -> list[str]:
    """The packaged rules that remove lines (not the prefix rules, which cut a marker and
    keep the line), over the languages the rules files are for."""
    names = {r.name for lang in ("de", "en", "sv") for r in load_rules(lang) if r.packaged and r.kind != "prefix"}
    return sorted(names)


def evidence(datas: Iterable[PageData]) -> dict[str, tuple[int, int, int, int]]:
    """Per rule and verdict: (article lines, boilerplate lines, sites with boilerplate,
    sites with article text) it removes."""
    keep: Counter[str] = Counter()
    drop: Counter[str] = Counter()
    sites: dict[str, set[str]] = defaultdict(set)
    harmed: dict[str, set[str]] = defaultdict(set)
    for d in datas:
        found = {name: counts for name, counts in d.removed_by.items()}
        for v in VERDICTS:
            rows = d.strong_rows([v]) & (d.label >= 0)
            found[f"classifier:{v}"] = (int((d.label[rows] == 0).sum()), int((d.label[rows] == 1).sum()))
        for name, (k, b) in found.items():
            keep[name] += k
            drop[name] += b
            if b:
                sites[name].add(d.site)
            if k:
                harmed[name].add(d.site)
    return {name: (keep[name], drop[name], len(sites[name]), len(harmed[name])) for name in keep.keys() | drop.keys()}


def borne_out(found: dict[str, tuple[int, ...]], sites: int, precision: float) -> set[str]:
    """The rules and verdicts *found* (:func:`evidence`) bears out."""
    return {name for name, (k, b, s, *_) in found.items() if s >= sites and b >= precision * (k + b)}


def spoken_against(found: dict[str, tuple[int, int, int, int]], sites: int, precision: float) -> set[str]:
    """The rules and verdicts *found* speaks against: article text on *sites* sites or
    more, and more than ``1 - precision`` of the labelled lines they remove."""
    return {name for name, (k, b, _, harmed) in found.items() if harmed >= sites and b < precision * (k + b)}


def choices(datas: Sequence[PageData], candidates: Sequence[str], sites: int, precision: float
            ) -> tuple[frozenset[str], frozenset[str]]:
    """(packaged rules to leave out, verdicts that drop whatever the model says), from *datas* alone.

    The two are judged alike but from opposite sides. A verdict overrules the model, so it
    must be borne out; a rule is a line's own wording, so it stays unless the pages speak
    against it. One site is never enough either way: a rule that removes one site's
    author line, which that site's ground truth counts as article text, stays, as a
    verdict that one site's menus bear out does not drop against the model."""
    found = evidence(datas)
    good = borne_out(found, sites, precision)
    against = spoken_against(found, sites, precision)
    return (frozenset(r for r in candidates if r in against),
            frozenset(v for v in VERDICTS if f"classifier:{v}" in good))


def cleaned(data: PageData, drop: np.ndarray) -> str:
    gone = {data.rows[r] for r in np.flatnonzero(drop)}
    kept = [text for i, text in data.kept if i not in gone]
    return " ".join(([data.title] if data.title else []) + kept)


def model_drops(data: PageData, p: np.ndarray, thresholds: dict[str, float]) -> np.ndarray:
    """The rows cleaning drops, given the model's probabilities *p*: above the language's
    threshold and unguarded, or forced by a verdict in use."""
    if not len(p):
        return np.zeros(0, bool)
    t = thresholds.get(data.language, thresholds.get("*", max(thresholds.values())))
    forced = data.forced if len(data.forced) == len(p) else np.zeros(len(p), bool)
    return ((p >= t) & ~data.guard) | forced


def tally_drops(datas: Sequence[PageData], drops: Iterable[np.ndarray], per_page: int | None = None
                ) -> dict[str, Tally]:
    """The eval's keep/drop shares by language when each page loses the rows *drops* marks
    (at most *per_page* snippets of a kind a page: eval_clean.Tally)."""
    out: dict[str, Tally] = defaultdict(lambda: Tally(per_page=per_page))
    for data, drop in zip(datas, drops):
        out[data.language].add(data.page, cleaned(data, drop), 0.0)
    return out


def tally(datas: Sequence[PageData], probs: Sequence[np.ndarray], thresholds: dict[str, float]) -> dict[str, Tally]:
    return tally_drops(datas, (model_drops(d, p, thresholds) for d, p in zip(datas, probs)))
