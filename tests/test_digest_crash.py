"""Crash safety and concurrency of mtsum digest, with real processes.

A digest is SIGKILLed in the middle of a folder of small English articles, then run
again: every article must end up in the digest exactly once and the database must
pass SQLite's integrity check. Two digests started together on one state must not
both process the articles. ``--source en`` skips language detection, so a process
starts in about a second and spends its time on the articles themselves.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mtsum.digest import State
from mtsum.io.atomic import is_temporary

ROOT = Path(__file__).resolve().parent.parent
N_ARTICLES = 150

_CITIES = ["Leeds", "Boston", "Perth", "Denver", "Cardiff", "Austin", "Halifax", "Dundee", "Tucson", "Bristol",
           "Ottawa", "Norwich"]
_SUBJECTS = [
    ("council approves new cycle lanes", "The city council voted to build protected cycle lanes on the main "
     "roads into the centre, after a long campaign by residents and local businesses."),
    ("hospital opens children's ward", "The regional hospital opened a new ward for children on Monday, adding "
     "forty beds and a playroom paid for by donations from local families."),
    ("library extends opening hours", "The central library will stay open until nine in the evening from next "
     "month, the city said, after students asked for more quiet places to study."),
    ("bus drivers call off strike", "Bus drivers called off a planned strike after the operator agreed to raise "
     "wages and improve rest breaks, the union said in a statement."),
    ("storm damages harbour wall", "Strong winds and high waves damaged part of the old harbour wall overnight, "
     "and the coastguard warned people to stay away from the seafront."),
]


def make_articles(folder: Path, n: int = N_ARTICLES) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        city = _CITIES[i % len(_CITIES)]
        headline, body = _SUBJECTS[(i // len(_CITIES)) % len(_SUBJECTS)]
        path = folder / f"article_{i:03d}.txt"
        path.write_text(
            f"{city} {headline}\n\n{body.replace('The city', f'{city}')} Officials in {city} said the work "
            f"would take about {i % 9 + 2} months.\n\nResidents of {city} have been invited to a public "
            f"meeting on the plans, the {i + 1}th held this year, where they can ask questions.\n",
            encoding="utf-8")
        paths.append(path)
    return paths


def _sigint_as_from_a_terminal() -> None:
    # A shell without job control starts background commands with SIGINT ignored, and a
    # Python started so keeps ignoring it (as nohup intends): the test would then pass or
    # fail by how the test run itself was started. The digest is meant to meet Ctrl-C.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_digest(folder: Path, out: Path, state: Path, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "mtsum", "digest", str(folder), "--out", str(out), "--state", str(state),
         "--summarizer", "extractive", "--source", "en", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, preexec_fn=_sigint_as_from_a_terminal)


def wait_for_line(proc: subprocess.Popen, marker: str, timeout: float = 120) -> list[str]:
    """Read proc's stderr until a line contains ``marker``; return the lines read."""
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    assert proc.stderr is not None
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            pytest.fail(f"digest ended before '{marker}': {''.join(lines)}")
        lines.append(line)
        if marker in line:
            return lines
    pytest.fail(f"no '{marker}' within {timeout} s")


def integrity(state: Path) -> str:
    with sqlite3.connect(state) as db:
        return db.execute("PRAGMA integrity_check").fetchone()[0]


def stored(state: Path) -> int:
    with sqlite3.connect(state) as db:
        return db.execute("SELECT count(*) FROM articles").fetchone()[0]


# SIGTERM: killed by default; 143 once the runner handles it and stops cleanly.
@pytest.mark.parametrize(("sig", "codes"), [
    (signal.SIGKILL, {-signal.SIGKILL}),
    (signal.SIGTERM, {-signal.SIGTERM, 143}),
    (signal.SIGINT, {130}),
], ids=["SIGKILL", "SIGTERM", "SIGINT"])
def test_killed_mid_run_then_resume(tmp_path: Path, sig: signal.Signals, codes: set[int]) -> None:
    paths = make_articles(tmp_path / "in")
    state, out = tmp_path / "state.db", tmp_path / "out"
    proc = start_digest(tmp_path / "in", out, state)
    wait_for_line(proc, f"[5/{N_ARTICLES}]")
    proc.send_signal(sig)
    proc.communicate(timeout=60)
    assert proc.returncode in codes

    committed = stored(state)
    assert 5 <= committed < N_ARTICLES, "the kill must land mid-run"
    assert integrity(state) == "ok"
    assert not out.exists() or not (out / "digest.json").exists()

    rerun = start_digest(tmp_path / "in", out, state)
    stdout, stderr = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, stderr
    assert stdout.strip() == f"{N_ARTICLES - committed} new, {committed} unchanged, 0 failed"
    data = json.loads((out / "digest.json").read_text(encoding="utf-8"))
    listed = [s["path"] for story in data["stories"] for e in story["entries"] for s in e["sources"]]
    assert sorted(listed) == sorted(map(str, paths))  # every article, each exactly once
    assert stored(state) == N_ARTICLES and integrity(state) == "ok"
    assert not [p for p in out.rglob("*") if is_temporary(p.name)]


def test_sigterm_keeps_every_finished_article_and_its_translation(tmp_path: Path) -> None:
    # Each article is committed as it finishes (its state row and its translation file),
    # not per window of documents: a stop keeps all of them, and exits 143 cleanly.
    paths = make_articles(tmp_path / "in")
    state, out = tmp_path / "state.db", tmp_path / "out"
    proc = start_digest(tmp_path / "in", out, state)
    seen = wait_for_line(proc, f"[5/{N_ARTICLES}]")
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 143, stderr
    assert "Traceback" not in stderr and "interrupted by SIGTERM" in stderr
    reported = [line for line in [*seen, *stderr.splitlines()] if f"/{N_ARTICLES}] " in line]
    committed = stored(state)
    assert 5 <= len(reported) <= committed < N_ARTICLES and integrity(state) == "ok"
    with sqlite3.connect(state) as db:
        done = sorted(Path(row[0]).stem for row in db.execute("SELECT path FROM articles"))
    written = sorted(p.name.removesuffix(".en.txt") for p in (out / "translations").glob("*.en.txt"))
    assert written == done  # every committed article's translation, and nothing else
    assert all((out / "translations" / f"{stem}.en.txt").read_text(encoding="utf-8").rstrip().endswith(")")
               for stem in done)  # each one whole
    assert not [p for p in out.rglob("*") if is_temporary(p.name)]

    rerun = start_digest(tmp_path / "in", out, state)
    stdout, stderr = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, stderr
    assert stdout.strip() == f"{N_ARTICLES - committed} new, {committed} unchanged, 0 failed"
    assert len(list((out / "translations").glob("*.en.txt"))) == len(paths)


def test_two_digests_on_one_state_never_both_process(tmp_path: Path) -> None:
    make_articles(tmp_path / "in")
    state = tmp_path / "state.db"
    procs = [start_digest(tmp_path / "in", tmp_path / f"out{i}", state, "--wait", "120") for i in range(2)]
    results = sorted(p.communicate(timeout=300)[0].strip() for p in procs)
    assert [p.returncode for p in procs] == [0, 0]
    # Whichever got the state first did all the work; the other waited and found it done.
    assert results == [f"0 new, {N_ARTICLES} unchanged, 0 failed", f"{N_ARTICLES} new, 0 unchanged, 0 failed"]
    assert stored(state) == N_ARTICLES and integrity(state) == "ok"


def test_waiting_digest_starts_when_the_state_is_released(tmp_path: Path) -> None:
    make_articles(tmp_path / "in", 3)
    state = tmp_path / "state.db"
    with State(state):
        proc = start_digest(tmp_path / "in", tmp_path / "out", state, "--wait", "120")
        wait_for_line(proc, "another digest is using the state")
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr
    assert stdout.strip() == "3 new, 0 unchanged, 0 failed"
