"""Command-line options of bench/run.py."""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

# backends and startup are issue 7's comparisons; token-budget, translate-many and cache
# are in engine.py; batch-engines (mtsum batch, local vs Ray) in batch_engines.py; the
# other four are the original transformers-only figures.
SECTIONS = ("backends", "startup", "vs-script", "ct2-profile", "agreement", "token-budget", "varied",
            "translate-many", "cache", "batch-engines", "translation", "end-to-end", "summarization", "load")


@dataclass(frozen=True)
class Options:
    """What to measure and how. Every field is set by ``parse_args``, the one place
    that holds the defaults and says what each option means."""

    device: str
    repeats: int
    quick: bool
    workdir: Path
    json_path: Path | None
    sections: tuple[str, ...]
    batch_sizes: tuple[int, ...]
    beams: tuple[int, ...]
    summary_beams: tuple[int, ...]
    load_repeats: int
    mapreduce_repeats: int
    input_tokens: int
    new_tokens: int
    summary_tokens: int
    article_words: int
    rebuild: bool
    verbose: bool
    backend_batches: tuple[int, ...]
    backend_summary_beams: tuple[int, ...]
    summary_batches: tuple[int, ...]
    summary_input_tokens: int
    output: Path | None
    backend_repeats: int


def parse_args(argv: Sequence[str] | None, description: str) -> Options:
    p = argparse.ArgumentParser(description=description,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--device", default="auto", help="auto, cpu, cuda or cuda:N (default: auto)")
    p.add_argument("--repeats", type=_positive, default=None,
                   help="timed runs per measurement after a warm-up (default 3, --quick 2; "
                        "model loads default to 2, --quick 1; map-reduce to 1)")
    p.add_argument("--quick", action="store_true",
                   help="fewer configurations: batch 1 and 16, the German seed only, greedy summaries, "
                        "one load per model; backends at translation batch 32 and summarization "
                        "beam 4 batch 2 only")
    p.add_argument("--workdir", type=Path, default=None,
                   help="where the models are built and kept (default: $MTSUM_BENCH_DIR "
                        "or ~/.cache/mtsum-bench)")
    p.add_argument("--json", dest="json_path", type=Path, help="also write the raw numbers here")
    p.add_argument("--sections", default=",".join(SECTIONS),
                   help=f"comma-separated subset of {','.join(SECTIONS)}")
    p.add_argument("--batch-sizes", type=_int_list, default=None,
                   help="translation batch sizes (default 1,8,16,32; --quick 1,16)")
    p.add_argument("--beams", type=_int_list, default=None, help="beam widths (default 1,4)")
    p.add_argument("--input-tokens", type=_positive, default=30,
                   help="tokens per segment in the throughput runs, </s> included (default 30)")
    p.add_argument("--new-tokens", type=_positive, default=32,
                   help="tokens generated per segment (default 32)")
    p.add_argument("--summary-tokens", type=_positive, default=60,
                   help="tokens generated per summary (default 60)")
    p.add_argument("--article-words", type=_positive, default=5000,
                   help="size of the long map-reduce article in English words (default 5000)")
    p.add_argument("--backend-batches", type=_int_list, default=None,
                   help="batch sizes of the backend comparison, translation (default 1,8,32; --quick 32)")
    p.add_argument("--summary-batches", type=_int_list, default=None,
                   help="batch sizes of the backend comparison, summarization (default 1,2,8; --quick 2)")
    p.add_argument("--summary-input-tokens", type=_positive, default=512,
                   help="tokens per input in the summarization backend comparison, <s> and </s> included "
                        "(default 512)")
    p.add_argument("--output", type=Path, default=Path(__file__).resolve().parent / "results.md",
                   help="write the Markdown here too (default bench/results.md; '-' for stdout only)")
    p.add_argument("--rebuild", action="store_true", help="rebuild the models even if cached")
    p.add_argument("-v", "--verbose", action="store_true", help="transformers' warnings too")
    a = p.parse_args(argv)
    sections = tuple(s.strip() for s in a.sections.split(",") if s.strip())
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        p.error(f"unknown section(s): {', '.join(sorted(unknown))}")
    return Options(
        device=a.device,
        repeats=a.repeats if a.repeats is not None else (2 if a.quick else 3),
        quick=a.quick,
        workdir=Path(a.workdir or os.environ.get("MTSUM_BENCH_DIR") or Path.home() / ".cache" / "mtsum-bench"),
        json_path=a.json_path,
        sections=sections,
        batch_sizes=a.batch_sizes or ((1, 16) if a.quick else (1, 8, 16, 32)),
        beams=a.beams or (1, 4),
        # --quick: a greedy summary only, one load per model (each load is a fresh
        # process, and its imports alone take seconds).
        summary_beams=a.beams or ((1,) if a.quick else (1, 4)),
        load_repeats=a.repeats if a.repeats is not None else (1 if a.quick else 2),
        # One map-reduce run is over a minute on 2 cores at num_beams 4 and holds 7
        # chunks' work already; --repeats asks for more.
        mapreduce_repeats=a.repeats if a.repeats is not None else 1,
        input_tokens=a.input_tokens,
        new_tokens=a.new_tokens,
        summary_tokens=a.summary_tokens,
        article_words=a.article_words,
        rebuild=a.rebuild,
        verbose=a.verbose,
        backend_batches=a.backend_batches or ((32,) if a.quick else (1, 8, 32)),
        # --quick keeps the configuration the targets are set at: beam 4, batch 2.
        backend_summary_beams=a.beams or ((4,) if a.quick else (1, 4)),
        summary_batches=a.summary_batches or ((2,) if a.quick else (1, 2, 8)),
        summary_input_tokens=a.summary_input_tokens,
        output=None if str(a.output) == "-" else a.output,
        # Each backend configuration is a process of its own with its own warm-up; transformers
        # at beam 4, batch 32 takes about a minute per run on 2 cores.
        backend_repeats=a.repeats if a.repeats is not None else (1 if a.quick else 2),
    )


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got '{text}'")
    return value


def _int_list(text: str) -> tuple[int, ...]:
    return tuple(_positive(x) for x in text.split(",") if x.strip())

