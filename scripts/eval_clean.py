"""Score mtsum's cleaning on annotated web pages: ``make eval-clean``.

First, per dataset (the committed corpus ``data/cleaning`` and cleaning-dev) and language,
the packaged line model's plain-text keep/drop on those pages (in-sample: it was trained
on them) beside the held-out figures its training recorded in the model file (by site
and by dataset; scripts/train_clean.py), so the gap between them is in view.

The cleaning-dev pages are trafilatura's public evaluation set (German and English news, blogs,
shops, authorities), kept outside this repository in ``../shared/cleaning-dev``:
``pages.jsonl`` holds each page flattened to one line per block element (``lines``),
the snippets a cleaner must keep (``with``) and the boilerplate it must drop
(``without``); 120 pages also have their HTML under ``html/``.

Scoring, per language over all pages: *keep* is the share of ``with`` snippets found
in the flattened page (lines joined by spaces, whitespace collapsed) that are still in
the cleaned text; *drop* is the share of ``without`` snippets found there that are gone.
The cleaned text is the headline and kept paragraphs joined by spaces; both sides are
compared with whitespace collapsed and nothing else changed, as the benchmark scores: a
snippet copied with the page's soft hyphens must find them in the cleaned text.
*CPU ms/page* is the processor time of mtsum's cleaning alone (not trafilatura's; for
HTML, restoring missed article lines from the whole page, then ``clean_paragraphs``),
so other jobs on the machine inflate it less than wall time; each page is cleaned
three times, each time with the lines seen before forgotten (mtsum keeps the features
of recurring lines), and the fastest run counts.

    python scripts/eval_clean.py                  # plain text and HTML, as in the README
    python scripts/eval_clean.py --compare        # also every trafilatura setting
    python scripts/eval_clean.py --show p003      # one page: what was kept and dropped
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
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # score this checkout, not an installed mtsum
sys.path.insert(0, str(REPO / "scripts"))

from mtsum.clean import clean_paragraphs, normalize_paragraph  # noqa: E402
from mtsum.clean.recurring import forget_lines  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "cleaning-dev"
LANGUAGES = ("de", "en")
_SPACES = re.compile(r"\s+")


def collapse(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


@dataclass
class Tally:
    """Keep/drop counts of annotated snippets.

    *per_page* (``None``: every snippet counts once) scores a page the way the benchmark
    pages are scored: each page's ``with`` snippets together count at most *per_page*,
    and so do its ``without`` snippets. cleaning-dev's pages carry about three of each
    (its median), the public corpus's a line-by-line labelling (median 16 and 100, up to
    1,174): counted whole, a long wiki page outweighs a hundred news pages.
    """

    kept: float = 0
    keep_total: float = 0
    dropped: float = 0
    drop_total: float = 0
    pages: int = 0
    seconds: float = 0.0
    per_page: int | None = None

    def add(self, page: dict, cleaned: str, seconds: float) -> None:
        """Count *page*'s snippets found in its flattened lines that *cleaned* kept or dropped
        (scoring as in ../shared/cleaning-dev/README.md; a page without lines adds none)."""
        source = collapse(" ".join(page.get("lines") or ()))
        cleaned = collapse(cleaned)
        found = [s for s in map(collapse, page.get("with") or ()) if s and s in source]
        self.keep_total, self.kept = self._counted(found, sum(s in cleaned for s in found), self.keep_total, self.kept)
        found = [s for s in map(collapse, page.get("without") or ()) if s and s in source]
        self.drop_total, self.dropped = self._counted(found, sum(s not in cleaned for s in found), self.drop_total,
                                                      self.dropped)
        self.pages += 1
        self.seconds += seconds

    def _counted(self, found: list[str], right: int, total: float, hits: float) -> tuple[float, float]:
        weight = min(1.0, self.per_page / len(found)) if self.per_page and found else 1.0
        return total + weight * len(found), hits + weight * right

    @property
    def keep(self) -> float:
        return self.kept / self.keep_total if self.keep_total else 0.0

    @property
    def drop(self) -> float:
        return self.dropped / self.drop_total if self.drop_total else 0.0


@dataclass
class Row:
    name: str
    tallies: dict[str, Tally] = field(default_factory=lambda: {lang: Tally() for lang in LANGUAGES})

    def ms_per_page(self) -> str:
        """CPU milliseconds per page of mtsum's cleaning; "—" where nothing was cleaned."""
        pages = sum(t.pages for t in self.tallies.values())
        seconds = sum(t.seconds for t in self.tallies.values())
        return f"{1000 * seconds / pages:.1f}" if pages and seconds else "—"


def load_pages(data: Path) -> list[dict]:
    path = data / "pages.jsonl"
    if not path.is_file():
        sys.exit(f"{path} not found: pass --data DIR (the cleaning-dev folder with pages.jsonl)")
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def cleaned_text(paragraphs: Sequence[str], language: str, extracted: bool = False) -> str:
    result = clean_paragraphs(paragraphs, language, extracted=extracted)
    return " ".join(([result.title] if result.title else []) + result.paragraphs)


# --- methods: a page in, the cleaned text and the seconds it took out -------------------


def keep_everything(page: dict, data: Path) -> tuple[str, float]:
    return " ".join(page["lines"]), 0.0


# Each page is cleaned this many times and the fastest run counts (as timeit does): the
# cleaning is deterministic, and on a shared virtual machine single runs vary by ±30 %.
REPEAT = 3


def best_of(work: Callable[[], str]) -> tuple[str, float]:
    """*work*'s result and its fastest CPU time over REPEAT runs."""
    best, text = float("inf"), ""
    for _ in range(REPEAT):
        forget_lines()  # each run as if the page came first: no line's features known
        start = time.process_time()
        text = work()
        best = min(best, time.process_time() - start)
    return text, best


def timed_clean(paragraphs: Sequence[str], language: str, extracted: bool = False) -> tuple[str, float]:
    return best_of(lambda: cleaned_text(paragraphs, language, extracted))


def html_cleaned(paragraphs: Sequence[str], page_lines: Sequence[str], language: str, **restore: Any) -> str:
    """What ``--clean`` makes of an extracted page: the lines restored from the whole
    page (scripts/html_restore.py, *restore* its options), then cleaning as for HTML."""
    from html_restore import restore_article_lines

    merged = restore_article_lines(paragraphs, page_lines, language, **restore)
    return cleaned_text(merged.paragraphs, language, extracted=True)


def mtsum_plain(page: dict, data: Path) -> tuple[str, float]:
    return timed_clean(page["lines"], page["language"])


def read_html(page: dict, data: Path) -> bytes:
    return (data / page["html"]).read_bytes()


def trafilatura_method(options: dict, clean: bool) -> Callable[[dict, Path], tuple[str, float]]:
    """Trafilatura with *options* on the page's HTML, then mtsum.clean when *clean*.

    Timed is the cleaning only: the extraction is the same work whatever cleans after it.
    """

    def run(page: dict, data: Path) -> tuple[str, float]:
        from mtsum.errors import InputError
        from mtsum.io.html import extract_html

        try:
            text = extract_html(read_html(page, data), **options)
        except InputError:
            return "", 0.0
        paragraphs = text.split("\n\n")
        if not clean:
            return " ".join(paragraphs), 0.0
        return timed_clean(paragraphs, page["language"], extracted=True)

    return run


def mtsum_html(page: dict, data: Path) -> tuple[str, float]:
    """What ``--clean`` does with an HTML file: trafilatura, article lines it missed
    restored from the whole page (scripts/html_restore.py), then cleaning. Timed: restore and clean."""
    from mtsum.errors import InputError
    from mtsum.io.html import extract_page

    try:
        extracted = extract_page(read_html(page, data))
    except InputError:
        return "", 0.0
    paragraphs = extracted.text.split("\n\n")
    return best_of(lambda: html_cleaned(paragraphs, extracted.lines, page["language"]))


# trafilatura settings compared with --compare; extract_html's defaults are the chosen one.
EXTRACT_SETTINGS: dict[str, dict] = {
    "balanced, fallbacks": {"favor_recall": False, "favor_precision": False, "fallbacks": True},
    "balanced, no fallbacks": {"favor_recall": False, "favor_precision": False, "fallbacks": False},
    "favor_precision, fallbacks": {"favor_recall": False, "favor_precision": True, "fallbacks": True},
    "favor_precision, no fallbacks": {"favor_recall": False, "favor_precision": True, "fallbacks": False},
    "favor_recall, fallbacks": {"favor_recall": True, "favor_precision": False, "fallbacks": True},
    "favor_recall, no fallbacks": {"favor_recall": True, "favor_precision": False, "fallbacks": False},
}


def score(name: str, method: Callable[[dict, Path], tuple[str, float]], pages: Iterable[dict], data: Path) -> Row:
    row = Row(name)
    for page in pages:
        text, seconds = method(page, data)
        row.tallies[page["language"]].add(page, text, seconds)
    return row


def render(title: str, rows: list[Row]) -> str:
    pages = {lang: rows[0].tallies[lang].pages for lang in LANGUAGES} if rows else {}
    head = (
        f"| {title} | German: keeps | German: drops | English: keeps | English: drops | CPU ms/page |\n"
        "|---|---:|---:|---:|---:|---:|"
    )
    lines = [head]
    for row in rows:
        cells = [f"{row.tallies[lang].keep:.3f} | {row.tallies[lang].drop:.3f}" for lang in LANGUAGES]
        lines.append(f"| {row.name} | {' | '.join(cells)} | {row.ms_per_page()} |")
    counts = ", ".join(f"{pages[lang]} {lang}" for lang in LANGUAGES)
    lines.append(f"\n({counts} pages)")
    return "\n".join(lines)


def show(page: dict, data: Path) -> None:
    result = clean_paragraphs(page["lines"], page["language"])
    reasons = {r.index: f"{r.reason}/{r.rule}" for r in result.removed}
    print(f"{page['id']} {page['language']} {page['url']}")
    for i, line in enumerate(page["lines"]):
        mark = "TITLE" if i == result.title_index else reasons.get(i, "keep")
        wanted = "+" if any(collapse(s) in line or line in s for s in page["with"] if len(line) > 20) else " "
        unwanted = "-" if any(collapse(s) in line or line in s for s in page["without"] if len(line) > 20) else " "
        print(f"{i:4} {wanted}{unwanted} {mark:38.38} {line[:110]}")


_ADDRESS_WORD = re.compile(r"[^\W\d_]{4,}")
_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def address_words(url: str) -> set[str]:
    """The words (four letters or more) of a page address's path, folded as slugs spell
    them ("Zutaten für Tweets" and ".../zutaten-fuer-tweets/" share three)."""
    path = urlparse(url or "").path
    archived = re.search(r"https?:/+[^/]*(/.*)?", path)  # web.archive.org: the archived address
    if archived:
        path = archived.group(1) or ""
    return words_of(path)


def words_of(text: str) -> set[str]:
    return set(_ADDRESS_WORD.findall(text.lower().translate(_FOLD)))


def headline_figures(pages: Iterable[dict]) -> str:
    """How often the headline names the page's address: the dev pages annotate no
    headline, but most addresses spell one out (two shared words count)."""
    named = reachable = found = 0
    for page in pages:
        wanted = address_words(page.get("url", ""))
        if len(wanted) < 3:
            continue
        named += 1
        reachable += any(len(wanted & words_of(line)) >= 2 for line in page["lines"])
        title = clean_paragraphs(page["lines"], page["language"]).title or ""
        found += len(wanted & words_of(title)) >= 2
    return (f"Headline: of the {named} pages whose address has three words or more, {reachable} have a line "
            f"that shares two of them, and on {found} the headline does.")


# Quotes and dashes a title is typed with in one place and printed with in another.
_TYPOGRAPHY = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "„": '"', "«": '"', "»": '"',
                             "–": "-", "—": "-"})


def title_key(text: str) -> str:
    """*text* as titles are compared: normalized, quotes and dashes folded, case aside."""
    return normalize_paragraph(text).translate(_TYPOGRAPHY).casefold()


def title_figures(pages: Iterable[dict]) -> str:
    """How often the headline is the ground truth's title (its first line), per dataset,
    on the public pages that show that line. In-sample: the headline model learned from
    these titles (scripts/train_headline.py prints the held-out figures, by site)."""
    shown: Counter[str] = Counter()
    found: Counter[str] = Counter()
    for page in pages:
        truth = (page.get("truth") or "").strip()
        if not truth:
            continue
        wanted = title_key(truth.split("\n")[0])
        if not any(title_key(line) == wanted for line in page["lines"]):
            continue
        shown[page["dataset"]] += 1
        found[page["dataset"]] += title_key(clean_paragraphs(page["lines"], page["language"]).title or "") == wanted
    if not shown:
        return "Headline against the ground truth's title: no public page at hand."
    parts = ", ".join(f"{name} {found[name]} of {shown[name]}" for name in sorted(shown))
    total = sum(shown.values())
    return (f"Headline against the ground truth's title (its first line), on the public pages that show it "
            f"(in-sample: the headline model learned from them): {parts}; {sum(found.values())} of {total} "
            f"({sum(found.values()) / total:.0%}).")


def dataset_table(data: Path, names: Sequence[str] | None = None) -> str:
    """Per dataset and language: the packaged model's keep/drop on the pages (in-sample
    where it was trained on that dataset, held out where not) beside the held-out figures
    its training recorded, by site
    (models that never saw the page's site) and by dataset (models that never saw the
    page's dataset). The gap between them is what to expect on pages of a new site.

    Two tables: scored as the benchmark pages are (at most the model file's ``per_page``
    snippets of a kind a page), and with every labelled snippet counted once."""
    from clean_data import load_datasets  # scripts/clean_data.py, which imports this module

    from mtsum.clean import line_model

    model_file = json.loads(line_model.MODEL_FILE.read_text(encoding="utf-8"))
    held = model_file.get("held_out", {})
    per_page = held.get("per_page")
    scorings = [("", per_page), ("_every_snippet", None)] if per_page else [("", None)]
    tallies: dict[tuple[str, str, str], Tally] = {}
    for page in load_datasets(data if (data / "pages.jsonl").is_file() else None, names):
        cleaned = cleaned_text(page["lines"], page["language"])
        for suffix, k in scorings:
            tallies.setdefault((suffix, page["dataset"], page["language"]), Tally(per_page=k)).add(page, cleaned, 0.0)

    def recorded(kind: str, dataset: str, lang: str) -> str:
        found = held.get(kind, {}).get(dataset, {}).get(lang)
        return f"{found['keep']:.3f} | {found['drop']:.3f}" if found else "— | —"

    trained = model_file.get("trained_on", {})
    # A model file from before the corpus records no datasets: it was fit on cleaning-dev
    # alone, so on every other dataset the packaged model's figures are held out.
    seen = set(trained.get("datasets", {})) if isinstance(trained, dict) and trained else {"cleaning-dev"}
    out = []
    for suffix, k in scorings:
        how = f"at most {k} snippets of a kind a page, as on the benchmark pages" if k else "every snippet once"
        lines = [f"Plain text, scored with {how}:\n",
                 "| plain text: dataset | language | pages | packaged model: keeps | drops | (its pages) "
                 "| held out by site: keeps | drops | held out by dataset: keeps | drops |",
                 "|---|---|---:|" + "---:|" * 7]
        mine = {(d, g): t for (s, d, g), t in tallies.items() if s == suffix}
        for (dataset, lang), t in sorted(mine.items()):
            status = "in-sample" if dataset in seen else "held out"
            lines.append(f"| {dataset} | {lang} | {t.pages} | {t.keep:.3f} | {t.drop:.3f} | {status} | "
                         f"{recorded('by_site' + suffix, dataset, lang)} | "
                         f"{recorded('by_dataset' + suffix, dataset, lang)} |")
        for lang in sorted({lang for _, lang in mine}):
            lines.append(f"| all | {lang} | {sum(t.pages for (_, g), t in mine.items() if g == lang)} | | | | "
                         f"{recorded('by_site' + suffix, 'all', lang)} | — | — |")
        out.append("\n".join(lines))
    if isinstance(trained, dict):
        out.append(f"(model trained {trained.get('date', '?')} on "
                   + ", ".join(f"{k} {v} pages" for k, v in trained.get("datasets", {}).items()) + ")")
    return "\n\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="cleaning-dev folder (default: %(default)s)")
    parser.add_argument("--compare", action="store_true", help="also score every trafilatura setting")
    parser.add_argument("--show", metavar="ID", help="print one page line by line with its verdicts")
    parser.add_argument("--datasets", nargs="*", help="datasets of the per-dataset table (default: all at hand)")
    parser.add_argument("--old-html", action="store_true",
                        help="also score the HTML path before issue 30 (restore + full cleaning) on the dev pages; "
                             "the product's HTML path is scored by scripts/eval_html.py")
    args = parser.parse_args(argv)

    if args.show:
        for page in load_pages(args.data):
            if page["id"] == args.show:
                show(page, args.data)
                return 0
        sys.exit(f"no page {args.show}")
    print(dataset_table(args.data, args.datasets))
    print()
    from clean_corpus import committed
    from clean_corpus import load_pages as corpus_pages

    print(title_figures(corpus_pages(committed())))
    print()
    if not (args.data / "pages.jsonl").is_file():
        print(f"({args.data} not found: the cleaning-dev tables and HTML rows are left out)")
        return 0
    pages = load_pages(args.data)

    plain = [score("keep everything", keep_everything, pages, args.data),
             score("mtsum, plain text", mtsum_plain, pages, args.data)]
    print(render("plain text (all pages)", plain))
    print()
    print(headline_figures(pages))
    if not args.old_html:
        print("\n(HTML: scripts/eval_html.py scores the product's path beside trafilatura on every dataset.)")
        return 0

    html_pages = [p for p in pages if p.get("html")]
    rows = [score("before issue 30: trafilatura + restore + clean", mtsum_html, html_pages, args.data)]
    if args.compare:
        for name, options in EXTRACT_SETTINGS.items():
            rows.append(score(f"trafilatura {name}", trafilatura_method(options, clean=False), html_pages, args.data))
            rows.append(score(f"trafilatura {name} + clean (no restore)", trafilatura_method(options, clean=True),
                              html_pages, args.data))
    print()
    print(render("HTML (pages with HTML)", rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
