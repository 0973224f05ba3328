"""mtsum batch on Ray Data, with a local two-CPU Ray instance and the tiny models."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from mtsum.batch import run_batch
from mtsum.pipeline.core import Settings

ray = pytest.importorskip("ray", reason="the Ray tests need the ray extra: pip install 'mtsum[ray]'")

ROOT = Path(__file__).resolve().parent.parent
# Parts of records the engines cannot share: timings, and which document of a
# shared batch happened to translate a repeated segment first.
RUN_STATS = ("seconds", "segments_translated", "cache_hits")


@pytest.fixture(scope="session")
def ray_address() -> Iterator[str]:
    """One local Ray instance for the session: 2 CPUs, no dashboard."""
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             logging_level="WARNING", runtime_env={"env_vars": {"PYTHONPATH": str(ROOT)}})
    try:
        yield ray.get_runtime_context().gcs_address
    finally:
        ray.shutdown()


def corpus(folder: Path, seeds: dict[str, Path], copies: int = 1) -> list[str]:
    """Short documents (a few paragraphs of each seed) and three bad ones."""
    folder.mkdir()
    for n in range(copies):
        for lang, path in seeds.items():
            paragraphs = [p for p in path.read_text(encoding="utf-8").split("\n\n") if len(p) > 60]
            (folder / f"{lang}-{n}.txt").write_text("\n\n".join(paragraphs[n % 3:n % 3 + 2]), encoding="utf-8")
    (folder / "empty.txt").write_text("", encoding="utf-8")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02" * 50)
    (folder / "ja.txt").write_text("これは日本語の文章です。東京は日本の首都です。", encoding="utf-8")
    return sorted(p.name for p in folder.iterdir())


def records(path: Path) -> dict[str, dict]:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        assert rec["id"] not in out, f"{rec['id']} written twice"
        for key in RUN_STATS:
            (rec["stats"] or {}).pop(key, None)
        out[rec["id"]] = rec
    return out


def finished_one(parts: Path) -> bool:
    """Whether a part file (the run's journal) holds a record that was translated (not an error)."""
    for part in parts.glob("part-*.jsonl"):
        for line in part.read_bytes().splitlines():
            try:
                if json.loads(line)["error"] is None:
                    return True
            except (ValueError, KeyError):
                continue  # the line being written
    return False


def test_killed_ray_run_resumes_and_matches_the_local_engine(ray_address: str, tiny_models: Path, seeds: dict,
                                                             tmp_path: Path) -> None:
    """One scenario, as Ray start-up is the slow part: the local engine, then a Ray run
    killed midway and run again; every id once, bad inputs recorded, and the Ray
    records equal to the local ones (same models and settings)."""
    ids = corpus(tmp_path / "in", seeds, copies=8)
    task = ["--task", "both", "--summarizer", "extractive"]
    kwargs = {"models": tiny_models, "settings": Settings(cache=False), "task": "both", "summarizer": "extractive"}
    local = run_batch(tmp_path / "in", tmp_path / "local.jsonl", engine="local", **kwargs)
    assert local.written + local.failed == len(ids) and local.written >= len(ids) // 2

    out = tmp_path / "out.jsonl"
    parts = tmp_path / ".out.jsonl.parts"
    # The CLI in its own process, joining this session's Ray instance; one record per chunk.
    cmd = [sys.executable, "-m", "mtsum", "-q", "batch", str(tmp_path / "in"), "--output", str(out),
           "--engine", "ray", "--ray-address", ray_address, "--workers", "1", "--chunk-size", "1",
           "--models", str(tiny_models), "--no-cache", *task]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 240
        while not finished_one(parts) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert proc.poll() is None, f"the run ended before it could be killed: {proc.stderr.read().decode()[-2000:]}"
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    kept = len(list(parts.glob("part-*.jsonl")))
    # Killed before its merge: OUT is not there yet. (On a fast machine the run may have
    # finished every document by then; what matters is that the rerun resumes.)
    assert 0 < kept <= len(ids) and not out.exists()

    report = run_batch(tmp_path / "in", out, engine="ray", workers=1, docs_per_call=2, **kwargs)
    assert report.skipped >= 1  # what the killed run finished is not done again
    assert report.skipped + report.written + report.failed == len(ids)
    on_ray = records(out)  # fails if an id is written twice
    assert sorted(on_ray) == ids and not parts.exists()
    assert on_ray == records(tmp_path / "local.jsonl")
    assert {i: on_ray[i]["error"]["type"] for i in ("binary.txt", "empty.txt", "ja.txt")} == {
        "binary.txt": "InputError", "empty.txt": "InputError", "ja.txt": "UnsupportedLanguageError"}


def test_sigterm_stops_a_ray_run_within_seconds(ray_address: str, tiny_models: Path, seeds: dict,
                                                tmp_path: Path) -> None:
    """ray.init installs its own SIGTERM handler (sys.exit(15)); mtsum's must win: exit 143
    within seconds, the finished records kept whole, and a rerun completes the rest."""
    ids = corpus(tmp_path / "in", seeds, copies=8)
    out = tmp_path / "out.jsonl"
    parts = tmp_path / ".out.jsonl.parts"
    cmd = [sys.executable, "-m", "mtsum", "batch", str(tmp_path / "in"), "--output", str(out),
           "--engine", "ray", "--ray-address", ray_address, "--workers", "1", "--chunk-size", "1",
           "--models", str(tiny_models), "--no-cache", "--task", "both", "--summarizer", "extractive"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 240
        while not finished_one(parts) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert proc.poll() is None, f"the run ended before the signal: {proc.stderr.read().decode()[-2000:]}"
        proc.send_signal(signal.SIGTERM)
        signalled = time.monotonic()
        _, err = proc.communicate(timeout=60)
        stopped_in = time.monotonic() - signalled
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == 143, err.decode()[-2000:]
    assert stopped_in < 5, f"took {stopped_in:.1f} s to stop"
    assert b"interrupted by SIGTERM" in err and not parts.exists()
    kept = records(out)  # fails if an id is written twice
    # Ray Data runs ahead of the driver: on a fast machine every document may be done by then.
    assert 1 <= sum(r["error"] is None for r in kept.values()) and len(kept) <= len(ids)

    # The run key does not depend on the engine: the local engine resumes what Ray began.
    report = run_batch(tmp_path / "in", out, models=tiny_models, settings=Settings(cache=False), task="both",
                       summarizer="extractive")
    assert report.skipped == sum(r["error"] is None for r in kept.values())
    assert sorted(records(out)) == ids
