"""Load the annotated pages that cleaning is trained and measured on.

Two kinds of dataset, both one page per record with the keys of
``../shared/cleaning-dev/README.md`` (``id, url, language, lines, with, without``) plus
``dataset`` and ``site`` (for holding out by site and by dataset):

* the committed public sets, ``data/cleaning/<dataset>.jsonl.gz`` (built by
  scripts/build_clean_corpus.py; sources and licences in data/cleaning/SOURCES.md),
  which also carry the page's ``html`` and the ground-truth article text ``truth``;
* ``cleaning-dev``, read from ``$MTSUM_CLEANING_DEV`` (default ``../shared/cleaning-dev``
  beside the repository) and never copied into it. Where it is absent (CI machines) it is
  left out with a warning. Its pages get ``html`` from their ``html/`` file when they
  have one, and no ``truth``.

    from clean_corpus import load_pages
    pages = load_pages()                        # everything available
    pages = load_pages(["fundus", "cleaning-dev"])
"""

from __future__ import annotations

import gzip
import json
import logging
import os
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "data" / "cleaning"
DEV = "cleaning-dev"

log = logging.getLogger(__name__)


def dev_path() -> Path:
    """Where cleaning-dev is read from: ``$MTSUM_CLEANING_DEV``, relative to the repository
    root when not absolute, else ``../shared/cleaning-dev``."""
    return REPO / os.environ.get("MTSUM_CLEANING_DEV", "../shared/cleaning-dev")


def committed() -> list[str]:
    """The names of the committed datasets."""
    return sorted(p.name.removesuffix(".jsonl.gz") for p in CORPUS.glob("*.jsonl.gz"))


def load_pages(names: Iterable[str] | None = None) -> list[dict]:
    """The pages of the datasets *names* (default: every committed one and cleaning-dev),
    in that order. Raises ValueError for a name that is neither."""
    wanted = list(names) if names is not None else [*committed(), DEV]
    unknown = sorted(set(wanted) - {*committed(), DEV})
    if unknown:
        raise ValueError(f"unknown dataset(s) {', '.join(unknown)}: choose from "
                         f"{', '.join([*committed(), DEV])}")
    pages: list[dict] = []
    for name in wanted:
        pages += _dev_pages() if name == DEV else _committed_pages(name)
    return pages


def _committed_pages(name: str) -> list[dict]:
    with gzip.open(CORPUS / f"{name}.jsonl.gz", "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _dev_pages() -> list[dict]:
    folder = dev_path()
    index = folder / "pages.jsonl"
    if not index.is_file():
        log.warning("%s not found: cleaning-dev left out (set MTSUM_CLEANING_DEV to its folder)", index)
        return []
    pages = []
    for line in index.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        page = json.loads(line)
        page["dataset"] = DEV
        page["site"] = host(page.get("url", ""))
        html = folder / page["html"] if page.get("html") else None
        page["html"] = _read_html(html) if html and html.is_file() else None
        pages.append(page)
    return pages


def _read_html(path: Path) -> str:
    data = path.read_bytes()
    try:
        from trafilatura.utils import decode_file  # the decoding the committed sets had
    except ImportError:
        return data.decode("utf-8", errors="replace")
    return decode_file(data)


def host(url: str) -> str:
    """The site of *url*: its host without ``www.``; cleaning-dev's few non-URLs
    (``hard::blog.python.org.html``) give the name after ``::``."""
    name = urlparse(url).hostname or ""
    if not name and "::" in url:
        name = url.split("::", 1)[1].removesuffix(".html")
    return name.removeprefix("www.") or url
