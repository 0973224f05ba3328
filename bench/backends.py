"""Backend comparisons: transformers fp32 vs CTranslate2 int8 and float32, the share of the
machine's matrix-multiply peak that decoding reaches, and CLI start-up time.

Every configuration runs in a process of its own (bench/backend_child.py), so each peak
RSS is that configuration's alone and nothing is shared between them.
"""

from __future__ import annotations

import json
import logging
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from build_models import BART_CONFIG, MARIAN_CONFIG, REPO, BuiltModels, write_models_yaml
from options import Options

log = logging.getLogger("bench")

HERE = Path(__file__).resolve().parent
# (backend, compute type) compared on each kind of device: what a user runs there.
BACKENDS = {"cpu": (("transformers", "float32"), ("ctranslate2", "int8"), ("ctranslate2", "float32")),
            "cuda": (("transformers", "float16"), ("ctranslate2", "int8_float16"), ("ctranslate2", "float16"))}


def child_env(opts: Options) -> dict[str, str]:
    pythonpath = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": pythonpath, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_VERBOSITY": "error",
            "MTSUM_CACHE_DIR": str(opts.workdir / "mtsum-cache")}


def convert_for_bench(opts: Options, yaml: Path) -> None:
    """CTranslate2 conversions of the bench models (once; reused while the models are)."""
    code = ("import sys; from mtsum.config import load_models_config; "
            "from mtsum.backends.convert import convert_model; cfg = load_models_config(sys.argv[1]); "
            "[convert_model(s, ct) for s in (*cfg.translation.values(), cfg.summarization) "
            "for ct in ('int8', 'float32')]")
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, str(yaml)], env=child_env(opts), check=True)
    log.info("CTranslate2 conversions ready (%.0f s)", time.perf_counter() - started)


def _child(opts: Options, cfg: dict[str, Any]) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, str(HERE / "backend_child.py"), json.dumps(cfg)],
                          env=child_env(opts), capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{cfg['backend']} {cfg['compute_type']} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def bench_backends(opts: Options, built: BuiltModels, device: str) -> dict[str, Any]:
    """Target tokens/s and peak RSS per backend, beam width and batch size, plus the GEMM peak."""
    yaml = write_models_yaml(opts.workdir, built, "backends", {}, {})
    convert_for_bench(opts, yaml)
    peak = gemm_peak(opts, device)
    rows = []
    # Enough inputs for two calls of a batch per CTranslate2 worker (one per core by default).
    cores = len(os.sched_getaffinity(0))
    plans = [("de", opts.beams, opts.backend_batches, opts.input_tokens, lambda b: max(8, 2 * b * cores)),
             ("bart", opts.backend_summary_beams, opts.summary_batches, opts.summary_input_tokens,
              lambda b: max(4, b * cores))]
    for key, beams_list, batches, input_tokens, count in plans:
        for beams in beams_list:
            for batch in batches:
                for backend, compute_type in BACKENDS["cuda" if device.startswith("cuda") else "cpu"]:
                    cfg = {"yaml": str(yaml), "key": key, "backend": backend, "compute_type": compute_type,
                           "device": device, "beams": beams, "batch": batch, "inputs": count(batch),
                           "input_tokens": input_tokens, "new_tokens": opts.new_tokens, "repeats": opts.backend_repeats}
                    row = _child(opts, cfg)
                    row.pop("outputs", None)
                    row["gflops"] = work_flops(key, row) / row["median_s"] / 1e9
                    row["peak_share"] = row["gflops"] / peak["gflops"]
                    rows.append(row)
                    log.info("%s beams=%d batch=%d %s %s: %.1f tokens/s, %.0f MB", key, beams, batch, backend,
                             row["compute_type"], row["tokens_per_s"], row["peak_rss_mb"])
    # Measured again at the end, the better of the two kept: other jobs on a shared machine
    # can only lower a peak, and a low one would inflate every share.
    again = gemm_peak(opts, device)
    if again["gflops"] > peak["gflops"]:
        peak = again
        for row in rows:
            row["peak_share"] = row["gflops"] / peak["gflops"]
    return {"gemm": peak, "rows": rows}


# --- the machine's matrix-multiply peak ------------------------------------------------

_GEMM_CHILD = """
import json, sys, time, torch
n, device = int(sys.argv[1]), sys.argv[2]
a, b = torch.randn(n, n, device=device), torch.randn(n, n, device=device)
def sync():
    if device.startswith("cuda"):
        torch.cuda.synchronize()
for _ in range(3):
    a @ b
sync()
times = []
for _ in range(10):
    t = time.perf_counter(); a @ b; sync(); times.append(time.perf_counter() - t)
best = min(times)
print(json.dumps({"n": n, "threads": torch.get_num_threads(), "best_s": best, "gflops": 2 * n ** 3 / best / 1e9}))
"""


def gemm_peak(opts: Options, device: str) -> dict[str, Any]:
    """Best of ten float32 ``n×n @ n×n`` products (torch, all threads): what the machine can do."""
    n = 4096 if device.startswith("cuda") else 2048
    out = subprocess.run([sys.executable, "-c", _GEMM_CHILD, str(n), device], env=child_env(opts),
                         capture_output=True, text=True, check=True).stdout
    peak = json.loads(out.strip().splitlines()[-1])
    log.info("float32 GEMM %d: %.1f GFLOP/s", n, peak["gflops"])
    return peak


def work_flops(key: str, row: dict[str, Any]) -> float:
    """Multiply-add FLOPs of one timed run: the encoder over every input token, and one
    decoder step per generated token per beam (weights only; attention scores, softmax
    and beam bookkeeping are left out, so this is a floor on the real work)."""
    c = BART_CONFIG if key == "bart" else MARIAN_CONFIG
    d, vocab = c["d_model"], c["vocab_size"]
    encoder = c["encoder_layers"] * (4 * d * d + 2 * d * c["encoder_ffn_dim"])
    cross_kv = c["decoder_layers"] * 2 * d * d  # keys and values of the encoder output, once
    step = c["decoder_layers"] * (4 * d * d + 2 * d * d + 2 * d * c["decoder_ffn_dim"]) + d * vocab
    input_tokens = row["inputs"] * row["input_tokens"]
    return 2.0 * (input_tokens * (encoder + cross_kv) + row["target_tokens"] * row["beams"] * step)


# --- start-up --------------------------------------------------------------------------


def bench_startup(opts: Options) -> dict[str, Any]:
    """Wall time of ``mtsum --help`` against ``python -c "import click, yaml"`` (fresh processes)."""
    env = {**child_env(opts), "PYTHONDONTWRITEBYTECODE": "0"}
    commands = {"mtsum --help": [sys.executable, "-m", "mtsum", "--help"],
                "import click, yaml": [sys.executable, "-c", "import click, yaml"],
                "python (nothing)": [sys.executable, "-c", "pass"]}
    out: dict[str, Any] = {}
    for name, cmd in commands.items():
        subprocess.run(cmd, env=env, capture_output=True, check=True)  # warm the page cache and .pyc files
        times = []
        for _ in range(max(5, opts.repeats)):
            t = time.perf_counter()
            subprocess.run(cmd, env=env, capture_output=True, check=True)
            times.append(time.perf_counter() - t)
        out[name] = {"median_s": statistics.median(times), "min_s": min(times), "max_s": max(times)}
    out["ratio"] = out["mtsum --help"]["median_s"] / out["import click, yaml"]["median_s"]
    log.info("mtsum --help %.3f s, import click, yaml %.3f s (%.2fx)", out["mtsum --help"]["median_s"],
             out["import click, yaml"]["median_s"], out["ratio"])
    return out
