"""A digest state that cannot be used, and --since values out of range: exit 2 with one line
each, never a traceback or exit 1 (issue 28: item 13)."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest
from test_digest_helpers import digest, english_folder, full_folder, one_error, stored, tmpfs


def _first_run(src: Path, tmp: Path, state: Path) -> None:
    assert digest(src, tmp / "out", state).exit_code == 0
    with closing(sqlite3.connect(state)) as db:  # everything in the main file, as a clean close leaves it
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _fifo(src: Path, tmp: Path, state: Path) -> None:
    import os

    os.mkfifo(state)


def _corrupt(src: Path, tmp: Path, state: Path) -> None:
    _first_run(src, tmp, state)
    data = bytearray(state.read_bytes())
    page = 4096
    middle = (len(data) // page // 2) * page
    data[middle:middle + page] = bytes(range(256)) * (page // 256)  # a page of garbage mid-file
    state.write_bytes(bytes(data))


def _not_sqlite(src: Path, tmp: Path, state: Path) -> None:
    state.write_text("not sqlite " * 100)


PROBLEMS: list[tuple[str, Callable[[Path, Path, Path], None], str]] = [
    ("a-fifo", _fifo, "FIFO"),
    ("corrupt-mid-file", _corrupt, "is damaged"),
    ("not-sqlite", _not_sqlite, "not a usable SQLite database"),
]


@pytest.mark.parametrize(("case", "make", "words"), PROBLEMS, ids=[p[0] for p in PROBLEMS])
def test_unusable_state_is_exit_2_with_one_line(tmp_path: Path, case: str, make: Callable, words: str) -> None:
    src, state = english_folder(tmp_path), tmp_path / "state.db"
    make(src, tmp_path, state)
    result = digest(src, tmp_path / "out2", state)
    one_error(result, words, str(state))
    assert "[1/" not in result.stderr  # found before any article was processed


def test_read_only_state_is_exit_2_up_front(tmp_path: Path) -> None:
    src = english_folder(tmp_path)
    with tmpfs(tmp_path / "mnt", "size=8m") as mount:
        state = mount / "state.db"
        _first_run(src, tmp_path, state)
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        (src / "ecb_rates.txt").write_text("A new version of the article about the central bank and its rates.\n")
        result = digest(src, tmp_path / "out2", state)
        one_error(result, "read-only", str(state))
        assert "[1/" not in result.stderr


def test_immutable_state_is_exit_2_up_front(tmp_path: Path) -> None:
    if shutil.which("chattr") is None:
        pytest.skip("chattr is not installed")
    src, state = english_folder(tmp_path), tmp_path / "state.db"
    _first_run(src, tmp_path, state)
    if subprocess.run(["chattr", "+i", str(state)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i needs root and a file system that supports it")
    try:
        result = digest(src, tmp_path / "out2", state)
    finally:
        subprocess.run(["chattr", "-i", str(state)], check=True)
    one_error(result, "immutable", str(state))


def test_a_full_disk_while_committing_is_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # SQLite says "database or disk is full" when it cannot grow the file: max_page_count
    # makes that happen at the first article, as a full disk would.
    from mtsum.digest.state import State

    connect = State._connect

    def capped(self: State) -> sqlite3.Connection:
        db = connect(self)
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        db.execute(f"PRAGMA max_page_count = {pages}")
        return db

    monkeypatch.setattr(State, "_connect", capped)
    src, state = english_folder(tmp_path), tmp_path / "state.db"
    result = digest(src, tmp_path / "out", state)
    one_error(result, "disk full", str(state))


def test_a_really_full_disk_under_the_state_is_exit_2_up_front(tmp_path: Path) -> None:
    src = english_folder(tmp_path)
    with full_folder(tmp_path / "mnt") as folder:
        state = folder / "state.db"
        result = digest(src, tmp_path / "out", state)
        one_error(result, "disk full", str(state))
        assert stored(state) == 0


@pytest.mark.parametrize("since", ["999999999d", "0001-01-01", "9999-12-31", "2999-01-01T00:00+00:00"])
def test_since_out_of_range_is_exit_2_with_one_line(tmp_path: Path, since: str) -> None:
    result = digest(english_folder(tmp_path), tmp_path / "out", tmp_path / "state.db", "--since", since)
    one_error(result, "--since", since)
    assert not (tmp_path / "out").exists() and not (tmp_path / "state.db").exists()
