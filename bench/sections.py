"""The benchmark sections: translation throughput, end-to-end, summarization and model load.

Each takes the options, the built models and the device, and returns its raw numbers.
"""

from __future__ import annotations

import json
import logging
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from build_models import REPO, BuiltModels, pinned, write_models_yaml
from measure import (
    check_length,
    counting_generate,
    english_paragraphs,
    fill_to,
    fixed_length_segments,
    take_tokens,
    timed,
)
from options import Options

SEEDS = REPO / "seeds"
GERMAN_SEED = SEEDS / "002_0f3c6a1bb88a79ad.txt"

log = logging.getLogger("bench")

def model_translator(pipeline: Any, language: str) -> Any:
    """The model translator under the pipeline's cache and guard wrappers: the kernel
    sections time the model alone."""
    translator = pipeline.translator(language)
    while hasattr(translator, "inner"):
        translator = translator.inner
    return translator


# Batch 1 is timed over this many segments (one call each) rather than over the
# largest batch size: enough calls for a stable figure, without minutes per repeat.
MIN_SEGMENTS = 8


def bench_translation(opts: Options, built: BuiltModels, device: str) -> list[dict[str, Any]]:
    """Segments/s and tokens/s of the model translator for each beam width and fixed batch size."""
    from mtsum.pipeline.core import Pipeline, Settings

    german_words = GERMAN_SEED.read_text(encoding="utf-8").split()
    rows = []
    segments: list[str] = []
    for beams in opts.beams:
        yaml = write_models_yaml(opts.workdir, built, f"throughput-b{beams}",
                                 pinned(opts.new_tokens, beams), pinned(opts.summary_tokens, beams))
        for batch in opts.batch_sizes:
            translator = model_translator(Pipeline(yaml, Settings(source="de", device=device, batch_size=batch,
                                                                  max_batch_tokens=10**6, cache=False)), "de")
            if not segments:
                segments = fixed_length_segments(translator.count_tokens, german_words, opts.input_tokens,
                                                 max(MIN_SEGMENTS, *opts.batch_sizes))
            run = segments[:max(MIN_SEGMENTS, batch)]
            model = translator.backend.loaded.model
            translator.translate(run[:batch])  # warm-up: one batch of this shape
            with counting_generate(model) as record:
                timing, _ = timed(lambda t=translator, r=run: t.translate(r), device,
                                  opts.repeats, warmup=0)
            ok = check_length(record, opts.new_tokens, f"translation beams={beams} batch={batch}")
            med = statistics.median(timing.times)
            rows.append({
                "num_beams": beams, "batch_size": batch, "segments": len(run),
                "input_tokens": opts.input_tokens, "new_tokens": opts.new_tokens, "output_length_fixed": ok,
                "segments_per_s": len(run) / med, "output_tokens_per_s": record.tokens / opts.repeats / med,
                "ms_per_batch": 1000 * med / (len(record.calls) / opts.repeats), **timing.to_dict(),
            })
            log.info("translation beams=%d batch=%d: %.2f s for %d segments", beams, batch, med, len(run))
    return rows


def bench_end_to_end(opts: Options, built: BuiltModels, device: str) -> dict[str, Any]:
    """``Pipeline.translate`` on the seed articles; de-duplication on the German one."""
    from mtsum.io.inputs import Document
    from mtsum.pipeline.core import Pipeline, Settings
    from mtsum.text.segment import split_paragraphs

    beams = 4  # the real models' own default
    yaml = write_models_yaml(opts.workdir, built, "e2e", pinned(opts.new_tokens, beams),
                             pinned(opts.summary_tokens, beams))
    seeds = [GERMAN_SEED] if opts.quick else sorted(SEEDS.glob("*.txt"))
    # Warm-up: loads both translation models and lingua's detector, untimed.
    warm = Pipeline(yaml, Settings(device=device, cache=False))
    for path in seeds:
        warm.translate(path.read_text(encoding="utf-8"), path.name)
    rows = []
    for path in seeds:
        text = path.read_text(encoding="utf-8")
        language = warm.prepare(Document(path.name, text, "text")).language
        translator = model_translator(warm, language)

        def run(text: str = text, name: str = path.name) -> Any:
            # A new Pipeline each time: its in-run memo must start empty; no persistent cache.
            return Pipeline(yaml, Settings(device=device, cache=False)).translate(text, name)

        with counting_generate(translator.backend.loaded.model) as record:
            timing, result = timed(run, device, opts.repeats, warmup=0)
        check_length(record, opts.new_tokens, f"end-to-end {path.name}")
        s = result.stats
        in_tokens = [translator.count_tokens(seg) for para in split_paragraphs(text)
                     for seg in warm.segments(para, language)]
        rows.append({
            "input": path.name, "language": result.source_language, "words": len(text.split()),
            "paragraphs": s.paragraphs, "segments": s.segments, "unique_segments": s.unique_segments,
            "segments_translated": s.segments_translated, "mean_input_tokens": statistics.mean(in_tokens),
            "num_beams": beams, "new_tokens": opts.new_tokens, "batch_size": warm.batch_size,
            "output_tokens": record.tokens // opts.repeats, **timing.to_dict(),
        })
        log.info("end-to-end %s: %.2f s", path.name, statistics.median(timing.times))
    return {"articles": rows, "dedupe": _dedupe_effect(opts, yaml, device, beams)}


def _dedupe_effect(opts: Options, yaml: Path, device: str, beams: int) -> dict[str, Any]:
    """German seed: every segment through the model vs. the de-duplicated set."""
    from mtsum.pipeline.core import Pipeline, Settings
    from mtsum.text.segment import split_paragraphs

    pipe = Pipeline(yaml, Settings(source="de", device=device, cache=False))
    text = GERMAN_SEED.read_text(encoding="utf-8")
    # What the pipeline would send without de-duplication (numbers-only pieces stay out).
    every = [seg for para in split_paragraphs(text) for seg in pipe.segments(para, "de")
             if any(ch.isalpha() for ch in seg)]
    unique = list(dict.fromkeys(every))
    translator = model_translator(pipe, "de")
    all_timing, _ = timed(lambda: translator.translate(every), device, opts.repeats, warmup=0)
    unique_timing, _ = timed(lambda: translator.translate(unique), device, opts.repeats, warmup=0)
    return {
        "input": GERMAN_SEED.name, "num_beams": beams, "batch_size": pipe.batch_size,
        "all": {"segments": len(every), **all_timing.to_dict()},
        "unique": {"segments": len(unique), **unique_timing.to_dict()},
    }


# BART's byte-level BPE yields about 1.3 tokens per word of English news (GPT-2's
# tokenizer, which BART shares, is usually quoted at 1.3-1.4). The tiny test
# tokenizer differs, so long articles are sized in tokens via this ratio.
TOKENS_PER_WORD = 1.3


def bench_summarization(opts: Options, built: BuiltModels, device: str) -> dict[str, Any]:
    """One full 1024-token chunk per beam width, then map-reduce over a long article."""
    from mtsum.pipeline.core import Pipeline, Settings

    chunk_rows = []
    for beams in opts.summary_beams:
        yaml = write_models_yaml(opts.workdir, built, f"summary-b{beams}",
                                 pinned(opts.new_tokens, 4), pinned(opts.summary_tokens, beams))
        summarizer = Pipeline(yaml, Settings(device=device, cache=False)).summarizer("bart")
        limit = summarizer.max_input_tokens  # text tokens: 1024 minus <s> and </s>
        chunk = " ".join(take_tokens([" ".join(english_paragraphs(2 * limit))], summarizer.count_tokens, limit))
        chunk = fill_to(chunk, summarizer.count_tokens, limit)
        with counting_generate(summarizer.backend.loaded.model) as record:
            timing, _ = timed(lambda s=summarizer, c=chunk: s.summarize_batch([c]), device, opts.repeats)
        ok = check_length(record, opts.summary_tokens, f"summary beams={beams}")
        chunk_rows.append({
            "num_beams": beams, "input_tokens": summarizer.count_tokens(chunk) + 2,
            "new_tokens": opts.summary_tokens, "output_length_fixed": ok, **timing.to_dict(),
        })
        log.info("summary of one chunk, beams=%d: %.2f s", beams, statistics.median(timing.times))

    # The long article holds as many tokens as ~article_words words of English would
    # for BART's real tokenizer; decoded at the real model's beam width unless --quick.
    beams = 1 if opts.quick else 4
    yaml = write_models_yaml(opts.workdir, built, f"mapreduce-b{beams}",
                             pinned(opts.new_tokens, 4), pinned(opts.summary_tokens, beams))
    summarizer = Pipeline(yaml, Settings(device=device, cache=False)).summarizer("bart")
    target = round(opts.article_words * TOKENS_PER_WORD)
    paras = take_tokens(english_paragraphs(3 * opts.article_words), summarizer.count_tokens, target)
    tokens = sum(summarizer.count_tokens(p) for p in paras)
    # The single-chunk runs above have already warmed the model up.
    repeats = opts.mapreduce_repeats
    with counting_generate(summarizer.backend.loaded.model) as record:
        timing, out = timed(lambda: summarizer.summarize(paras), device, repeats, warmup=0)
    check_length(record, opts.summary_tokens, "map-reduce")
    log.info("map-reduce: %d chunks, %d rounds, %.1f s", out.chunks, out.rounds, statistics.median(timing.times))
    return {
        "chunk": chunk_rows,
        "map_reduce": {
            "words_equivalent": opts.article_words, "tokens": tokens, "tokens_per_word": TOKENS_PER_WORD,
            "paragraphs": len(paras), "chunks": out.chunks, "rounds": out.rounds,
            "generate_calls": len(record.calls) // repeats, "num_beams": beams,
            # The last call is the final reduce: how long the joined chunk summaries were.
            "reduce_input_tokens": record.input_lengths[-1] if out.rounds and record.input_lengths else None,
            "batch_size": summarizer.batch_size, "new_tokens": opts.summary_tokens, "repeats": repeats,
            **timing.to_dict(),
        },
    }


# Runs in a fresh interpreter per measurement, so nothing is cached in-process.
# Imports are timed apart from loading: they are paid once per process whatever
# is loaded. The first generate shows what a cold model still owes (weights are
# memory-mapped, so pages come in on first use; oneDNN primitives are created).
_LOAD_CHILD = """
import json, sys, time
t0 = time.perf_counter()
import torch
from transformers import AutoTokenizer, BartForConditionalGeneration, MarianMTModel, MarianTokenizer
from mtsum.config import load_models_config
from mtsum.backends.hf import load
t1 = time.perf_counter()
yaml, key, device = sys.argv[1:4]
cfg = load_models_config(yaml)
spec = cfg.summarization if key == "bart" else cfg.translation_spec(key)
t2 = time.perf_counter()
loaded = load(spec, "summarization" if key == "bart" else "translation", device)
if device.startswith("cuda"):
    torch.cuda.synchronize()
t3 = time.perf_counter()
with torch.inference_mode():
    enc = loaded.tokenizer(["Ein kurzer Satz."], return_tensors="pt").to(device)
    loaded.model.generate(**enc, min_new_tokens=1, max_new_tokens=1, num_beams=1)
if device.startswith("cuda"):
    torch.cuda.synchronize()
t4 = time.perf_counter()
params = sum(p.numel() for p in loaded.model.parameters())
print(json.dumps({"import_s": t1 - t0, "load_s": t3 - t2, "first_generate_s": t4 - t3, "parameters": params}))
"""


def bench_load(opts: Options, built: BuiltModels, device: str) -> list[dict[str, Any]]:
    """``backends.hf.load`` (tokenizer + ``from_pretrained`` + ``.to(device)``), each in a fresh process."""
    yaml = write_models_yaml(opts.workdir, built, "load", pinned(opts.new_tokens, 4),
                             pinned(opts.summary_tokens, 4))
    pythonpath = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": pythonpath, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_VERBOSITY": "error"}
    rows = []
    for key, path, real in (("de", built.de, "Helsinki-NLP/opus-mt-de-en"),
                            ("sv", built.sv, "Helsinki-NLP/opus-mt-sv-en"),
                            ("bart", built.bart, "sshleifer/distilbart-cnn-12-6")):
        runs = []
        for _ in range(opts.load_repeats):
            proc = subprocess.run([sys.executable, "-c", _LOAD_CHILD, str(yaml), key, device],
                                  env=env, capture_output=True, text=True, check=False)
            if proc.returncode != 0:
                raise RuntimeError(f"loading {key} failed:\n{proc.stderr[-2000:]}")
            runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        loads = [r["load_s"] for r in runs]
        weights = sum(f.stat().st_size for f in path.glob("*.safetensors"))
        rows.append({
            "model": real, "parameters": runs[0]["parameters"], "weights_mb": weights / 1e6,
            "import_s": statistics.median(r["import_s"] for r in runs),
            "first_generate_s": statistics.median(r["first_generate_s"] for r in runs),
            "median_s": statistics.median(loads), "min_s": min(loads), "max_s": max(loads), "times_s": loads,
        })
        log.info("load %s: %.2f s", key, statistics.median(loads))
    return rows
