"""Speed figures for mtsum with full-size random-weight models: ``make bench``.

The hub is unreachable from our machines, so the real checkpoints cannot be timed.
Instead this builds models with the *exact architecture* of Helsinki-NLP/opus-mt-de-en
(and sv-en) and sshleifer/distilbart-cnn-12-6, random weights, and loads them through
mtsum's own path (models.yaml -> backend -> ``from_pretrained`` or a CTranslate2 conversion).
Random weights do the same arithmetic as trained ones; the one thing they change is
*when decoding stops*, so every run pins the output length with
``generation: {min_new_tokens: N, max_new_tokens: N}``. The work is then identical to
real decoding of N tokens, and the script checks that N tokens really were generated.

Tables go to stdout (Markdown), logs to stderr, raw numbers to ``--json PATH``.

    .venv/bin/python bench/run.py                 # all sections, ~8 minutes on 2 cores
    .venv/bin/python bench/run.py --quick         # fewer configurations, ~3 minutes
    .venv/bin/python bench/run.py --device cuda --json bench.json

This file holds ``main`` only; its siblings hold the rest: options.py (command line),
build_models.py (the models and models.yaml files), measure.py (timing, counting what
``generate`` produced, fixed-length inputs), sections.py (what is measured) and
report.py (environment and Markdown tables).
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from collections.abc import Sequence
from typing import Any

# Siblings, importable because Python puts this script's folder first on sys.path.
import batch_engines
from backends import bench_backends, bench_startup
from build_models import BART_CONFIG, MARIAN_CONFIG, REPO, build_models
from engine import ENGINE_SECTIONS
from options import parse_args
from report import environment, loadavg, render
from sections import bench_end_to_end, bench_load, bench_summarization, bench_translation

sys.path.insert(0, str(REPO))  # run from a checkout without installing mtsum

log = logging.getLogger("bench")


def main(argv: Sequence[str] | None = None) -> int:
    opts = parse_args(argv, description=__doc__.split("\n\n")[0])
    # The engine and transformers sections measure how work is grouped, on transformers as
    # they always have: with `auto`, conversions left in the workdir by the backends section
    # would switch them to CTranslate2 from one run to the next. (Sections that compare
    # backends name theirs.)
    os.environ.setdefault("MTSUM_BACKEND", "transformers")
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(name)s: %(message)s", datefmt="%H:%M:%S")
    if not opts.verbose:
        # "max_length and max_new_tokens both set" etc.: expected here, and noise.
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
    from mtsum.backends.devices import resolve_torch_device
    from mtsum.errors import MtsumError

    try:
        device = resolve_torch_device(opts.device)
    except MtsumError as exc:  # e.g. --device cuda on a machine without one
        log.error("%s", exc)
        return 2
    results: dict[str, Any] = {"environment": environment(device), "settings": {
        "device": device, "repeats": opts.repeats, "load_repeats": opts.load_repeats,
        "mapreduce_repeats": opts.mapreduce_repeats, "quick": opts.quick,
        "workdir": str(opts.workdir), "batch_sizes": opts.batch_sizes, "beams": opts.beams,
        "summary_beams": opts.summary_beams, "input_tokens": opts.input_tokens,
        "new_tokens": opts.new_tokens, "summary_tokens": opts.summary_tokens,
        "article_words": opts.article_words, "marian_config": MARIAN_CONFIG, "bart_config": BART_CONFIG,
    }}
    log.info("device %s, %d torch threads, models in %s", device, results["environment"]["torch_threads"],
             opts.workdir)
    built = build_models(opts.workdir, opts.rebuild)
    started = time.perf_counter()
    sections = {
        "backends": lambda: bench_backends(opts, built, device),
        "startup": lambda: bench_startup(opts),
        **{name: (lambda fn=fn: fn(opts, built, device)) for name, (fn, _, _) in ENGINE_SECTIONS.items()},
        "batch-engines": lambda: batch_engines.run(docs=100 if opts.quick else 500, workers=2,
                                                   workdir=opts.workdir / "batch-engines"),
        "translation": lambda: bench_translation(opts, built, device),
        "end-to-end": lambda: bench_end_to_end(opts, built, device),
        "summarization": lambda: bench_summarization(opts, built, device),
        "load": lambda: bench_load(opts, built, device),
    }
    for name, run in sections.items():
        if name not in opts.sections:
            continue
        try:
            results[name] = run()
        except Exception as exc:  # one broken section must not cost the others' figures
            log.exception("section %s failed", name)
            first_line = str(exc).splitlines()[0] if str(exc) else ""
            results.setdefault("failed", {})[name] = f"{type(exc).__name__}: {first_line}"
    results["environment"]["load_average_end"] = loadavg()
    results["environment"]["bench_seconds"] = time.perf_counter() - started
    markdown = render(results, opts)
    sys.stdout.write(markdown)
    if opts.output is not None:
        opts.output.write_text(markdown, encoding="utf-8")
        log.info("tables written to %s", opts.output)
    if opts.json_path:
        opts.json_path.write_text(json.dumps(results, indent=2, default=list) + "\n", encoding="utf-8")
        log.info("raw numbers written to %s", opts.json_path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
