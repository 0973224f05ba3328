"""What bounds CTranslate2's beam search on CPU: each candidate change against mtsum's
layout before this step (one worker with every core, 32 segments per call), in
alternating pairs.

Every configuration runs in a fresh process (this file, run as a script, is the child):
it loads the int8 conversion of the opus-mt-de-en bench model with ``ctranslate2`` itself
and times ``translate_batch`` over the same segments, so the options that mtsum does not
expose (``batch_type``, the ISA) can be tried too; mtsum's wrapping decodes at the same
rate (bench/results.md, *Backends*). The baseline and the candidate alternate, several
rounds; the ratio is taken within each round and its median reported, so the VM's drift
between minutes cancels. Outputs of the two must be identical where the change is only
about scheduling.
"""

from __future__ import annotations

import json
import logging
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

log = logging.getLogger("bench")
HERE = Path(__file__).resolve().parent


# --- the child -----------------------------------------------------------------------

def _segments(spm_path: str, count: int, lengths: list[int]) -> list[list[str]]:
    """``count`` German segments of the given token lengths (cycled), ``</s>`` included."""
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=spm_path)
    words = (HERE.parent / "seeds" / "002_0f3c6a1bb88a79ad.txt").read_text(encoding="utf-8").split()
    out, w = [], 0
    for i in range(count):
        want = lengths[i % len(lengths)] - 1
        pieces: list[str] = []
        while len(pieces) < want:
            pieces += sp.encode(words[w % len(words)], out_type=str)
            w += 1
        out.append([*pieces[:want], "</s>"])
    return out


def child(cfg: dict[str, Any]) -> dict[str, Any]:
    import ctranslate2

    source = _segments(str(Path(cfg["path"]) / "source.spm"), cfg["inputs"], cfg["lengths"])
    if cfg.get("shuffle"):
        random.Random(0).shuffle(source)
    elif cfg.get("sort"):
        source.sort(key=len, reverse=True)  # what mtsum's batcher does before cutting batches
    translator = ctranslate2.Translator(cfg["path"], device="cpu", compute_type="int8",
                                        inter_threads=cfg["workers"], intra_threads=cfg["threads"])
    options = {"beam_size": cfg["beams"], "max_input_length": 0, "max_decoding_length": cfg["new_tokens"],
               "min_decoding_length": cfg["new_tokens"]}
    if cfg.get("max_batch_size"):
        options["max_batch_size"] = cfg["max_batch_size"]
        options["batch_type"] = cfg.get("batch_type", "examples")
    call = cfg["per_call"]
    outputs: list[list[str]] = []

    def run() -> None:
        outputs.clear()
        for i in range(0, len(source), call):
            outputs.extend(r.hypotheses[0] for r in translator.translate_batch(source[i:i + call], **options))

    run()  # warm-up
    times = []
    for _ in range(cfg["repeats"]):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    generated = sum(map(len, outputs))
    med = statistics.median(times)
    return {"tokens_per_s": generated / med, "median_s": med, "outputs": [" ".join(o) for o in outputs]}


# --- the section ---------------------------------------------------------------------

def _run(cfg: dict[str, Any], env: dict[str, str]) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, __file__, json.dumps(cfg)], env={**os.environ, **env},
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{cfg} failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def cpu_flags() -> set[str]:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def dispatch(cfg: dict[str, Any]) -> dict[str, str]:
    """The ISA and GEMM backends CTranslate2 picks here (its own CT2_VERBOSE=1 log, written
    when a model is loaded)."""
    one = {**cfg, "inputs": 1, "per_call": 1, "repeats": 1}
    proc = subprocess.run([sys.executable, __file__, json.dumps(one)], env={**os.environ, "CT2_VERBOSE": "1"},
                          capture_output=True, text=True, check=False)
    found = {}
    for line in proc.stderr.splitlines():
        text = line.split("[info]", 1)[-1].strip().lstrip("- ").strip()
        for key in ("CPU:", "Selected ISA:", "Use Intel MKL:", "SGEMM backend:", "GEMM_S8 backend:",
                    "Selected compute type:"):
            if text.startswith(key):
                found[key.rstrip(":")] = text[len(key):].strip()
    return found


def plans(cores: int, batch: int, quick: bool) -> list[tuple[str, dict[str, Any], dict[str, Any], dict[str, str]]]:
    """(what, before, after, the after run's extra environment); before and after are
    changes to the baseline (1 worker × every core, ``batch`` segments per call)."""
    many = {"workers": cores, "threads": 1}
    full = {**many, "per_call": batch * cores, "max_batch_size": batch}
    split = {**many, "max_batch_size": -(-batch // cores)}
    greedy = {"beams": 1}
    mixed = {"lengths": [8, 12, 30, 60], "inputs": 128}
    one = {"inputs": 1, "per_call": 1, "lengths": [12]}
    out = [
        (f"{cores}x1, the same {batch} per call split among the workers", {}, split, {}),
        (f"{cores}x1, a whole batch of {batch} per worker", {}, full, {}),
        (f"{cores}x1, a whole batch of {batch} per worker, greedy", greedy, {**full, **greedy}, {}),
        (f"{cores}x1, a whole batch per worker, batch_type tokens ({batch}×30)", full,
         {**full, "batch_type": "tokens", "max_batch_size": batch * 30}, {}),
        ("mixed lengths: sorted by length (mtsum's batcher) vs arrival order", {**mixed, "shuffle": True},
         {**mixed, "sort": True}, {}),
        ("one 12-token input (interactive latency): 1 thread vs all", one, {**one, **many}, {}),
        ("one 12-token input (interactive latency), greedy: 1 thread vs all", {**one, **greedy},
         {**one, **many, **greedy}, {}),
    ]
    if "avx512f" in cpu_flags() and not quick:
        out.append(("CT2_FORCE_CPU_ISA=AVX512 (the CPU has it; CTranslate2 picks AVX2)", {}, {},
                    {"CT2_FORCE_CPU_ISA": "AVX512"}))
    return out


def bench_ct2_profile(opts: Any, built: Any, device: str) -> dict[str, Any]:
    from backends import child_env, convert_for_bench
    from build_models import write_models_yaml

    if device != "cpu":
        return {"note": "CPU thread layout: not measured on a GPU run.", "headers": [], "rows": [],
                "ratio": None, "want": 1.0}
    yaml = write_models_yaml(opts.workdir, built, "backends", {}, {})
    convert_for_bench(opts, yaml)
    cores = len(os.sched_getaffinity(0))
    batch, rounds = 32, (2 if opts.quick else 3)
    base = {"path": _conversion(opts, yaml), "workers": 1, "threads": cores, "inputs": cores * batch,
            "per_call": batch, "lengths": [30], "beams": 4, "new_tokens": opts.new_tokens - 1, "repeats": 2}
    rows, ratios = [], {}
    for what, before_change, after_change, env in plans(cores, batch, opts.quick):
        before, after = {**base, **before_change}, {**base, **after_change}
        speeds: tuple[list[float], list[float]] = ([], [])
        same = True
        for _ in range(rounds):
            a, b = _run(before, child_env(opts)), _run(after, {**child_env(opts), **env})
            same &= sorted(a["outputs"]) == sorted(b["outputs"])
            speeds[0].append(a["tokens_per_s"])
            speeds[1].append(b["tokens_per_s"])
        pairs = [y / x for x, y in zip(*speeds)]
        ratio = statistics.median(pairs)
        ratios[what] = ratio
        rows.append([what, after["beams"], statistics.median(speeds[0]), statistics.median(speeds[1]),
                     f"{ratio:.2f}×", f"{min(pairs):.2f}–{max(pairs):.2f}", "yes" if same else "**no**"])
        log.info("ct2 profile: %s: %.2f×", what, ratio)
    found = dispatch(base)
    note = ((__doc__ or "").split("\n\n", 1)[1].replace("\n", " ").strip() + f" Baseline: 1 worker × {cores} "
            f"threads, {batch} segments of 30 tokens per call, {base['inputs']} segments, beam 4, "
            f"{base['new_tokens']} new tokens; {rounds} rounds of 2 timed runs each. CTranslate2 here: "
            + "; ".join(f"{k} {v}" for k, v in found.items()) + ".")
    return {"note": note, "dispatch": found, "ratios": ratios,
            "headers": ["change", "num_beams", "before tokens/s", "after tokens/s", "after / before (median)",
                        "range over rounds", "same outputs"],
            "rows": rows, "ratio": ratios[f"{cores}x1, a whole batch of {batch} per worker"], "want": 1.0}


def _conversion(opts: Any, yaml: Path) -> str:
    from backends import child_env

    code = ("import sys; from mtsum.config import load_models_config; "
            "from mtsum.backends.convert import find_conversion; "
            "print(find_conversion(load_models_config(sys.argv[1]).translation['de'], 'int8')['path'])")
    proc = subprocess.run([sys.executable, "-c", code, str(yaml)], env=child_env(opts), capture_output=True,
                          text=True, check=True)
    return proc.stdout.strip().splitlines()[-1]


if __name__ == "__main__":
    print(json.dumps(child(json.loads(sys.argv[1]))))
