"""Each article committed as it finishes; progress on a terminal and in the log; the hint to
convert the models (issue 28: item 6)."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest
from test_digest_crash import make_articles
from test_digest_helpers import ROOT, digest, stored


def test_each_article_is_committed_with_its_translation_before_the_next_is_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mtsum.pipeline.core import Pipeline

    make_articles(tmp_path / "in", 5)
    out, state = tmp_path / "out", tmp_path / "state.db"
    original = Pipeline.summarize_many
    seen: list[tuple[int, int]] = []

    def watching(self: Pipeline, docs: object, *args: object, **kwargs: object) -> object:
        def pulled() -> object:
            for doc in docs:  # type: ignore[attr-defined]
                seen.append((stored(state), len(list((out / "translations").glob("*.en.txt")))))
                yield doc
        yield from original(self, pulled(), *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Pipeline, "summarize_many", watching)
    assert digest(tmp_path / "in", out, state).exit_code == 0
    # When article k is read, the k before it are in the state and have their translation file.
    assert seen == [(k, k) for k in range(5)]


def _terminal_run(tmp_path: Path, *extra: str) -> str:
    """The digest with stderr on a pseudo-terminal; what the terminal showed."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))  # 40 rows, 120 columns
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "mtsum", "digest", str(tmp_path / "in"), "--out", str(tmp_path / "out"),
         "--state", str(tmp_path / "state.db"), "--summarizer", "extractive", "--source", "en", *extra],
        stdout=subprocess.PIPE, stderr=slave, env=env)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    proc.communicate(timeout=120)
    assert proc.returncode == 0
    return b"".join(chunks).decode("utf-8", "replace")


def test_a_progress_bar_with_rate_and_time_left_on_a_terminal(tmp_path: Path) -> None:
    make_articles(tmp_path / "in", 30)
    shown = _terminal_run(tmp_path)
    assert re.search(r"digest: +\d+%.*\| *\d+/30 \[\d\d:\d\d<\d\d:\d\d, +[\d.]+(doc/s|s/doc)\]", shown), shown
    assert "[30/30]" in shown  # the per-article lines are still there, not torn by the bar


def test_no_bar_with_quiet(tmp_path: Path) -> None:
    make_articles(tmp_path / "in", 5)
    assert "doc/s" not in _terminal_run(tmp_path, "-q") and "s/doc" not in _terminal_run(tmp_path, "--rebuild", "-q")


def test_the_log_file_gets_a_progress_line_every_20_documents(tmp_path: Path) -> None:
    make_articles(tmp_path / "in", 45)
    log = tmp_path / "digest.log"
    result = digest(tmp_path / "in", tmp_path / "out", tmp_path / "state.db", "-q", "--log-file", str(log))
    assert result.exit_code == 0 and result.stderr == ""
    lines = [line for line in log.read_text(encoding="utf-8").splitlines() if "progress:" in line]
    assert [re.search(r"progress: (\d+)/45 documents", line).group(1) for line in lines] == ["20", "40"]
    assert all(re.search(r"[\d.]+ documents/s, about \d+ (s|min \d+ s) left$", line) for line in lines), lines


HINTS = [
    # (id, extra options, run twice first, hint expected)
    ("new-articles", (), False, True),
    ("quiet", ("-q",), False, False),
    ("nothing-to-do", (), True, False),
    ("backend-chosen", ("--backend", "transformers"), False, False),
]


@pytest.mark.parametrize(("case", "extra", "twice", "expected"), HINTS, ids=[h[0] for h in HINTS])
def test_convert_is_suggested_once_where_it_would_help(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str,
                                                       extra: tuple[str, ...], twice: bool, expected: bool) -> None:
    import mtsum.backends
    import mtsum.backends.convert

    monkeypatch.setattr(mtsum.backends, "ctranslate2_installed", lambda: True)
    monkeypatch.setattr(mtsum.backends.convert, "find_converted", lambda spec, compute_type=None: None)
    make_articles(tmp_path / "in", 3)
    if twice:
        assert digest(tmp_path / "in", tmp_path / "out", tmp_path / "state.db").exit_code == 0
    result = digest(tmp_path / "in", tmp_path / "out", tmp_path / "state.db", *extra)
    assert result.exit_code == 0
    assert result.stderr.count("mtsum models convert") == (1 if expected else 0), result.stderr


def test_no_hint_where_every_model_is_converted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import mtsum.backends
    import mtsum.backends.convert

    monkeypatch.setattr(mtsum.backends, "ctranslate2_installed", lambda: True)
    monkeypatch.setattr(mtsum.backends.convert, "find_converted", lambda spec, compute_type=None: tmp_path)
    make_articles(tmp_path / "in", 2)
    result = digest(tmp_path / "in", tmp_path / "out", tmp_path / "state.db")
    assert result.exit_code == 0 and "models convert" not in result.stderr
