"""Build data/cleaning/*.jsonl.gz: public annotated web pages, flattened and labelled.

Each page is flattened to one line per block element, as in ../shared/cleaning-dev, and
its lines are labelled from the page's ground-truth article text:

* ``with``: a line of at least 3 words or 15 characters whose text occurs in the truth
  (a line under 6 words must be a whole line of it);
* ``without``: a line with at least two letters that is not in the truth (as the eval
  looks for snippets: case counts) and shares no 3-word shingle with it (menus, share
  bars, related links), nor two consecutive words with its headline, and is not a long
  line amid the article;
* every other line is ambiguous and in neither list (``label`` says why).

Pages are kept when they are in German, English or Swedish (mtsum's detector on the
truth's longer lines, checked against the source's own language tag and the share of
the language's commonest words) and have at least one ``with`` line.

Sources (data/cleaning/SOURCES.md has licences and counts), each read from a local git
mirror at the pinned commit below, so a rebuild gives byte-identical files:

==================  ======================================  ==================================
dataset             repository                              ground truth
==================  ======================================  ==================================
readability         github.com/mozilla/readability          test/test-pages/*/expected.html
fundus              github.com/flairNLP/fundus              tests/resources/parser/test_data
                                                            (every test page in the history)
article-extraction  github.com/AndyTheFactory/              articles.json (hand-cleaned)
                    article-extraction-dataset
swe-benchmark       github.com/spraakbanken/                raw-html/*.txt (no clone could be
                    swe-article-extraction-benchmark        had here: built from a copy, see
                                                            data/cleaning/SOURCES.md)
==================  ======================================  ==================================

Get the mirrors with ``git clone --mirror https://github.com/<owner>/<name>`` (or any
clone holding the pinned commit; for swe-benchmark, a plain folder holding a copy of
its ``raw-html/`` also serves), then::

    python scripts/build_clean_corpus.py --readability R --fundus F \\
        --article-extraction A [--swe-benchmark S] [--out data/cleaning]

A dataset whose mirror is not given is not rebuilt. Needs the html extra (trafilatura,
html-text, lxml) and lingua; the languages are mtsum.detect's, so a change there can
change a rebuild.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import subprocess
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from mtsum.detect import detect_language  # noqa: E402

LANGUAGES = ("de", "en", "sv")
PINS = {
    "readability": "ab4027a8b37669745016869a37a504727992b2ba",
    "fundus": "18da6e53592f99cf0ac5770dc63d6ba99ba63ae8",
    "article-extraction": "cf3e2959ffc4fde13e0714d2b6d50c2bd220ed3b",
    # Not mirrored here (the search index holds it); the newest commit it lists for raw-html/.
    "swe-benchmark": "22e774dbb2c7912a491fa489e654453db7a33180",
}
PREFIX = {"readability": "rd", "fundus": "fn", "article-extraction": "ae", "swe-benchmark": "sv"}
MIN_WITH_WORDS, MIN_WITH_CHARS = 3, 15
SHINGLE = 3
SHORT_WORDS = 6  # shorter `with` lines must be whole lines of the truth
LONG_WORDS = 15  # longer lines inside the article span are never `without`
# Phrasing elements a browser runs together with their neighbours (mtsum.io.html's list,
# copied so that the corpus does not change when the product's flattener does).
_INLINE = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "font", "i", "kbd", "mark", "q",
    "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var", "wbr",
})
# Zero-width and soft-hyphen characters are invisible on the page but split words.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
_WORD = re.compile(r"\w+")

Raw = dict[str, Any]  # one page before labelling: url, site, html, truth, hint (language)


# --- git mirrors ---------------------------------------------------------------------

def git(repo: Path, *args: str) -> bytes:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True).stdout


def show(repo: Path, commit: str, path: str) -> bytes:
    return git(repo, "show", f"{commit}:{path}")


def ls(repo: Path, commit: str, prefix: str) -> list[str]:
    out = git(repo, "ls-tree", "-r", "--name-only", commit, "--", prefix).decode()
    return sorted(out.splitlines())


# --- text ----------------------------------------------------------------------------

def collapse(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).translate(_INVISIBLE).split())


def decode(data: bytes) -> str:
    from trafilatura.utils import decode_file

    return decode_file(data)


def flatten(html: str) -> list[str]:
    """The page as a naive scraper saves it: one line per block element.

    mtsum.io.html's walk (html-text's block tags, inline elements joined as a browser
    joins them), except that a newline inside a text node also ends the line: that is
    how ../shared/cleaning-dev was flattened (mean Jaccard of line sets 0.93 on its 120
    pages with HTML, against 0.76 without splitting at source newlines). The page's
    ``<head>`` is no block a reader sees and is left out: its ``<title>`` is a line of 17
    of cleaning-dev's 119 pages with a title (where the body repeats it), the first line
    of one. Kept, it stood first on most pages here, and the headline under it went as
    its duplicate ("X" repeats "X | Site").
    """
    import html_text
    from lxml import etree
    from trafilatura.utils import load_html

    tree = load_html(html)
    if tree is None:  # trafilatura refuses fragments (readability's expected.html)
        tree = _fragment(html)
    if tree is None:
        return []
    for head in [el for el in tree.iter() if isinstance(el.tag, str) and el.tag.lower() == "head"]:
        parent = head.getparent()
        if parent is not None:
            _keep_tail(head)
            parent.remove(head)
    breaks = html_text.NEWLINE_TAGS | html_text.DOUBLE_NEWLINE_TAGS
    try:
        tree = html_text.cleaner.clean_html(tree)
    except AssertionError:
        pass
    blocks: list[str] = []
    parts: list[str] = []

    def separate(tag: str) -> None:
        if tag in breaks:
            blocks.append("".join(parts))
            parts.clear()
        elif tag not in _INLINE:
            parts.append(" ")

    for event, el in etree.iterwalk(tree, events=("start", "end")):
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        separate(tag)
        if event == "start":
            parts.append((el.text or "") if tag else "")
        elif el is not tree:
            parts.append(el.tail or "")
    blocks.append("".join(parts))
    return [line for block in blocks for line in map(collapse, block.split("\n")) if line]


def _keep_tail(el: Any) -> None:
    """Move *el*'s tail text to where it stays once *el* is removed."""
    if not el.tail:
        return
    before = el.getprevious()
    if before is not None:
        before.tail = (before.tail or "") + el.tail
    else:
        parent = el.getparent()
        parent.text = (parent.text or "") + el.tail
    el.tail = None


def _fragment(html: str) -> Any:
    import lxml.html
    from lxml.etree import ParserError

    try:
        return lxml.html.document_fromstring(html)
    except (ParserError, ValueError):
        return None


_COMMENT = re.compile(r"<!--.*?-->", re.S)
_STYLE = re.compile(r"(<style\b[^>]*>).*?(</style\s*>)", re.S | re.I)
_SCRIPT = re.compile(r"(<script\b(?![^>]*ld\+json)[^>]*>).*?(</script\s*>)", re.S | re.I)
_SVG = re.compile(r"(<svg\b[^>]*>).*?(</svg\s*>)", re.S | re.I)
_SRCSET = re.compile(r"\s(?:srcset|data-srcset|sizes)=(?:\"[^\"]*\"|'[^']*')", re.I)
_DATA_URI = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=\s]{200,}")


def slim(html: str) -> str:
    """The page without comments, styles, scripts (JSON-LD kept), drawings (svg), image
    candidates (srcset) and inline base64 blobs: none of them is text a reader sees, and
    they are most of a modern page's bytes."""
    html = _COMMENT.sub("", html)
    html = _STYLE.sub(r"\1\2", html)
    html = _SCRIPT.sub(r"\1\2", html)
    html = _SVG.sub(r"\1\2", html)
    html = _SRCSET.sub("", html)
    return _DATA_URI.sub("data:,", html)


def words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def shingles(tokens: Sequence[str], size: int = SHINGLE) -> set[tuple[str, ...]]:
    return {tuple(tokens[i:i + size]) for i in range(len(tokens) - size + 1)}


def label(lines: Sequence[str], truth: str) -> tuple[list[str], list[str]]:
    """(with, without) snippets of *lines*, each once, in page order (see the docstring).

    Two guards against coincidences: a short line (under SHORT_WORDS words) is ``with``
    only when it is a whole line of the truth (a heading, a list item), not when it merely
    occurs inside it ("New York City" in a footer's club list); and a long line between
    the first and last ``with`` lines is never ``without``, because there it is more
    likely article text the ground truth missed (fundus's parsers skip some paragraphs)
    than boilerplate. The truth's first line is the headline, which pages word in
    several ways (``<title>``, ``h1``, og:title): a line sharing two consecutive words
    with it is not ``without`` either.
    """
    truth_lines = [collapse(t) for t in truth.splitlines() if t.strip()]
    flat = collapse(truth)
    truth_shingles = shingles(words(flat))
    whole_lines = set(truth_lines)
    title_pairs = shingles(words(truth_lines[0]), 2) if truth_lines else set()
    kind: list[str] = []
    for line in lines:
        tokens = words(line)
        if line in flat:
            long_enough = len(tokens) >= MIN_WITH_WORDS or len(line) >= MIN_WITH_CHARS
            whole = len(tokens) >= SHORT_WORDS or line in whole_lines
            kind.append("with" if long_enough and whole else "")
        elif (sum(ch.isalpha() for ch in line) >= 2
              and not shingles(tokens) & truth_shingles and not shingles(tokens, 2) & title_pairs):
            kind.append("without")
        else:
            kind.append("")
    inside = [i for i, k in enumerate(kind) if k == "with"]
    span = range(inside[0] + 1, inside[-1]) if inside else range(0)
    spared = {lines[i] for i in span if kind[i] == "without" and len(words(lines[i])) >= LONG_WORDS}
    keep = dict.fromkeys(line for line, k in zip(lines, kind) if k == "with")
    drop = dict.fromkeys(line for line, k in zip(lines, kind)
                         if k == "without" and line not in keep and line not in spared)
    return list(keep), list(drop)


# The commonest words of each language. mtsum's detector chooses among a fixed set of
# candidates, so Czech and Croatian come out as Swedish: a page is only taken to be in
# a language when these make up a fair share of its words.
FUNCTION_WORDS = {
    "de": "der die das und ist nicht mit von zu den auf für ein eine sich des im dem es auch".split(),
    "en": "the and of to in is that for it with was on as be by this are at from have".split(),
    "sv": "och att det som en på är för med av till den har inte om ett jag de var men".split(),
}
MIN_FUNCTION_SHARE = 0.08


def language_of(lines: Iterable[str], hint: str = "") -> str:
    """mtsum's detector on the longer lines, checked against the source's own language
    (*hint*, when it has one) and the share of the language's commonest words."""
    lines = list(lines)
    long = [line for line in lines if sum(ch.isalpha() for ch in line) >= 40]
    if not long and sum(ch.isalpha() for line in lines for ch in line) >= 40:
        long = [" ".join(lines)]  # text set in short lines (8 Sidor's easy Swedish)
    if not long:
        return "und"
    found = detect_language("\n\n".join(long)).language
    if hint and hint != found:
        return f"{found}, source says {hint}"
    tokens = words(" ".join(lines))
    common = set(FUNCTION_WORDS.get(found, ()))
    if common and sum(t in common for t in tokens) < MIN_FUNCTION_SHARE * len(tokens):
        return f"{found}?"
    return found


def host(url: str) -> str:
    name = urlparse(url).hostname or ""
    return name.removeprefix("www.")


# --- sources -------------------------------------------------------------------------

def readability_pages(repo: Path) -> Iterator[Raw]:
    commit = PINS["readability"]
    root = "test/test-pages/"
    folders = sorted({p[len(root):].split("/")[0] for p in ls(repo, commit, root)})
    for folder in folders:
        files = set(ls(repo, commit, root + folder))
        need = [f"{root}{folder}/{n}" for n in ("source.html", "expected.html")]
        if not all(n in files for n in need):
            continue
        html = decode(show(repo, commit, need[0]))
        meta_path = f"{root}{folder}/expected-metadata.json"
        meta = json.loads(show(repo, commit, meta_path)) if meta_path in files else {}
        # readability shows the title apart from the article it extracts; it is article text.
        truth = "\n".join([meta.get("title") or "", *flatten(decode(show(repo, commit, need[1])))])
        url = _canonical(html)
        # The host, as for the other datasets, so that holding out a site holds out all of it.
        site = host(url) if url else re.sub(r"-\d+$", "", folder)
        yield {"url": url or f"readability:{folder}", "site": site, "html": html, "truth": truth,
               "hint": (meta.get("lang") or "")[:2].lower()}


def _canonical(html: str) -> str:
    for pattern in (r'<link[^>]+rel=["\']canonical["\'][^>]*href=["\']([^"\']+)',
                    r'<meta[^>]+property=["\']og:url["\'][^>]*content=["\']([^"\']+)'):
        if (m := re.search(pattern, html, re.I)) and m.group(1).startswith("http"):
            return m.group(1)
    return ""


FUNDUS_DATA = "tests/resources/parser/test_data/"


def fundus_pages(repo: Path) -> Iterator[Raw]:
    """Every test page the history at the pinned commit ever held, with the expected body
    of the parser version that matches it best (fundus maps them by crawl date)."""
    pin = PINS["fundus"]
    log = git(repo, "log", "--full-history", "--format=", "--name-only", pin, "--", FUNDUS_DATA).decode()
    paths = sorted({p for p in log.splitlines() if re.fullmatch(FUNDUS_DATA + r"\w+/\w+\.html\.gz", p)})
    seen: set[str] = set()
    for path in paths:
        folder, name = path.rsplit("/", 1)
        expected = f"{folder}/{name.split('_', 1)[0].removesuffix('.html.gz')}.json"
        commit = _fundus_snapshot(repo, pin, path, expected)
        if not commit:
            print(f"  skipped {path}: never beside {expected}", file=sys.stderr)
            continue
        loaded = json.loads(show(repo, commit, expected))
        # {version: expectations} since 2023; a single expectations object before.
        versions = [v for v in loaded.values() if isinstance(v, dict)] or [loaded]
        url = _fundus_url(repo, commit, folder, name, versions)
        if not url or url in seen:
            continue
        html = decode(gzip.decompress(show(repo, commit, path)))
        truth = _best_fundus_truth(html, versions)
        if truth:
            seen.add(url)
            yield {"url": url, "site": host(url), "html": html, "truth": truth, "hint": ""}


def _fundus_snapshot(repo: Path, pin: str, path: str, expected: str) -> str:
    """The newest commit that holds the page and its publisher's expectations: fundus
    updates the JSON after the page was written (older JSONs lack the body)."""
    commits = git(repo, "log", "--full-history", "--format=%H", pin, "--", path, expected).decode().split()
    for commit in commits:
        if all(_exists(repo, commit, p) for p in (path, expected)):
            return commit
    return ""


def _exists(repo: Path, commit: str, path: str) -> bool:
    return subprocess.run(["git", "-C", str(repo), "cat-file", "-e", f"{commit}:{path}"],
                          capture_output=True).returncode == 0


def _fundus_url(repo: Path, commit: str, folder: str, name: str, versions: list[dict]) -> str:
    # meta.info since 2023; before, each version's "meta" in the JSON.
    try:
        return json.loads(show(repo, commit, f"{folder}/meta.info"))[name]["url"]
    except (subprocess.CalledProcessError, KeyError, json.JSONDecodeError):
        urls = sorted({v["meta"]["url"] for v in versions if isinstance(v.get("meta"), dict) and "url" in v["meta"]})
        return urls[0] if len(urls) == 1 else ""


def _fundus_text(case: dict) -> list[str]:
    case = case.get("content", case)  # the JSON's layout before 2024
    body = case.get("body") or {}
    if not isinstance(body, dict) or not body.get("sections"):
        return []  # no body expected: nothing to label from
    out = [case.get("title") or "", *body.get("summary", [])]
    for section in body.get("sections", []):
        out += [*section.get("headline", []), *section.get("paragraphs", [])]
    return [collapse(p) for p in out if p and p.strip()]


def _best_fundus_truth(html: str, cases: Iterable[dict]) -> str:
    page = collapse(" ".join(flatten(html)))
    best, score = [], 0.0
    for case in cases:
        paragraphs = _fundus_text(case)
        found = sum(len(p) for p in paragraphs if p in page)
        total = sum(len(p) for p in paragraphs) or 1
        if found / total > score:
            best, score = paragraphs, found / total
    return "\n".join(best) if score >= 0.5 else ""


# Three CNN pages whose blobs the mirror the committed files came from lacked (its largest
# files); left out by name so that a complete clone rebuilds the same files.
ABSENT_ARTICLES = {"1a6532f9ae1315f21ea3ca0ebd3f17f0", "bcb06978269ce572e57e439206a69905",
                   "f7fa86e798f641b33aa19550a13305f4"}


def article_extraction_pages(repo: Path) -> Iterator[Raw]:
    commit = PINS["article-extraction"]
    articles = json.loads(show(repo, commit, "articles.json"))
    for key in sorted(set(articles) - ABSENT_ARTICLES):
        art = articles[key]
        html = decode(show(repo, commit, f"html/{key}.html"))
        truth = "\n".join(t for t in (art.get("title") or "", art.get("articleBody") or "") if t)
        yield {"url": art["url"], "site": host(art["url"]), "html": html, "truth": truth, "hint": ""}


# Saved pages whose ground truth was taken from another version of the page: labelled
# from it, the saved article's own paragraphs would be boilerplate.
SWE_OTHER_VERSION = {
    "svt.html": "the truth is a later version of the article: 11 of its 12 paragraphs are not on the page",
}


def swe_benchmark_pages(repo: Path) -> Iterator[Raw]:
    """raw-html/files.jsonl's pages with their ``.txt`` ground truth (its familjeliv entry
    names the page itself as ground truth; the ``.txt`` beside it is used)."""
    read = _files(repo, PINS["swe-benchmark"])
    for line in (read("raw-html/files.jsonl") or b"").decode().splitlines():
        if not line.strip():
            continue
        entry = json.loads(line)
        truths = [f"raw-html/{entry['file'].removesuffix('.html')}.txt", f"raw-html/{entry['groundtruth']}"]
        truth = next((data for t in truths if t.endswith(".txt") and (data := read(t)) is not None), None)
        html = read(f"raw-html/{entry['file']}")
        if truth is None or html is None or entry["file"] in SWE_OTHER_VERSION:
            continue
        yield {"url": entry["url"], "site": host(entry["url"]), "hint": "",
               "html": decode(html), "truth": decode(truth)}


def _files(repo: Path, commit: str) -> Callable[[str], bytes | None]:
    """A file's bytes at *commit* of the git repository *repo* (None where it has none), or,
    where *repo* is not a git repository, from a plain copy of the repository's files: the
    swe-benchmark pages could only be copied here, not cloned (SOURCES.md says how)."""
    if (repo / ".git").exists() or (repo / "HEAD").is_file():
        return lambda path: show(repo, commit, path) if ls(repo, commit, path) else None
    return lambda path: (repo / path).read_bytes() if (repo / path).is_file() else None


SOURCES: dict[str, Callable[[Path], Iterator[Raw]]] = {
    "readability": readability_pages,
    "fundus": fundus_pages,
    "article-extraction": article_extraction_pages,
    "swe-benchmark": swe_benchmark_pages,
}


# --- build ---------------------------------------------------------------------------

def build(dataset: str, raws: Iterable[Raw], report: Callable[[str], None] = print) -> list[dict]:
    """Label *raws*; keep de/en/sv pages with at least one ``with`` snippet, sorted by url."""
    pages, dropped = [], []
    for raw in sorted(raws, key=lambda r: r["url"]):
        html = slim(raw["html"])
        lines = flatten(html)
        truth_lines = [collapse(t) for t in raw["truth"].splitlines() if t.strip()]
        language = language_of(truth_lines, raw["hint"])
        keep, drop = label(lines, "\n".join(truth_lines))
        why = ("language " + language if language not in LANGUAGES
               else "no with snippet" if not keep else "")
        if why:
            dropped.append(f"{raw['url']} ({why})")
            continue
        pages.append({"url": raw["url"], "language": language, "lines": lines, "with": keep,
                      "without": drop, "dataset": dataset, "site": raw["site"],
                      "html": html, "truth": "\n".join(truth_lines)})
    for i, page in enumerate(pages):
        pages[i] = {"id": f"{PREFIX[dataset]}{i:03d}", **page}
    for line in dropped:
        report(f"  dropped {line}")
    return pages


def write(pages: Sequence[dict], path: Path) -> None:
    """gzip with mtime 0 and no file name in the header: a rebuild is byte-identical. The
    file appears whole (written beside, then renamed): training may be reading the old one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    with open(part, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0,
                                                compresslevel=9) as gz:
        for page in pages:
            gz.write((json.dumps(page, ensure_ascii=False) + "\n").encode())
    part.replace(path)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for name in SOURCES:
        parser.add_argument(f"--{name}", type=Path, metavar="MIRROR", help=f"git mirror of {name}")
    parser.add_argument("--out", type=Path, default=REPO / "data" / "cleaning")
    args = parser.parse_args(argv)
    for name, source in SOURCES.items():
        repo = getattr(args, name.replace("-", "_"))
        if repo is None:
            continue
        print(f"{name}: {repo}")
        pages = build(name, source(repo))
        write(pages, args.out / f"{name}.jsonl.gz")
        counts = {lang: sum(p["language"] == lang for p in pages) for lang in LANGUAGES}
        print(f"{name}: {len(pages)} pages {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
