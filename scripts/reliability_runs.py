"""`make reliability`, digest and batch: kills, signals, hostile paths, a huge article.

Each check runs the real CLI in subprocesses on the tiny test models (tests/fixtures/
real_layout.py) and a folder of articles made from the seeds and tests/data:

- SIGKILL at random points, then a rerun: every article (digest) or record (batch) is
  there exactly once;
- SIGINT and SIGTERM: the run stops within 5 s with exit 130/143;
- a device node as the cache, a FIFO as an input, a file name that is not UTF-8;
- a 30,000-paragraph article through the extractive summarizer, peak RSS reported.

    python scripts/reliability_runs.py [--kills 3] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "fixtures"))
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}


def articles(folder: Path, copies: int = 2) -> list[Path]:
    """Distinct articles: each seed and test text, a few times with a numbered first line."""
    folder.mkdir(parents=True, exist_ok=True)
    sources = [*sorted((ROOT / "seeds").glob("*.txt")), *sorted((ROOT / "tests" / "data").glob("*_*.txt"))]
    sources = [p for p in sources if p.stat().st_size > 400]
    out = []
    for n in range(copies):
        for src in sources:
            path = folder / f"{src.stem}-{n}.txt"
            path.write_text(f"Report {n} from {src.stem}\n\n" + src.read_text(encoding="utf-8"), encoding="utf-8")
            out.append(path)
    return out


def mtsum(*args: str, env: dict[str, str] | None = None, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mtsum", *args], env=env or ENV, capture_output=True, text=True,
                          timeout=timeout, check=False)


def start(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "mtsum", *args], env=env or ENV, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


# --- the two commands, as a check sees them ---------------------------------------------


def digest_args(inp: Path, work: Path, models: Path) -> list[str]:
    return ["-q", "digest", str(inp), "--out", str(work / "out"), "--state", str(work / "state.db"),
            "--summarizer", "extractive", "--models", str(models), "--format", "json"]


def digest_ids(work: Path) -> list[str]:
    data = json.loads((work / "out" / "digest.json").read_text(encoding="utf-8"))
    return [source["path"] for story in data["stories"] for entry in story["entries"] for source in entry["sources"]]


def batch_args(inp: Path, work: Path, models: Path) -> list[str]:
    return ["-q", "batch", str(inp), "--output", str(work / "out.jsonl"), "--models", str(models)]


def batch_ids(work: Path) -> list[str]:
    lines = (work / "out.jsonl").read_text(encoding="utf-8").splitlines()
    return [str(json.loads(line)["id"]) for line in lines if line.strip()]


COMMANDS = {"digest": (digest_args, digest_ids), "batch": (batch_args, batch_ids)}


def kill_and_rerun(name: str, inp: Path, n: int, models: Path, tmp: Path, kills: int,
                   rng: random.Random) -> dict[str, Any]:
    make_args, ids_of = COMMANDS[name]
    work = tmp / f"{name}-kill"
    work.mkdir()
    env = {**ENV, "MTSUM_CACHE_DIR": str(work / "cache")}
    timing = tmp / f"{name}-timing"
    timing.mkdir()
    started = time.perf_counter()
    full = mtsum(*make_args(inp, timing, models), env={**env, "MTSUM_CACHE": "off"})
    whole = time.perf_counter() - started
    killed_at = []
    for _ in range(kills):
        proc = start(*make_args(inp, work, models), env=env)
        delay = rng.uniform(0.5, max(1.0, whole))
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        killed_at.append(round(delay, 1))
    final = mtsum(*make_args(inp, work, models), env=env)
    ids = ids_of(work) if final.returncode == 0 else []
    return {"command": name, "uninterrupted_exit": full.returncode, "uninterrupted_s": round(whole, 1),
            "killed_at_s": killed_at, "rerun_exit": final.returncode, "expected": n, "found": len(ids),
            "unique": len(set(ids)),
            "ok": full.returncode == 0 and final.returncode == 0 and len(ids) == len(set(ids)) == n,
            "stderr": final.stderr[-400:]}


def stop_on_signal(name: str, inp: Path, models: Path, tmp: Path, sig: signal.Signals) -> dict[str, Any]:
    make_args, _ = COMMANDS[name]
    work = tmp / f"{name}-{sig.name}"
    work.mkdir()
    proc = start(*make_args(inp, work, models), env={**ENV, "MTSUM_CACHE_DIR": str(work / "cache")})
    time.sleep(4.0)  # past start-up: models load, the first articles are under way
    sent = time.perf_counter()
    proc.send_signal(sig)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    seconds = time.perf_counter() - sent
    expected = 128 + int(sig)
    ended_before = proc.returncode == 0 and seconds < 0.1  # finished before the signal came: no test
    return {"command": name, "signal": sig.name, "exit": proc.returncode, "expected": expected,
            "seconds": round(seconds, 2), "ok": (proc.returncode == expected and seconds <= 5.0) or ended_before}


def hostile_paths(inp: Path, models: Path, tmp: Path) -> list[dict[str, Any]]:
    found = []
    node = tmp / "null-device"
    try:
        os.mknod(node, 0o666 | 0o020000, os.makedev(1, 3))  # a character device like /dev/null
    except (PermissionError, OSError):
        node = Path("/dev/null")  # not root: /dev/null itself (it must stay a device)
    res = mtsum("cache", "stats", "--cache", str(node))
    still = node.exists() and node.is_char_device()
    found.append({"case": f"--cache {node.name} (a device)", "exit": res.returncode,
                  "ok": res.returncode == 2 and still, "detail": res.stderr.strip()[-200:]})

    fifo = tmp / "pipe.txt"
    os.mkfifo(fifo)
    work = tmp / "fifo"
    try:
        res = mtsum(*digest_args(fifo, work, models), timeout=60)
        found.append({"case": "a FIFO named as a digest input", "exit": res.returncode,
                      "ok": res.returncode in (0, 2, 4), "detail": res.stderr.strip()[-200:]})
    except subprocess.TimeoutExpired:
        found.append({"case": "a FIFO named as a digest input", "exit": None, "ok": False, "detail": "hung"})

    odd = tmp / "odd"
    odd.mkdir()
    src = next(iter(sorted(inp.iterdir())))
    (odd / os.fsdecode(b"bad\xff\xfename.txt")).write_bytes(src.read_bytes())
    for name in ("digest", "batch"):
        make_args, ids_of = COMMANDS[name]
        work = tmp / f"odd-{name}"
        work.mkdir()
        res = mtsum(*make_args(odd, work, models))
        ok = res.returncode == 0 and len(ids_of(work)) == 1
        found.append({"case": f"a file name that is not UTF-8 ({name})", "exit": res.returncode, "ok": ok,
                      "detail": res.stderr.strip()[-200:]})
    return found


def huge_article(tmp: Path, paragraphs: int = 30_000) -> dict[str, Any]:
    paras = [p for f in sorted((ROOT / "tests" / "data").glob("en_*.txt"))
             for p in f.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    src = tmp / "huge.txt"
    src.write_text("\n\n".join(f"{paras[i % len(paras)]} ({i})" for i in range(paragraphs)), encoding="utf-8")
    code = ("import resource, sys, mtsum; r = mtsum.summarize_text(open(sys.argv[1]).read(), source='en', "
            "summarizer='extractive'); print(len(r.summary)); "
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code, str(src)], env=ENV, capture_output=True, text=True,
                          check=False)
    seconds = time.perf_counter() - started
    lines = proc.stdout.split()
    peak = int(lines[-1]) / 1024 if proc.returncode == 0 and lines else None
    return {"paragraphs": paragraphs, "mb": round(src.stat().st_size / 1e6, 1), "exit": proc.returncode,
            "seconds": round(seconds, 1), "peak_rss_mb": round(peak) if peak else None,
            "ok": proc.returncode == 0 and bool(lines) and int(lines[0]) > 0, "stderr": proc.stderr[-300:]}


def run(kills: int, seed: int) -> tuple[bool, list[str]]:
    from real_layout import build_test_models

    rng = random.Random(seed)
    lines, good = [], True
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        models = build_test_models(tmp / "models")
        inp = tmp / "in"
        n = len(articles(inp))
        for name in ("digest", "batch"):
            r = kill_and_rerun(name, inp, n, models, tmp, kills, rng)
            good &= r["ok"]
            lines.append(f"{name}: {kills} SIGKILLs at {r['killed_at_s']} s (an uninterrupted run: exit "
                         f"{r['uninterrupted_exit']}, {r['uninterrupted_s']} s), rerun exit {r['rerun_exit']}: "
                         f"{r['found']} of {r['expected']} "
                         f"{'articles' if name == 'digest' else 'records'}, {r['unique']} unique: "
                         f"{'OK' if r['ok'] else 'FAILED ' + r['stderr']}")
            for sig in (signal.SIGINT, signal.SIGTERM):
                s = stop_on_signal(name, inp, models, tmp, sig)
                good &= s["ok"]
                lines.append(f"{name}: {sig.name} -> exit {s['exit']} in {s['seconds']} s "
                             f"(want {s['expected']} within 5 s): {'OK' if s['ok'] else 'FAILED'}")
        for h in hostile_paths(inp, models, tmp):
            good &= h["ok"]
            lines.append(f"{h['case']}: exit {h['exit']}: {'OK' if h['ok'] else 'FAILED ' + str(h['detail'])}")
        big = huge_article(tmp)
        good &= big["ok"]
        lines.append(f"extractive summary of {big['paragraphs']:,} paragraphs ({big['mb']} MB): exit {big['exit']}, "
                     f"{big['seconds']} s, peak RSS {big['peak_rss_mb']} MB: {'OK' if big['ok'] else 'FAILED'}")
    return good, lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    good, lines = run(args.kills, args.seed)
    print("\n== reliability: digest and batch ==")
    print("\n".join(lines))
    print(f"children's peak RSS {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MB")
    print("digest and batch: " + ("OK" if good else "FAILED"))
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
