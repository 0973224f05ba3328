"""Score HTML extraction on annotated pages: mtsum's HTML path beside trafilatura alone.

Every method reads a page's HTML and returns the text it keeps. Two scores, per
dataset and language, all methods on the same pages in the same run:

- *keep* / *drop*, where a page has ``with`` / ``without`` snippets (scoring as in
  ``../shared/cleaning-dev/README.md``): of the snippets found in the page flattened
  to lines (joined by spaces, whitespace collapsed), the share of ``with`` snippets
  still in the kept text, and the share of ``without`` snippets gone from it.
- token *precision* / *recall* / *F1* of the article body, where a page has its
  ground-truth text (``truth``): the kept text and the truth as bags of lower-cased
  word tokens (``\\w+``), precision and recall per page (an empty side scores 0),
  averaged over pages; F1 is the harmonic mean of the two averages, as common
  extraction benchmarks report it.

Pages (``scripts/clean_corpus.py``): the 120 pages with HTML of
``../shared/cleaning-dev`` (the pages mtsum's HTML settings were chosen on, so
in-sample), and the committed corpus ``data/cleaning/*.jsonl.gz``, held-out; one
table per dataset and language. Only sv, de and en pages are scored (what mtsum reads).

    python scripts/eval_html.py                   # trafilatura default, trafilatura as mtsum calls it, mtsum
    python scripts/eval_html.py --compare         # also trafilatura's options
    python scripts/eval_html.py --steps           # also mtsum's cleaning steps after extraction, one by one
    python scripts/eval_html.py --datasets dev    # only some datasets
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # score this checkout, not an installed mtsum
sys.path.insert(0, str(REPO / "scripts"))

from eval_clean import Tally as SnippetTally  # noqa: E402

from mtsum.clean import clean_paragraphs  # noqa: E402
from mtsum.clean.recurring import forget_lines  # noqa: E402
from mtsum.io.inputs import decode_bytes  # noqa: E402

DEV_DATA = REPO.parent / "shared" / "cleaning-dev"
DEV = "cleaning-dev"  # the pages the settings were chosen on: in-sample
LANGUAGES = ("de", "en", "sv")
_TOKEN = re.compile(r"\w+")

Method = Callable[[dict], str]


# --- pages ----------------------------------------------------------------------------


def load() -> list[dict]:
    """Every page with HTML: the committed corpus and cleaning-dev through
    scripts/clean_corpus.py, else cleaning-dev alone (read here)."""
    try:
        import clean_corpus
    except ImportError:
        pages = dev_pages()
    else:
        pages = clean_corpus.load_pages()
    return [p for p in pages if p.get("html") and p.get("language") in LANGUAGES]


def dev_pages(data: Path = DEV_DATA) -> list[dict]:
    """The cleaning-dev pages, their HTML read as mtsum reads a file (UTF-8, else cp1252)."""
    path = data / "pages.jsonl"
    if not path.is_file():
        return []
    pages = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            page = json.loads(line)
            if page.get("html"):
                page["html"] = decode_bytes((data / page["html"]).read_bytes(), page["id"])
                page["dataset"] = DEV
                pages.append(page)
    return pages


# --- scoring --------------------------------------------------------------------------


def tokens(text: str) -> Counter[str]:
    return Counter(_TOKEN.findall(text.lower()))


@dataclass
class Tally(SnippetTally):
    """Keep/drop as eval_clean scores them, plus token precision/recall against ``truth``."""

    precision: float = 0.0
    recall: float = 0.0
    truths: int = 0

    def add(self, page: dict, text: str, seconds: float) -> None:
        super().add(page, text, seconds)
        if page.get("truth"):
            got, want = tokens(text), tokens(page["truth"])
            common = sum((got & want).values())
            self.truths += 1
            self.precision += common / sum(got.values()) if got else 0.0
            self.recall += common / sum(want.values()) if want else 0.0

    def cells(self) -> list[str]:
        keep = f"{self.kept / self.keep_total:.3f}" if self.keep_total else "—"
        drop = f"{self.dropped / self.drop_total:.3f}" if self.drop_total else "—"
        if not self.truths:
            return [keep, drop, "—", "—", "—"]
        p, r = self.precision / self.truths, self.recall / self.truths
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        return [keep, drop, f"{p:.3f}", f"{r:.3f}", f"{f1:.3f}"]


@dataclass
class Row:
    name: str
    tallies: dict[tuple[str, str], Tally] = field(default_factory=dict)

    def tally(self, dataset: str, language: str) -> Tally:
        return self.tallies.setdefault((dataset, language), Tally())


def score(rows: list[Row], methods: dict[str, Method], pages: Sequence[dict]) -> None:
    for n, page in enumerate(pages, 1):
        if n % 100 == 0:
            print(f"{n} of {len(pages)} pages", file=sys.stderr, flush=True)
        for row in rows:
            forget_lines()  # each page as if it came first: mtsum remembers recurring lines
            start = time.process_time()
            try:
                text = methods[row.name](page)
            except Exception as exc:  # an extraction that fails keeps nothing; say which
                print(f"{row.name}: {page.get('id')}: {type(exc).__name__}: {exc}", file=sys.stderr)
                text = ""
            row.tally(page["dataset"], page["language"]).add(page, text, time.process_time() - start)


def render(rows: list[Row], dataset: str, language: str, held_out: bool) -> str:
    first = rows[0].tally(dataset, language)
    label = "held-out" if held_out else "in-sample"
    lines = [
        f"### {dataset}, {language}: {first.pages} pages ({label}; {first.keep_total:.0f} with / "
        f"{first.drop_total:.0f} without snippets, {first.truths} with ground truth)",
        "",
        "| method | keep | drop | precision | recall | F1 | CPU ms/page |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        t = row.tally(dataset, language)
        ms = f"{1000 * t.seconds / t.pages:.0f}" if t.pages else "—"
        lines.append(f"| {row.name} | {' | '.join(t.cells())} | {ms} |")
    return "\n".join(lines)


# --- methods --------------------------------------------------------------------------


def trafilatura_alone(**options: Any) -> Method:
    """trafilatura.extract as a user calls it, *options* over its defaults."""

    def run(page: dict) -> str:
        import trafilatura

        return trafilatura.extract(page["html"], **options) or ""

    return run


def mtsum_html(page: dict) -> str:
    """What ``mtsum clean --input-format html`` keeps: the title and the kept paragraphs."""
    from mtsum.io.inputs import text_document
    from mtsum.pipeline.prepare import read_source

    doc = text_document(page["html"], input_format="html")
    cleaned = read_source(doc, page["language"], clean=True).cleaned
    assert cleaned is not None
    return "\n".join(([cleaned.title] if cleaned.title else []) + cleaned.paragraphs)


_extractions: dict[str, Any] = {}


def extracted(page: dict, **options: Any) -> Any:
    """mtsum.io.html.extract_page of *page* with *options*, memoised for the page being
    scored: the step methods share one extraction and differ after it."""
    from mtsum.io.html import extract_page

    key = f"{page['dataset']}:{page['id']}:{sorted(options.items())}"
    if key not in _extractions:
        if not any(k.startswith(f"{page['dataset']}:{page['id']}:") for k in _extractions):
            _extractions.clear()  # a new page: all methods score one page before the next
        _extractions[key] = extract_page(page["html"], **options)
    return _extractions[key]


def with_steps(steps: Iterable[str], *, restore: bool = False, title: bool = True, **options: Any) -> Method:
    """The extraction (mtsum.io.html.extract_page with *options*), then only the
    cleaning removals of *steps* (mtsum.clean.extracted.step_of; "all": every one), the
    page's lines restored first (scripts/html_restore.py) with *restore*."""
    steps = frozenset(steps)

    def run(page: dict) -> str:
        from html_restore import restore_article_lines

        from mtsum.clean.extracted import step_of

        got = extracted(page, flatten=restore, **options)
        paragraphs = got.text.split("\n\n")
        if not title and got.title and paragraphs[0] == got.title:
            paragraphs = paragraphs[1:]
        if restore:
            paragraphs = restore_article_lines(paragraphs, got.lines, page["language"]).paragraphs
        if not steps:
            return "\n".join(paragraphs)
        result = clean_paragraphs(paragraphs, page["language"], extracted=True)
        gone = {r.index for r in result.removed if "all" in steps or step_of(r) in steps}
        return "\n".join(p for i, p in enumerate(paragraphs) if i not in gone)

    return run


TRAFILATURA_DEFAULT = "trafilatura default"
MTSUM = "mtsum HTML path"

# trafilatura's options tried with --compare (its defaults: comments and tables in,
# fallbacks on, balanced).
COMPARE: dict[str, dict[str, Any]] = {
    "trafilatura no comments": {"include_comments": False},
    "trafilatura no comments, favor_precision": {"include_comments": False, "favor_precision": True},
    "trafilatura no comments, favor_recall": {"include_comments": False, "favor_recall": True},
}


def methods_for(compare: bool, steps: bool) -> dict[str, Method]:
    methods: dict[str, Method] = {TRAFILATURA_DEFAULT: trafilatura_alone()}
    if compare:
        methods.update({name: trafilatura_alone(**options) for name, options in COMPARE.items()})
    if steps:
        # The extraction shared by the step rows is timed in the first row that makes it.
        methods.update({
            "extract_page, tables off": with_steps((), include_tables=False),
            "extract_page": with_steps(()),
            "extract_page, no title": with_steps((), title=False),
            "extract_page + duplicates": with_steps(("duplicate",)),
            "extract_page + rules": with_steps(("rules",)),
            "extract_page + captions": with_steps(("caption",)),
            "extract_page + above-headline": with_steps(("above-headline",)),
            "extract_page + all cleaning": with_steps(("all",)),
            "extract_page + restore": with_steps((), restore=True),
            "extract_page + restore + all cleaning": with_steps(("all",), restore=True),
            "old path (tables off, soft breaks off, restore, all cleaning)": with_steps(
                ("all",), restore=True, include_tables=False, soft_breaks=False),
        })
    if compare:
        methods["mtsum HTML path, no standfirst"] = without_standfirst
    methods[MTSUM] = mtsum_html
    return methods


def without_standfirst(page: dict) -> str:
    """mtsum's HTML path without the lead put back (mtsum.io.standfirst), for comparison."""
    from mtsum.io import html

    found = html.find_standfirst
    html.find_standfirst = lambda *args: None
    try:
        return mtsum_html(page)
    finally:
        html.find_standfirst = found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--compare", action="store_true", help="also trafilatura's options")
    parser.add_argument("--steps", action="store_true", help="also mtsum's steps after extraction, one by one")
    parser.add_argument("--datasets", help="comma-separated datasets to score (default: all)")
    parser.add_argument("--limit", type=int, default=0, help="at most this many pages per dataset (quick looks)")
    args = parser.parse_args(argv)

    pages = load()
    if args.datasets:
        wanted = set(args.datasets.split(","))
        pages = [p for p in pages if p["dataset"] in wanted]
    if args.limit:
        seen: Counter[str] = Counter()
        pages = [p for p in pages if (seen.update([p["dataset"]]) or seen[p["dataset"]] <= args.limit)]
    if not pages:
        sys.exit(f"no pages: {DEV_DATA} and data/cleaning/ hold none with HTML")
    methods = methods_for(args.compare, args.steps)
    rows = [Row(name) for name in methods]
    score(rows, methods, pages)
    for dataset in dict.fromkeys(p["dataset"] for p in pages):
        for language in LANGUAGES:
            if rows[0].tally(dataset, language).pages:
                print(render(rows, dataset, language, held_out=dataset != DEV))
                print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
