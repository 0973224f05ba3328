"""Hooks for the engine comparisons of issue 7 that need the new pipeline (batching.py,
``Pipeline.translate_many``, the persistent cache). Each returns its raw numbers, or None
while it is not written; report.render shows None as "not measured yet".

Write them like bench/backends.py: one process per configuration where memory matters,
``measure.timed`` for timings, the models.yaml from ``build_models.write_models_yaml``.
"""

from __future__ import annotations

from typing import Any

from build_models import BuiltModels
from options import Options


def bench_token_budget(opts: Options, built: BuiltModels, device: str) -> dict[str, Any] | None:
    """Fixed batch size vs token budget (``--max-batch-tokens``) on a mixed-length corpus of
    short headlines and long sentences. Target: token budget >= 1.3x fixed batches."""
    return None


def bench_translate_many(opts: Options, built: BuiltModels, device: str) -> dict[str, Any] | None:
    """50 short documents: one ``Pipeline.translate`` at a time vs ``Pipeline.translate_many``.
    Target: >= 2x."""
    return None


def bench_cache(opts: Options, built: BuiltModels, device: str) -> dict[str, Any] | None:
    """The German seed translated cold (empty translation cache) vs warm (a rerun), model load
    reported apart. Target: warm >= 20x faster than cold, load excluded."""
    return None


# section name -> (function, title in results.md, target)
ENGINE_SECTIONS = {
    "token-budget": (bench_token_budget, "Token budget vs fixed batches", "token budget >= 1.3x fixed"),
    "translate-many": (bench_translate_many, "50 short documents: one at a time vs translate_many", ">= 2x"),
    "cache": (bench_cache, "Warm vs cold translation cache (German seed)", "warm >= 20x cold, load excluded"),
}
