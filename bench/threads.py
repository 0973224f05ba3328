"""CTranslate2's thread layout on CPU: one worker with every core vs one single-threaded
worker per core (``MTSUM_THREADS=1xN`` vs ``Nx1``), int8, through mtsum's backend.

Each configuration runs in a fresh process (bench/backend_child.py); the two layouts
alternate, several rounds, and the ratio is taken within each round and then the
median, so the VM's drift between minutes cancels. Outputs must be identical.
"""

from __future__ import annotations

import json
import logging
import os
import statistics
import subprocess
import sys
from typing import Any

from backends import HERE, child_env, convert_for_bench
from build_models import BuiltModels, write_models_yaml
from options import Options

log = logging.getLogger("bench")


def _run(opts: Options, cfg: dict[str, Any], layout: str) -> dict[str, Any]:
    env = {**child_env(opts), "MTSUM_THREADS": layout}
    proc = subprocess.run([sys.executable, str(HERE / "backend_child.py"), json.dumps(cfg)], env=env,
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"layout {layout} failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def bench_threads(opts: Options, built: BuiltModels, device: str) -> dict[str, Any]:
    cores = len(os.sched_getaffinity(0))
    one, many = f"1x{cores}", f"{cores}x1"
    yaml = write_models_yaml(opts.workdir, built, "backends", {}, {})
    convert_for_bench(opts, yaml)
    rounds = 2 if opts.quick else 3
    plans = [("beam 4, batch 32", 4, 32, 64), ("greedy, batch 32", 1, 32, 64), ("greedy, batch 1 (latency)", 1, 1, 8)]
    rows, ratios = [], {}
    for what, beams, batch, inputs in plans:
        cfg = {"yaml": str(yaml), "key": "de", "backend": "ctranslate2", "compute_type": "int8", "device": device,
               "beams": beams, "batch": batch, "inputs": inputs, "input_tokens": opts.input_tokens,
               "new_tokens": opts.new_tokens, "repeats": opts.backend_repeats}
        speeds: dict[str, list[float]] = {one: [], many: []}
        same = True
        for _ in range(rounds):
            got = {layout: _run(opts, cfg, layout) for layout in (one, many)}
            same &= got[one]["outputs"] == got[many]["outputs"]
            for layout, row in got.items():
                speeds[layout].append(row["tokens_per_s"])
        ratio = statistics.median(b / a for a, b in zip(speeds[one], speeds[many]))
        ratios[what] = ratio
        rows.append([what, statistics.median(speeds[one]), statistics.median(speeds[many]), f"{ratio:.2f}×",
                     "yes" if same else "**no**"])
        log.info("threads %s: %s %.1f, %s %.1f tokens/s (%.2f×)", what, one, statistics.median(speeds[one]),
                 many, statistics.median(speeds[many]), ratio)
    note = (__doc__ or "").split("\n\n", 1)[1].replace("\n", " ").strip() + (
        f" {rounds} rounds; opus-mt-de-en architecture, {opts.input_tokens}-token segments, "
        f"{opts.new_tokens} new tokens.")
    return {"note": note, "headers": ["workload", f"{one} tokens/s", f"{many} tokens/s", f"{many} / {one}",
                                      "identical outputs"],
            "rows": rows, "ratio": ratios["beam 4, batch 32"], "want": 1.0}
