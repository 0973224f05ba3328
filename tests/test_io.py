"""mtsum.io's shared jobs, each written once: atomic writes, locks, input discovery, output names."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from mtsum.errors import Interrupted, OutputError, StateLockedError
from mtsum.io.atomic import TEMP_SUFFIX, AtomicFile, check_replaceable, is_temporary, probe, write_atomic
from mtsum.io.discover import walk_folder
from mtsum.io.lock import RunLock
from mtsum.io.names import shown, unique_stems
from mtsum.io.signals import stop_on_signals

# --- atomic writes ----------------------------------------------------------------

WRITERS = {
    "text": lambda target, data: write_atomic(target, data),
    "AtomicFile": lambda target, data: _with_atomic_file(target, data),
}


def _with_atomic_file(target: Path, data: str) -> None:
    with AtomicFile(target) as fh:
        fh.write(data)


@pytest.mark.parametrize("writer", WRITERS)
def test_a_write_replaces_the_file_whole_and_leaves_no_temporary(tmp_path: Path, writer: str) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old\n", encoding="utf-8")
    os.chmod(target, 0o640)
    WRITERS[writer](target, "new\n")
    assert target.read_text(encoding="utf-8") == "new\n"
    assert os.listdir(tmp_path) == ["out.txt"]
    assert target.stat().st_mode & 0o777 == 0o640  # an existing file keeps its mode


@pytest.mark.parametrize("writer", WRITERS)
def test_a_failed_write_keeps_the_old_file(tmp_path: Path, writer: str) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old\n", encoding="utf-8")
    with pytest.raises(UnicodeEncodeError):
        WRITERS[writer](target, "bad \udc80 surrogate")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert os.listdir(tmp_path) == ["out.txt"]


def test_binary_and_a_library_writing_to_the_handle(tmp_path: Path) -> None:
    target = tmp_path / "out.bin"
    with AtomicFile(target, binary=True) as fh:
        fh.fh.write(b"\0\1")
        fh.write(b"\2")
    assert target.read_bytes() == b"\0\1\2"


def test_a_stop_signal_during_the_commit_waits_until_the_file_is_in_place(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    tmp = AtomicFile(target)
    tmp.write("whole\n")
    real_replace = os.replace

    def replace_with_a_signal(src: str, dst: str) -> None:
        os.kill(os.getpid(), signal.SIGTERM)  # lands inside the commit
        real_replace(src, dst)

    with stop_on_signals(), pytest.raises(Interrupted) as caught:
        os.replace = replace_with_a_signal  # type: ignore[assignment]
        try:
            tmp.commit()
        finally:
            os.replace = real_replace
    assert caught.value.exit_code == 143
    assert target.read_text(encoding="utf-8") == "whole\n"
    assert os.listdir(tmp_path) == ["out.txt"]


@pytest.mark.parametrize("make, kind", [
    (lambda p: p.mkdir(), "a folder"),
    (lambda p: os.mkfifo(p), "a FIFO"),
])
def test_only_regular_files_are_replaced(tmp_path: Path, make: object, kind: str) -> None:
    target = tmp_path / "special"
    make(target)  # type: ignore[operator]
    with pytest.raises(OutputError, match=kind):
        check_replaceable(target, "this file")
    with pytest.raises(OutputError, match=kind):
        write_atomic(target, "x")


def test_a_device_is_never_replaced() -> None:
    with pytest.raises(OutputError, match="a character device"):
        write_atomic("/dev/null", "x")


@pytest.mark.parametrize("name, temporary", [
    (f".out.jsonl.abc123{TEMP_SUFFIX}", True), (".digest.md.abc123.tmp", True), (".mtsum-probe.x.tmp", True),
    ("digest.md", False), ("notes.tmp", False),
])
def test_temporary_names(name: str, temporary: bool) -> None:
    assert is_temporary(name) is temporary


def test_probe_leaves_nothing(tmp_path: Path) -> None:
    probe(tmp_path)
    assert os.listdir(tmp_path) == []


# --- locks ------------------------------------------------------------------------

@pytest.mark.parametrize("remove", [False, True])
def test_a_second_run_is_refused_with_exit_75_and_the_lock_is_free_after(tmp_path: Path, remove: bool) -> None:
    path = tmp_path / ".lock"
    with RunLock(path, held="another run holds it", remove=remove):
        with pytest.raises(StateLockedError, match="another run holds it") as caught:
            RunLock(path, held="another run holds it").acquire()
        assert caught.value.exit_code == 75
    assert path.exists() is not remove
    with RunLock(path, held="x"):  # released: the next run gets it
        pass


def test_a_waiting_run_gives_up_after_its_wait(tmp_path: Path) -> None:
    path = tmp_path / ".lock"
    with RunLock(path, held="held"), pytest.raises(StateLockedError):
        RunLock(path, held="held", wait=0.3, waiting="waiting").acquire()


def test_a_lock_file_that_cannot_be_made_is_an_os_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(OSError):  # the caller says which output it is
        RunLock(tmp_path / "file" / ".lock", held="x").acquire()


# --- discovery and names ----------------------------------------------------------

def test_walk_folder_takes_input_files_sorted_skipping_hidden_and_special(tmp_path: Path) -> None:
    for name in ("b.txt", "a.HTML", "sub/c.htm", "notes.md", ".hidden.txt", ".git/x.txt", "sub/.tmp/y.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    (tmp_path / "folder.txt").mkdir()
    os.mkfifo(tmp_path / "pipe.txt")
    special: list[tuple[str, str]] = []
    found = walk_folder(tmp_path, lambda p, kind: special.append((p.name, kind)))
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["a.HTML", "b.txt", "sub/c.htm"]
    assert special == [("pipe.txt", "a FIFO (named pipe)")]


@pytest.mark.parametrize("stems, expected", [
    (["a", "b"], ["a", "b"]),
    (["x", "x", "x"], ["x", "x-2", "x-3"]),
    (["x", "x", "x-2"], ["x", "x-2", "x-2-2"]),
    (["Report", "report", "REPORT"], ["Report", "report-2", "REPORT-3"]),  # one file on macOS/Windows
])
def test_unique_stems(stems: list[str], expected: list[str]) -> None:
    assert unique_stems(stems) == expected


@pytest.mark.parametrize("text, expected", [
    ("plain", "plain"), ("caf\udce9.txt", "caf\\xe9.txt"), ("lone \ud800", "lone \\ud800"),
])
def test_shown(text: str, expected: str) -> None:
    assert shown(text) == expected
