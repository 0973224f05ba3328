"""Batching where output lengths vary as real ones do: fixed batch sizes against the
token budget, and batch 1 against 32 for an interactive ``translate``.

The pinned-length sections give every segment the same output length, which hides what
batching is for. Here the inputs are the real segments of the vs-script documents (mtsum's
own segmentation, in arrival order), and each segment's output stops at its own length:
its input tokens times the median target/source token ratio of the hand-made references in
tests/data/known_answers.tsv. A logits processor forces the end token for each row at its
length (and forbids it before), so transformers spends exactly what it would on a batch
of real translations of those lengths, finished rows padded until the batch ends.
Greedy: the comparisons are about how the work is grouped, not about the beam.
"""

from __future__ import annotations

import csv
import logging
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from build_models import BuiltModels, write_models_yaml
from options import Options
from sections import model_translator

log = logging.getLogger("bench")


def length_ratio(count_source: Any, target_spm: str) -> float:
    """Median reference/source token ratio over the known answers (real translations)."""
    import sentencepiece as spm
    from build_models import REPO

    target = spm.SentencePieceProcessor(model_file=target_spm)
    ratios = []
    with open(REPO / "tests" / "data" / "known_answers.tsv", encoding="utf-8") as fh:
        for row in csv.DictReader((line for line in fh if not line.startswith("#")), delimiter="\t"):
            source = count_source(row["source"])
            if source:
                ratios.append(len(target.encode(row["reference"])) / source)
    return statistics.median(ratios)


@contextmanager
def stopping_at(model: Any, lengths: dict[tuple[int, ...], int], pad: int, eos: int) -> Iterator[list[int]]:
    """Each row of ``model.generate`` ends at its own length (looked up by its input ids);
    yields a list that collects the new tokens of every call (rows × steps)."""
    import torch
    from transformers import LogitsProcessor, LogitsProcessorList

    spent: list[int] = []
    original = model.generate

    class Stop(LogitsProcessor):
        def __init__(self, want: torch.Tensor) -> None:
            self.want = want

        def __call__(self, input_ids: torch.Tensor, scores: torch.Tensor) -> torch.Tensor:
            step = input_ids.shape[1] - 1  # tokens after the decoder start
            want = self.want.repeat_interleave(scores.shape[0] // self.want.shape[0]).to(scores.device)
            scores[want > step, eos] = -float("inf")
            done = want <= step
            scores[done] = -float("inf")
            scores[done, eos] = 0.0
            return scores

    def generate(*args: Any, **kwargs: Any) -> Any:
        ids = kwargs["input_ids"]
        want = torch.tensor([lengths[tuple(t for t in row.tolist() if t != pad)] for row in ids])
        out = original(*args, logits_processor=LogitsProcessorList([Stop(want)]), **kwargs)
        seqs = out if hasattr(out, "shape") else out.sequences
        spent.append(int(seqs.shape[0]) * (int(seqs.shape[1]) - 1))
        return out

    model.generate = generate
    try:
        yield spent
    finally:
        del model.generate


def _segments(pipeline: Any) -> list[tuple[str, str]]:
    from vs_script import documents

    from mtsum.io.inputs import Document

    out = []
    for d in documents():
        prepared = pipeline.prepare(Document(d["name"], d["text"], "text"))
        out += prepared.model_segments()
    return out


def bench_varied(opts: Options, built: BuiltModels, device: str) -> dict[str, Any]:
    from mtsum.pipeline.core import Pipeline, Settings

    yaml = write_models_yaml(opts.workdir, built, "varied", {"num_beams": 1, "max_new_tokens": 512}, {})
    probe = Pipeline(yaml, Settings(source="de", device=device, cache=False))
    german = [s for lang, s in _segments(probe) if lang == "de"][: 96 if opts.quick else 192]
    translator = model_translator(probe, "de")
    backend = translator.backend
    ratio = length_ratio(translator.count_tokens, str(backend.located[0] / "target.spm"))
    short = [s for s in _latency_segments(probe)]
    # Each input's own ids (what generate receives, </s> included) -> its output length.
    lengths = {tuple(backend.tokens.input_ids(s)): max(2, round(ratio * translator.count_tokens(s)))
               for s in german + short}
    config = backend.loaded.model.config
    stop = (lengths, config.pad_token_id, config.eos_token_id)
    configs = [("fixed 1", 1, 10**9), ("fixed 8", 8, 10**9), ("fixed 16", 16, 10**9), ("fixed 32", 32, 10**9),
               ("fixed 64", 64, 10**9), ("token budget 4096, cap 32 (mtsum's default)", 32, 4096),
               ("token budget 2048, cap 64", 64, 2048)]
    if opts.quick:
        configs = [c for c in configs if c[0] != "fixed 1"]
    rows, speeds = [], {}
    for label, cap, budget in configs:
        t = model_translator(Pipeline(yaml, Settings(source="de", device=device, batch_size=cap,
                                                     max_batch_tokens=budget, cache=False)), "de")
        t.translate(german[:cap])  # warm-up at this shape
        times = []
        with stopping_at(t.backend.loaded.model, *stop) as spent:
            for _ in range(opts.repeats):
                started = time.perf_counter()
                t.translate(german)
                times.append(time.perf_counter() - started)
        med = statistics.median(times)
        useful = sum(lengths[tuple(backend.tokens.input_ids(s))] for s in german)
        speeds[label] = len(german) / med
        share = useful * opts.repeats / max(1, sum(spent))
        rows.append([label, len(german) / med, useful / med, f"{100 * share:.0f} %", med])
        log.info("varied: %s: %.2f s", label, med)
    latency = _latency(yaml, device, opts, stop)
    best = max(speeds, key=speeds.get)  # type: ignore[arg-type]
    default = "token budget 4096, cap 32 (mtsum's default)"
    return {
        "note": ((__doc__ or "").split("\n\n", 1)[1].replace("\n", " ").strip()
                 + f" {len(german)} German segments ({min(map(translator.count_tokens, german))}–"
                 f"{max(map(translator.count_tokens, german))} tokens), output/input ratio {ratio:.2f}; "
                 f"median of {opts.repeats} runs. *useful*: output tokens the segments needed, against the "
                 f"decoder steps spent on every row of every batch. Fastest: {best}."),
        "headers": ["batching", "segments/s", "useful target tokens/s", "useful share", "median s"],
        "rows": rows,
        "tables": [("Interactive `mtsum translate` of one short German item (tests/data/" + LATENCY_TEXT
                    + "), seconds to the whole result, median:", ["batch size", "segments", "median s"], latency)],
        "ratio": speeds[default] / max(v for k, v in speeds.items() if k.startswith("fixed")), "want": 1.0,
    }


LATENCY_TEXT = "de_plain_bahn.txt"  # a short German news item (tests/data)


def _latency_segments(pipeline: Any) -> list[str]:
    from build_models import REPO

    from mtsum.io.inputs import Document

    text = (REPO / "tests" / "data" / LATENCY_TEXT).read_text(encoding="utf-8")
    return [s for _, s in pipeline.prepare(Document(LATENCY_TEXT, text, "text")).model_segments()]


def _latency(yaml: Any, device: str, opts: Options, stop: tuple[Any, ...]) -> list[list[Any]]:
    """Interactive ``mtsum translate`` of one short document: batch 1 vs 32, each segment
    stopping at its own length as above; a fresh Pipeline (no memo, no cache) per run."""
    from build_models import REPO

    from mtsum.pipeline.core import Pipeline, Settings

    text = (REPO / "tests" / "data" / LATENCY_TEXT).read_text(encoding="utf-8")
    rows = []
    for size in (1, 32):
        def pipeline(size: int = size) -> Any:
            return Pipeline(yaml, Settings(source="de", device=device, batch_size=size, cache=False))

        model = model_translator(pipeline(), "de").backend.loaded.model  # loaded once per process
        times = []
        with stopping_at(model, *stop):
            pipeline().translate(text, "warm-up")
            for _ in range(opts.repeats):
                started = time.perf_counter()
                result = pipeline().translate(text, LATENCY_TEXT)
                times.append(time.perf_counter() - started)
        rows.append([f"batch {size}", result.stats.segments_translated, statistics.median(times)])
    return rows
