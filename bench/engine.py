"""The engine comparisons of issue 7 that need the pipeline: token budget vs fixed batches,
``translate_many`` vs one document at a time, a warm vs a cold translation cache.

Each returns ``{"note", "headers", "rows", "ratio", "want"}``: report.py renders the table
and puts the ratio against its target. The models are the full-size random-weight
ones with the output length pinned (greedy here: the comparisons are about how the
work is grouped, not about the beam), loaded through the product's path.
"""

from __future__ import annotations

import logging
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from build_models import BuiltModels, pinned, write_models_yaml
from measure import counting_generate, fixed_length_segments, timed
from options import Options
from sections import GERMAN_SEED, model_translator

log = logging.getLogger("bench")


def _yaml(opts: Options, built: BuiltModels, name: str, beams: int = 1) -> Path:
    return write_models_yaml(opts.workdir, built, name, pinned(opts.new_tokens, beams),
                             pinned(opts.summary_tokens, beams))


def bench_token_budget(opts: Options, built: BuiltModels, device: str) -> dict[str, Any]:
    """Fixed batch sizes vs a token budget (``--max-batch-tokens``) on a mixed-length corpus of
    short headlines and long sentences. Target: token budget >= 1.3x fixed batches."""
    from mtsum.pipeline.core import Pipeline, Settings

    yaml = _yaml(opts, built, "budget")
    words = GERMAN_SEED.read_text(encoding="utf-8").split()
    probe = model_translator(Pipeline(yaml, Settings(source="de", device=device, cache=False)), "de")
    short = fixed_length_segments(probe.count_tokens, words, 8, 48)
    long = fixed_length_segments(probe.count_tokens, words[40:], 120, 16)
    corpus = short + long
    random.Random(0).shuffle(corpus)  # as articles come: headlines and long sentences mixed
    configs = [("fixed 8", 8, 10**9), ("fixed 16 (mtsum before)", 16, 10**9), ("fixed 32", 32, 10**9),
               ("token budget 4096, cap 64", 64, 4096)]
    rows, speeds = [], {}
    for label, cap, budget in configs:
        translator = model_translator(
            Pipeline(yaml, Settings(source="de", device=device, batch_size=cap, max_batch_tokens=budget,
                                    cache=False)), "de")
        with counting_generate(translator.backend.loaded.model) as record:
            timing, _ = timed(lambda t=translator: t.translate(corpus), device, opts.repeats)
        med = statistics.median(timing.times)
        calls = len(record.calls) // (opts.repeats + 1)
        speeds[label] = len(corpus) / med
        rows.append([label, calls, len(corpus) / med, record.tokens / (opts.repeats + 1) / med, med])
        log.info("token budget: %s: %.2f s", label, med)
    best_fixed = max(v for k, v in speeds.items() if k.startswith("fixed"))
    budget_speed = speeds["token budget 4096, cap 64"]
    return {
        "note": (f"{len(short)} headlines of 8 tokens and {len(long)} sentences of 120 tokens, shuffled; "
                 f"greedy, exactly {opts.new_tokens} new tokens each; `ModelTranslator.translate` (sorting, "
                 "batching, generate). The ratio is against the best fixed size; against mtsum's previous "
                 f"default (16) it is {budget_speed / speeds['fixed 16 (mtsum before)']:.2f}×."),
        "headers": ["batching", "generate calls", "segments/s", "target tokens/s", "median s"],
        "rows": rows, "ratio": budget_speed / best_fixed, "want": 1.3,
    }


def bench_translate_many(opts: Options, built: BuiltModels, device: str) -> dict[str, Any]:
    """50 short documents: one ``Pipeline.translate_document`` at a time vs ``translate_many``.
    Target: >= 2x."""
    from mtsum.io.inputs import Document
    from mtsum.pipeline.core import Pipeline, Settings

    yaml = _yaml(opts, built, "many")
    towns = ["Hamburg", "Bremen", "Kiel", "Lübeck", "Rostock", "Dresden", "Leipzig", "Erfurt", "Mainz", "Bonn"]
    docs = [Document(f"doc{i:02d}.txt",
                     f"Neue Brücke in {towns[i % 10]} eröffnet ({i})\n"
                     f"Der Bürgermeister von {towns[i % 10]} hat am Montag die {i + 2}. Brücke der Stadt "
                     f"eröffnet, nach {i % 7 + 2} Jahren Bauzeit.", "text") for i in range(50)]

    def pipeline() -> Pipeline:
        return Pipeline(yaml, Settings(source="de", device=device, cache=False))

    warm = pipeline()
    warm.translate_document(docs[0])  # loads the model and lingua's detector, untimed
    model = model_translator(warm, "de").backend.loaded.model
    rows, times = [], {}
    for label, run in (
        ("one at a time", lambda: [pipeline().translate_document(d) for d in docs]),
        ("translate_many", lambda: list(pipeline().translate_many(docs))),
    ):
        with counting_generate(model) as record:
            timing, _ = timed(run, device, opts.repeats, warmup=0)
        med = statistics.median(timing.times)
        times[label] = med
        rows.append([label, len(record.calls) // opts.repeats, len(docs) / med, med])
        log.info("translate_many: %s: %.2f s", label, med)
    return {
        "note": (f"{len(docs)} German documents of a headline and one sentence (~2 segments each), greedy, "
                 f"exactly {opts.new_tokens} new tokens per segment, a fresh Pipeline per run (no persistent "
                 "cache); model load excluded."),
        "headers": ["how", "generate calls", "documents/s", "median s"],
        "rows": rows, "ratio": times["one at a time"] / times["translate_many"], "want": 2.0,
    }


def bench_cache(opts: Options, built: BuiltModels, device: str) -> dict[str, Any]:
    """The German seed translated cold (empty translation cache) vs warm (a rerun), model load
    reported apart. Target: warm >= 20x faster than cold, load excluded."""
    from mtsum.io.inputs import Document
    from mtsum.pipeline.core import Pipeline, Settings

    yaml = _yaml(opts, built, "cache", beams=4)  # the real models' own beam width
    doc = Document(GERMAN_SEED.name, GERMAN_SEED.read_text(encoding="utf-8"), "text")
    cold_times, warm_times, loads = [], [], []
    for _ in range(opts.repeats):
        with tempfile.TemporaryDirectory() as tmp:
            cache = Path(tmp) / "translations.sqlite3"
            for times in (cold_times, warm_times):
                pipeline = Pipeline(yaml, Settings(device=device, cache=cache))  # a new run: no in-run memo
                started = time.perf_counter()
                model_translator(pipeline, "de").backend.loaded  # noqa: B018  (load, timed apart)
                loads.append(time.perf_counter() - started)
                started = time.perf_counter()
                result = pipeline.translate_document(doc)
                times.append(time.perf_counter() - started)
            assert result.stats.cache_hits == result.stats.unique_segments  # the warm run was served
    cold, warm = statistics.median(cold_times), statistics.median(warm_times)
    log.info("cache: cold %.2f s, warm %.3f s", cold, warm)
    return {
        "note": (f"{doc.name} (25 segments, 14 unique), beam 4, exactly {opts.new_tokens} new tokens; each run "
                 "a new Pipeline on a new cache file, then a second Pipeline on the same file. Model load "
                 f"(median {statistics.median(loads):.2f} s, mostly cached in-process after the first) is "
                 "excluded from both."),
        "headers": ["run", "median s", "min s", "max s"],
        "rows": [["cold (empty cache)", cold, min(cold_times), max(cold_times)],
                 ["warm (rerun)", warm, min(warm_times), max(warm_times)]],
        "ratio": cold / warm, "want": 20.0,
    }


# section name -> (function, title in results.md, target)
from agreement import bench_agreement  # noqa: E402  (a sibling that imports sections, like this module)
from ct2_profile import bench_ct2_profile  # noqa: E402
from varied import bench_varied  # noqa: E402
from vs_script import bench_vs_script  # noqa: E402

ENGINE_SECTIONS = {
    "vs-script": (bench_vs_script, "End to end: mtsum summarize against a plain transformers script",
                  "CTranslate2 int8 >= 5x the script"),
    "ct2-profile": (bench_ct2_profile, "CTranslate2 profile: what bounds beam 4 on CPU",
                    "a whole batch per worker >= one worker of every core"),
    "agreement": (bench_agreement, "Agreement: CTranslate2 against transformers float32",
                  "float32 identical share = 1"),
    "token-budget": (bench_token_budget, "Token budget vs fixed batches", "token budget >= 1.3x fixed"),
    "varied": (bench_varied, "Batching with output lengths that vary as real ones do",
               "mtsum's default batching >= the best fixed batch size"),
    "translate-many": (bench_translate_many, "50 short documents: one at a time vs translate_many", ">= 2x"),
    "cache": (bench_cache, "Warm vs cold translation cache (German seed)", "warm >= 20x cold, load excluded"),
}
