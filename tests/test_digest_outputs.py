"""mtsum digest's output folder: checked before anything is read, only mtsum's, one digest
at a time, no dead links, readable files (issue 28: items 1, 4, 5, 10, 14)."""

from __future__ import annotations

import errno
import os
import re
import stat
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from test_digest_helpers import (
    digest,
    digest_process,
    english_folder,
    full_folder,
    load_json,
    one_error,
    read_only_folder,
    stored,
)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- item 4: --out and the inputs --------------------------------------------------------

def _same(tmp: Path, src: Path) -> tuple[list[Path], Path]:
    return [src], src


def _dot(tmp: Path, src: Path) -> tuple[list[Path], Path]:
    os.chdir(src)
    return [Path(".")], Path(".")


def _link(tmp: Path, src: Path) -> tuple[list[Path], Path]:
    (tmp / "link").symlink_to(src)
    return [src], tmp / "link"


def _input_inside(tmp: Path, src: Path) -> tuple[list[Path], Path]:
    return [src], tmp


def _file_inside(tmp: Path, src: Path) -> tuple[list[Path], Path]:
    return [src / "ecb_rates.txt"], src


OVERLAPS = [
    ("out-is-the-input", _same, "is the input"),
    ("out-dot-in-the-input", _dot, "is the input"),
    ("out-a-link-to-the-input", _link, "is the input"),
    ("input-inside-out", _input_inside, "inside the output folder"),
    ("file-inside-out", _file_inside, "inside the output folder"),
]


@pytest.mark.parametrize(("case", "make", "words"), OVERLAPS, ids=[c[0] for c in OVERLAPS])
def test_out_overlapping_an_input_is_refused_before_anything(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             case: str, make: object, words: str) -> None:
    src = english_folder(tmp_path)
    monkeypatch.chdir(tmp_path)
    before = snapshot(tmp_path)
    inputs, out = make(tmp_path, src)  # type: ignore[operator]
    result = digest(inputs, out, tmp_path / "state.db")
    one_error(result, words)
    assert snapshot(tmp_path) == before  # nothing written (no "No articles" digest), nothing deleted
    assert not (tmp_path / "state.db").exists()


def test_out_inside_the_input_folder_is_never_read(tmp_path: Path) -> None:
    src = english_folder(tmp_path)
    out, state = src / "published", tmp_path / "state.db"
    assert digest(src, out, state).stdout.strip() == "9 new, 0 unchanged, 0 failed"
    assert digest(src, out, state, "--rebuild").stdout.strip() == "9 new, 0 unchanged, 0 failed"
    assert not any("published" in s["path"] for story in load_json(out)["stories"] for e in story["entries"]
                   for s in e["sources"])


# --- items 1 and 10: the folder itself, before any input is read -------------------------

def _file(tmp: Path) -> Path:
    (tmp / "afile").write_text("x")
    return tmp / "afile"


def _under_file(tmp: Path) -> Path:
    return _file(tmp) / "sub"


def _translations_file(tmp: Path) -> Path:
    (tmp / "o").mkdir()
    (tmp / "o" / ".mtsum-digest.json").write_text("{}")
    (tmp / "o" / "translations").write_text("x")
    return tmp / "o"


def _page_folder(tmp: Path) -> Path:
    (tmp / "o" / "digest.html").mkdir(parents=True)
    return tmp / "o"


def _translation_fifo(tmp: Path) -> Path:
    (tmp / "o" / "translations").mkdir(parents=True)
    (tmp / "o" / ".mtsum-digest.json").write_text("{}")
    os.mkfifo(tmp / "o" / "translations" / "ecb_rates.en.txt")
    return tmp / "o"


PATH_PROBLEMS = [
    ("out-is-a-file", _file, "is a file"),  # click's own check
    ("out-under-a-file", _under_file, "is a file, not a folder"),
    ("translations-is-a-file", _translations_file, "is a file, not a folder"),
    ("page-is-a-folder", _page_folder, "is a folder"),
    ("translation-is-a-fifo", _translation_fifo, "FIFO"),
]


@pytest.mark.parametrize(("case", "make", "words"), PATH_PROBLEMS, ids=[c[0] for c in PATH_PROBLEMS])
def test_output_path_problems_exit_2_before_reading(tmp_path: Path, case: str, make: object, words: str) -> None:
    src = english_folder(tmp_path)
    out = make(tmp_path)  # type: ignore[operator]
    # A child process: the old code opened a FIFO where a translation goes and waited for ever.
    done = digest_process(src, out, tmp_path / "state.db", timeout=60)
    stderr = done.stderr.decode()
    assert done.returncode == 2, stderr
    errors = [line for line in stderr.splitlines() if line.startswith(("mtsum: error:", "Error:"))]  # click's own
    assert len(errors) == 1 and words in errors[0] and "Traceback" not in stderr, stderr
    assert "[1/" not in stderr and stored(tmp_path / "state.db") == 0  # before any article was read


def test_read_only_out_is_exit_2_up_front(tmp_path: Path) -> None:
    src = english_folder(tmp_path)
    with read_only_folder(tmp_path / "ro") as out:
        result = digest(src, out, tmp_path / "state.db")
        one_error(result, str(out))
        assert "[1/" not in result.stderr and stored(tmp_path / "state.db") == 0


def test_full_disk_under_out_is_exit_2_up_front(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = english_folder(tmp_path)

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("mtsum.digest.outdir.os.fsync", full)
    result = digest(src, tmp_path / "out", tmp_path / "state.db")
    one_error(result, "disk full", str(tmp_path / "out"))
    assert stored(tmp_path / "state.db") == 0


def test_a_really_full_disk_under_out_is_exit_2_up_front(tmp_path: Path) -> None:
    src = english_folder(tmp_path)
    with full_folder(tmp_path / "mnt") as out:
        result = digest(src, out, tmp_path / "state.db")
        one_error(result, "disk full", str(out))
        assert stored(tmp_path / "state.db") == 0


def test_a_folder_with_files_mtsum_did_not_write_needs_force(tmp_path: Path) -> None:
    src, out, state = english_folder(tmp_path), tmp_path / "www", tmp_path / "state.db"
    out.mkdir()
    (out / "index.html").write_text("the site's own page\n")
    one_error(digest(src, out, state), "index.html", "--force")
    assert sorted(os.listdir(out)) == ["index.html"] and stored(state) == 0

    assert digest(src, out, state, "--force").exit_code == 0
    assert (out / "index.html").read_text() == "the site's own page\n"
    # From now on the folder is the digest's (its marker), and the site's page stays.
    assert digest(src, out, state).exit_code == 0
    assert (out / "index.html").read_text() == "the site's own page\n"


def test_the_runs_own_state_and_log_in_the_folder_do_not_make_it_foreign(tmp_path: Path) -> None:
    src, out = english_folder(tmp_path), tmp_path / "www"
    out.mkdir()
    (out / "digest.sqlite3").write_bytes(b"")  # as an older digest with --state www/digest.sqlite3 left it
    args = ("--log-file", str(out / "digest.log"))
    assert digest(src, out, out / "digest.sqlite3", *args).exit_code == 0
    assert digest(src, out, out / "digest.sqlite3", *args).stdout.strip() == "0 new, 9 unchanged, 0 failed"


def test_a_digest_folder_from_before_the_marker_is_adopted(tmp_path: Path) -> None:
    src, out, state = english_folder(tmp_path), tmp_path / "out", tmp_path / "state.db"
    (out / "translations").mkdir(parents=True)
    for name in ("digest.md", "digest.html", "digest.json"):
        (out / name).write_text("old digest\n")
    (out / "translations" / "gone.en.txt").write_text("an article that is no longer an input\n")
    assert digest(src, out, state).exit_code == 0
    assert (out / ".mtsum-digest.json").is_file()
    assert not (out / "translations" / "gone.en.txt").exists()  # a digest's own, no page links to it


# --- item 5: no dead links, one digest per folder ----------------------------------------

class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hrefs += [v for k, v in attrs if k == "href" and v and not v.startswith(("#", "http"))]


def dead_links(out: Path) -> list[str]:
    parser = _Links()
    parser.feed((out / "digest.html").read_text(encoding="utf-8"))
    files = [unquote(h.split("#")[0]) for h in parser.hrefs]
    md = (out / "digest.md").read_text(encoding="utf-8")
    files += [unquote(h) for h in re.findall(r"\]\(<([^>]*)>\)", md)]
    return [f for f in files if not (out / f).is_file()]


def test_a_markdown_run_after_a_full_run_keeps_what_the_page_links_to(tmp_path: Path) -> None:
    src, out, state = english_folder(tmp_path), tmp_path / "out", tmp_path / "state.db"
    assert digest(src, out, state).exit_code == 0
    html_files = sorted((out / "translations").glob("*.en.html"))
    assert len(html_files) == 9 and dead_links(out) == []
    assert digest(src, out, state, "--format", "md", "--rebuild").exit_code == 0
    assert sorted((out / "translations").glob("*.en.html")) == html_files
    assert dead_links(out) == []

    # An article that is gone loses its files once no page links to them any more.
    (src / "ecb_rates.txt").unlink()
    assert digest(src, out, state, "--format", "md").exit_code == 0
    # The old digest.html, .json and .xml still link to its files: they stay until those pages go.
    assert all((out / "translations" / f"ecb_rates.en.{ext}").exists() for ext in ("html", "txt"))
    assert "ecb_rates" not in (out / "digest.md").read_text(encoding="utf-8")
    assert digest(src, out, state).exit_code == 0
    assert not (out / "translations" / "ecb_rates.en.html").exists() and dead_links(out) == []


def test_a_second_digest_on_the_same_out_is_refused_whatever_its_state(tmp_path: Path) -> None:
    from filelock import FileLock

    src, out = english_folder(tmp_path), tmp_path / "out"
    assert digest(src, out, tmp_path / "a.db").exit_code == 0
    before = snapshot(out)
    with FileLock(str(out / ".mtsum-digest.lock")):  # the first digest, still running
        result = digest(src, out, tmp_path / "b.db")
    assert result.exit_code == 75, result.stderr
    assert "another mtsum digest is writing to" in result.stderr and "--wait" in result.stderr
    assert snapshot(out) == before and stored(tmp_path / "b.db") == 0
    assert digest(src, out, tmp_path / "b.db").exit_code == 0


# --- item 14: permissions ----------------------------------------------------------------

def test_files_are_readable_by_others_and_a_chmod_is_kept(tmp_path: Path) -> None:
    src, out, state = english_folder(tmp_path), tmp_path / "out", tmp_path / "state.db"
    old = os.umask(0o022)
    try:
        assert digest(src, out, state).exit_code == 0
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in out.rglob("*") if p.is_file()}
        assert modes and set(modes.values()) == {0o644}, modes
        (out / "digest.html").chmod(0o640)
        (out / "translations" / "ecb_rates.en.html").chmod(0o600)
        edited = src / "ecb_rates.txt"
        edited.write_text(edited.read_text(encoding="utf-8") + "\nMarkets had expected it.\n", encoding="utf-8")
        assert digest(src, out, state).stdout.strip() == "1 new, 8 unchanged, 0 failed"
    finally:
        os.umask(old)
    assert "Markets had expected it." in (out / "translations" / "ecb_rates.en.html").read_text(encoding="utf-8")
    assert stat.S_IMODE((out / "digest.html").stat().st_mode) == 0o640
    assert stat.S_IMODE((out / "translations" / "ecb_rates.en.html").stat().st_mode) == 0o600
    assert stat.S_IMODE((out / "digest.md").stat().st_mode) == 0o644
