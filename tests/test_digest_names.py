"""File names a scraper really writes, and inputs that are not files (issue 28: items 7, 11, 15).

Names that are not UTF-8, names with ``#``, ``?``, ``<``, a newline or a backslash: the
digest must read them, show them readably, and link to their translations with links
that a browser (HTML) and a CommonMark renderer (Markdown) resolve to the file on disk.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from contextlib import closing
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote_to_bytes

import pytest
from test_digest_helpers import ARTICLES, digest, digest_process

NAMES = [  # (id, the file's name as bytes)
    ("not-utf8", b"bad\xff\xfename.txt"),
    ("hash-question-parens", b"My story (2) #1?.txt"),
    ("newline", b"two\nlines.txt"),
    ("angle-brackets-ampersand", b"a <b> & 'c'.txt"),
    ("percent-backslash", b"100% back\\slash.txt"),
    ("backtick-spaces", b"`tick`  two spaces.txt"),
]
_ARTICLES = ["ecb_rates", "football_final", "nato_hungary", "nk_denial", "storm_local", "storm_agency_a"]


@pytest.fixture
def odd_folder(tmp_path: Path) -> Path:
    """One article (each a different story) under each odd name."""
    src = tmp_path / "in"
    src.mkdir()
    for (_, raw), article in zip(NAMES, _ARTICLES):
        with open(os.fsencode(src) + b"/" + raw, "wb") as f:
            f.write((ARTICLES / f"{article}.txt").read_bytes())
    return src


def _exists(out: Path, href: str) -> bool:
    return os.path.isfile(os.fsencode(out) + b"/" + unquote_to_bytes(href))


class _Hrefs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hrefs += [v for k, v in attrs if tag == "a" and k == "href" and v and "translations/" in v]


def test_odd_names_are_read_shown_and_linked(odd_folder: Path, tmp_path: Path) -> None:
    out, state = tmp_path / "out", tmp_path / "state.db"
    done = digest_process(odd_folder, out, state)  # a child process: real bytes on a real stderr
    stderr = done.stderr.decode("utf-8")  # strict: what mtsum writes is valid UTF-8
    assert done.returncode == 0, stderr
    assert done.stdout.decode().strip() == f"{len(NAMES)} new, 0 unchanged, 0 failed"
    assert "bad\\xff\\xfename.txt" in stderr and "two\\nlines.txt" in stderr

    data = json.loads((out / "digest.json").read_text(encoding="utf-8"))
    shown = sorted(Path(s["path"]).name for story in data["stories"] for e in story["entries"] for s in e["sources"])
    assert shown == sorted(raw.decode("utf-8", "backslashreplace") for _, raw in NAMES)
    assert all(_exists(out, s["translation_txt_url"]) and _exists(out, s["translation_html_url"])
               for story in data["stories"] for e in story["entries"] for s in e["sources"])

    parser = _Hrefs()
    parser.feed((out / "digest.html").read_text(encoding="utf-8"))
    assert len(parser.hrefs) == len(NAMES) and all(_exists(out, h) for h in parser.hrefs), parser.hrefs
    assert "translations/bad%FF%FEname.en.html" in parser.hrefs
    assert "translations/My%20story%20%282%29%20%231%3F.en.html" in parser.hrefs
    page = (out / "digest.html").read_text(encoding="utf-8")
    assert ">two\\nlines.txt<" in page and "&lt;b&gt; &amp;" in page

    # A rerun finds every article unchanged: the state keeps the names' bytes.
    again = digest_process(odd_folder, out, state)
    assert again.returncode == 0 and again.stdout.decode().strip() == f"0 new, {len(NAMES)} unchanged, 0 failed"
    with closing(sqlite3.connect(state)) as db:
        assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == len(NAMES)


def test_markdown_links_are_commonmark_and_a_newline_does_not_break_the_list(odd_folder: Path,
                                                                             tmp_path: Path) -> None:
    markdown_it = pytest.importorskip("markdown_it")
    out = tmp_path / "out"
    assert digest(odd_folder, out, tmp_path / "state.db").exit_code == 0
    tokens = markdown_it.MarkdownIt("commonmark").parse((out / "digest.md").read_text(encoding="utf-8"))
    links = [t.attrs["href"] for tok in tokens if tok.type == "inline" for t in tok.children or []
             if t.type == "link_open" and "translations/" in str(t.attrs["href"])]
    assert len(links) == len(NAMES), links
    assert all(_exists(out, str(h)) for h in links), links
    items = [tok for tok in tokens if tok.type == "inline" and "full translation" in tok.content]
    assert len(items) == len(NAMES)  # one list item per source, each still one line


@pytest.mark.parametrize("name", ["My story (2) #1?.txt", "two\nlines.txt", "a<b>.txt"])
def test_href_and_markdown_destination(name: str) -> None:
    from urllib.parse import unquote

    from mtsum.digest.names import href, md_destination

    url = href(f"translations/{name}")
    assert unquote(url) == f"translations/{name}"
    assert not set(url) & set(" #?<>\n\\")
    dest = md_destination(url)
    assert dest.startswith("<") and dest.endswith(">") and "\n" not in dest


# --- item 11: FIFOs and devices ------------------------------------------------------------

def test_a_fifo_named_as_an_input_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "live.txt"
    os.mkfifo(fifo)
    done = digest_process([ARTICLES / "ecb_rates.txt", fifo], tmp_path / "out", tmp_path / "s.db", timeout=60)
    stderr = done.stderr.decode()
    assert done.returncode == 2, stderr
    errors = [line for line in stderr.splitlines() if line.startswith("mtsum: error:")]
    assert len(errors) == 1 and "live.txt" in errors[0] and "FIFO" in errors[0], stderr
    assert not (tmp_path / "out" / "digest.json").exists()


@pytest.mark.parametrize("how", ["folder", "glob"])
def test_a_fifo_found_in_a_folder_or_by_a_glob_is_skipped_with_a_warning(tmp_path: Path, how: str) -> None:
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(ARTICLES / "ecb_rates.txt", src)
    os.mkfifo(src / "live.txt")
    target = src if how == "folder" else Path(f"{src}/*.txt")
    done = digest_process(target, tmp_path / "out", tmp_path / "s.db", timeout=60)
    stderr = done.stderr.decode()
    assert done.returncode == 0, stderr
    assert done.stdout.decode().strip() == "1 new, 0 unchanged, 0 failed"
    assert f"skipped {src / 'live.txt'}: a FIFO (named pipe)" in stderr


def test_a_file_replaced_by_a_fifo_after_listing_is_not_waited_on(tmp_path: Path) -> None:
    from mtsum.digest.process import read_article
    from mtsum.errors import InputError

    os.mkfifo(tmp_path / "x.txt")
    with pytest.raises(InputError, match="not a regular file"):
        read_article(tmp_path / "x.txt")
