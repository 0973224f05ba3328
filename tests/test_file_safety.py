"""Outputs never harm a file: atomic writes, inputs refused as outputs, exit 2 for path problems."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from mtsum.cli import main
from mtsum.errors import OutputError
from mtsum.runs import DirSink, FileSink, open_sink

ENGLISH = "The council met on Monday.\n\nIt decided to keep the library open on Sundays.\n"


def run(*args: str) -> object:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if "mtsum-part" in p.name)


@pytest.fixture
def article(tmp_path: Path) -> Path:
    path = tmp_path / "a.txt"
    path.write_text(ENGLISH)
    return path


def test_output_equal_to_input_is_refused_and_input_kept(article: Path) -> None:
    result = run("translate", str(article), "-o", str(article), "--source", "en")
    assert result.exit_code == 2
    assert article.read_text() == ENGLISH
    assert str(article) in result.stderr and "also an input" in result.stderr


def test_output_symlinked_to_input_is_refused(article: Path, tmp_path: Path) -> None:
    link = tmp_path / "link.txt"
    link.symlink_to(article)
    result = run("translate", str(article), "-o", str(link), "--source", "en")
    assert result.exit_code == 2 and article.read_text() == ENGLISH


def test_output_folder_name_colliding_with_an_input_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "y.en.txt").write_text(ENGLISH)
    (tmp_path / "y.txt").write_text(ENGLISH)
    result = run("translate", str(tmp_path / "y.txt"), str(out / "y.en.txt"), "-o", str(out), "--source", "en")
    assert result.exit_code == 2 and "also an input" in result.stderr
    assert (out / "y.en.txt").read_text() == ENGLISH


def test_failed_run_leaves_existing_output_untouched(tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    out.write_text("earlier result\n")
    result = run("translate", str(tmp_path / "missing.txt"), "-o", str(out), "--source", "en")
    assert result.exit_code == 2
    assert out.read_text() == "earlier result\n" and leftovers(tmp_path) == []


def test_successful_run_replaces_the_output_atomically(article: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    out.write_text("earlier result\n")
    out.chmod(0o640)
    result = run("translate", str(article), "-o", str(out), "--source", "en")
    assert result.exit_code == 0
    assert out.read_text().strip() == ENGLISH.strip()
    assert oct(out.stat().st_mode & 0o777) == oct(0o640)  # the user's mode survives the rename
    assert leftovers(tmp_path) == []


PATH_PROBLEMS = [
    # (id, how to build the -o argument, words in the one-line message)
    ("several-inputs-existing-file", lambda d: _file(d / "exists.txt"), "not a folder"),
    ("file-as-parent", lambda d: str(_file(d / "file.txt")) + "/out.txt", "is a file, not a folder"),
    ("parent-not-creatable", lambda d: "/proc/mtsum-no-such-dir/out.txt", "cannot create folder"),
    ("disk-full", lambda d: "/dev/full", "disk full"),
]


def _file(path: Path) -> Path:
    path.write_text("x")
    return path


@pytest.mark.parametrize(("case", "make", "words"), PATH_PROBLEMS, ids=[p[0] for p in PATH_PROBLEMS])
def test_output_path_problems_exit_2_with_one_line(article: Path, tmp_path: Path, case: str, make: object,
                                                   words: str) -> None:
    target = make(tmp_path)
    inputs = [str(article), str(article)] if case.startswith("several") else [str(article)]
    result = run("translate", *inputs, "-o", str(target), "--source", "en")
    assert result.exit_code == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("mtsum: error:")]
    assert len(lines) == 1 and words in lines[0] and "Traceback" not in result.stderr
    assert "unexpected" not in lines[0]


def test_enospc_while_committing_is_exit_2_and_leaves_nothing(monkeypatch: pytest.MonkeyPatch,
                                                             tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    out.write_text("earlier result\n")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("mtsum.runs.sinks.os.fsync", full)
    sink = open_sink(str(out), ["in.txt"], ".en.txt")
    sink.write(0, "in.txt", ["new text"])
    with pytest.raises(OutputError, match="disk full"):
        sink.close(commit=True)
    assert out.read_text() == "earlier result\n" and leftovers(tmp_path) == []


def test_folder_sink_failure_mid_document_keeps_earlier_files(tmp_path: Path) -> None:
    sink = open_sink(str(tmp_path / "out"), ["a.txt", "b.txt"], ".en.txt")
    assert isinstance(sink, DirSink)
    sink.write(0, "a.txt", ["first ", "document"])

    def broken():
        yield "half of the second"
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sink.write(1, "b.txt", broken())
    sink.close(commit=False)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.en.txt"]
    assert (tmp_path / "out" / "a.en.txt").read_text() == "first document\n"


def test_file_sink_discarded_on_abort(tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    sink = open_sink(str(out), ["a.txt"], ".en.txt")
    assert isinstance(sink, FileSink)
    sink.write(0, "a.txt", ["text"])
    sink.close(commit=False)
    assert not out.exists() and leftovers(tmp_path) == []


def test_new_output_file_gets_umask_mode(article: Path, tmp_path: Path) -> None:
    out = tmp_path / "new" / "out.txt"
    result = run("translate", str(article), "-o", str(out), "--source", "en")
    assert result.exit_code == 0
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask


def test_unwritable_folder_is_exit_2(article: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # as root, chmod cannot make a folder unwritable: ask os.access the way a user would be answered
    locked = tmp_path / "locked"
    locked.mkdir()
    monkeypatch.setattr("mtsum.runs.sinks.os.access", lambda path, mode: Path(path) != locked)
    result = run("translate", str(article), "-o", str(locked / "out.txt"), "--source", "en")
    assert result.exit_code == 2 and "not writable" in result.stderr and str(locked) in result.stderr
    assert list(locked.iterdir()) == []


def test_output_hard_linked_to_input_is_refused(article: Path, tmp_path: Path) -> None:
    link = tmp_path / "hard.txt"
    os.link(article, link)
    result = run("translate", str(article), "-o", str(link), "--source", "en")
    assert result.exit_code == 2 and article.read_text() == ENGLISH
