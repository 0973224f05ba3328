"""``mtsum batch``: the local engine against Ray Data with N CPU workers, documents/s.

Builds the tiny random-weight test models (tests/fixtures) and a corpus of short
documents (two or three seed sentences each, numbered so that no two documents share a
segment and every sentence goes through a model), then runs the same batch with
``engine="local"`` and with ``engine="ray"`` on a local Ray instance of ``workers + 1``
CPUs (one for the preparing tasks). Each engine runs in a fresh process; times
include model loading and Ray's worker start, not ``ray.init``. Markdown to stdout,
logs to stderr.

    .venv/bin/python bench/batch_engines.py                 # 500 documents, 2 workers
    .venv/bin/python bench/batch_engines.py --engines local:1,ray
    .venv/bin/python bench/batch_engines.py --docs 100 --workers 2 --json out.json

``run(...)`` returns the rows and ``markdown(rows)`` renders them, for ``make bench``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run from a checkout without installing mtsum
sys.path.insert(0, str(REPO / "tests" / "fixtures"))

log = logging.getLogger("bench")


def corpus(folder: Path, count: int) -> Path:
    """``count`` short Swedish and German documents as one JSON Lines file."""
    sentences: list[str] = []
    for seed in sorted((REPO / "seeds").glob("*.txt")):
        text = " ".join(seed.read_text(encoding="utf-8").split())
        sentences += [s for s in re.split(r"(?<=[.!?])\s+", text) if 40 <= len(s) <= 160]
    path = folder / "corpus.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for n in range(count):
            picked = [sentences[(n * 3 + k) % len(sentences)] for k in range(2 + n % 2)]
            text = " ".join(f"{s[:-1]} ({n}){s[-1]}" for s in picked)
            fh.write(json.dumps({"id": f"doc-{n:05d}", "text": text}, ensure_ascii=False) + "\n")
    return path


def run(docs: int = 500, workers: int = 2, workdir: str | Path | None = None,
        engines: Sequence[str] = ("local", "local:1", "ray")) -> list[dict[str, Any]]:
    """One row per engine: documents/s and English words/s over ``docs`` documents.

    Each engine runs in a fresh Python process, so none profits from models another
    has loaded, and each row's time includes loading them.
    """
    from make_tiny_models import build_tiny_models

    work = Path(workdir or tempfile.mkdtemp(prefix="mtsum-bench-batch-"))
    work.mkdir(parents=True, exist_ok=True)
    models = work / "models" / "models.yaml"
    if not models.exists():
        models = build_tiny_models(work / "models")
    source = corpus(work, docs)
    rows = []
    for spec in engines:
        log.info("%s: %d documents", spec, docs)
        result = work / "row.json"
        subprocess.run([sys.executable, __file__, "--child", spec, str(source), str(models), str(workers),
                        str(result)], check=True)
        rows.append(json.loads(result.read_text(encoding="utf-8")))
    return rows


def _child(spec: str, source: Path, models: Path, workers: int) -> dict[str, Any]:
    """One engine, timed by ``run_batch`` itself. ``local:1``: the local engine with one
    torch thread, as each Ray worker has (Ray sets OMP_NUM_THREADS to a worker's CPUs)."""
    import torch

    from mtsum.batch import describe, run_batch
    from mtsum.pipeline.core import Settings

    engine, _, threads = spec.partition(":")
    if threads:
        torch.set_num_threads(int(threads))
    out = source.parent / f"out-{spec.replace(':', '-')}.jsonl"
    out.unlink(missing_ok=True)  # no resuming: every document is processed
    extra: dict[str, Any] = {}
    if engine == "ray":
        import ray

        path = os.pathsep.join([str(REPO), str(REPO / "tests" / "fixtures")])
        ray.init(num_cpus=workers + 1, include_dashboard=False, log_to_driver=False, logging_level="WARNING",
                 runtime_env={"env_vars": {"PYTHONPATH": path}})
        extra = {"workers": workers}
    report = run_batch(source, out, engine=engine, models=models, settings=Settings(cache=False), **extra)
    log.info("%s", report.summary_line())
    row = describe(report)
    row["engine"] = spec
    row["workers"] = workers if engine == "ray" else 1
    row["threads"] = 1 if engine == "ray" else torch.get_num_threads()
    return row


def markdown(rows: list[dict[str, Any]]) -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [f"### mtsum batch: local vs Ray ({os.cpu_count()} CPUs, load average {load:.1f}, tiny models)", "",
             "| engine | workers | torch threads each | documents | failed | seconds | documents/s | target words/s |",
             "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['engine']} | {r['workers']} | {r['threads']} | {r['inputs']} | {r['failed']} | "
                     f"{r['seconds']:.1f} | {r['documents_per_s']:.2f} | {r['target_words_per_s']:.0f} |")
    lines.append("")
    lines.append("Seconds include loading the models (and, for Ray, starting its workers); "
                 "target words are the English words written.")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--engines", default="local,local:1,ray",
                        help="comma-separated: local, local:THREADS (torch threads), ray")
    parser.add_argument("--workdir", default=None)
    parser.add_argument("--json", default=None, help="also write the rows here")
    parser.add_argument("--child", nargs=5, default=None, help=argparse.SUPPRESS)
    opts = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s: %(message)s",
                        datefmt="%H:%M:%S")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    if opts.child:
        spec, source, models, workers, result = opts.child
        row = _child(spec, Path(source), Path(models), int(workers))
        Path(result).write_text(json.dumps(row) + "\n", encoding="utf-8")
        return 0
    rows = run(opts.docs, opts.workers, opts.workdir, opts.engines.split(","))
    print(markdown(rows))
    if opts.json:
        Path(opts.json).write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
