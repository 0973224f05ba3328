"""Helpers shared by the digest tests (no tests here): running the CLI, read-only and full folders."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from mtsum.cli import main

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = Path(__file__).parent / "data" / "digest"


def run(*args: str) -> object:
    return CliRunner().invoke(main, ["digest", *args], catch_exceptions=False)


def digest(inputs: list[Path] | Path, out: Path, state: Path, *extra: str) -> object:
    """``mtsum digest`` in this process, English articles: no model is needed."""
    paths = [inputs] if isinstance(inputs, Path) else inputs
    return run(*map(str, paths), "--out", str(out), "--state", str(state), "--summarizer", "extractive",
               "--source", "en", *extra)


def digest_process(inputs: list[Path] | Path, out: Path, state: Path, *extra: str,
                   timeout: float = 120) -> subprocess.CompletedProcess:
    """The same in a child process, for what could hang (a FIFO) or needs real bytes on stderr."""
    paths = [inputs] if isinstance(inputs, Path) else inputs
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "mtsum", "digest", *map(os.fsencode, paths), "--out", str(out), "--state", str(state),
         "--summarizer", "extractive", "--source", "en", *extra],
        capture_output=True, env=env, timeout=timeout)


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("mtsum: error:")]


def one_error(result: object, *words: str) -> str:
    """Exit 2 with exactly one error line holding ``words``, no traceback; the line."""
    stderr = result.stderr  # type: ignore[attr-defined]
    assert result.exit_code == 2, stderr  # type: ignore[attr-defined]
    lines = error_lines(stderr)
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr and "unexpected" not in lines[0]
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def english_folder(tmp_path: Path, name: str = "in") -> Path:
    src = tmp_path / name
    shutil.copytree(ARTICLES, src)
    return src


def load_json(out: Path) -> dict:
    return json.loads((out / "digest.json").read_text(encoding="utf-8"))


def stored(state: Path) -> int:
    import sqlite3

    if not state.exists():
        return 0
    with contextlib.closing(sqlite3.connect(state)) as db:
        try:
            return db.execute("SELECT count(*) FROM articles").fetchone()[0]
        except sqlite3.OperationalError:
            return 0


def _root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


@contextlib.contextmanager
def tmpfs(path: Path, options: str) -> Iterator[Path]:
    """A small tmpfs at ``path`` (root only: skips otherwise)."""
    path.mkdir(parents=True, exist_ok=True)
    if not _root() or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


@contextlib.contextmanager
def read_only_folder(path: Path) -> Iterator[Path]:
    """An empty folder nobody can write in: a read-only mount as root, else chmod 0555."""
    if _root():
        with tmpfs(path, "size=1m,ro") as folder:
            yield folder
        return
    path.mkdir(parents=True)
    path.chmod(0o555)
    try:
        yield path
    finally:
        path.chmod(0o755)


@contextlib.contextmanager
def full_folder(path: Path) -> Iterator[Path]:
    """``path/sub``, an empty folder on a file system with no space left (root only)."""
    with tmpfs(path, "size=256k") as mount:
        (mount / "sub").mkdir()
        fd = os.open(mount / "filler", os.O_WRONLY | os.O_CREAT)
        try:
            while True:
                os.write(fd, b"\0" * 4096)
        except OSError as exc:
            if exc.errno != errno.ENOSPC:
                raise
        finally:
            os.close(fd)
        yield mount / "sub"
