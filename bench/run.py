"""Speed figures for mtsum with full-size random-weight models: ``make bench``.

The hub is unreachable from our machines, so the real checkpoints cannot be timed.
Instead this builds models with the *exact architecture* of Helsinki-NLP/opus-mt-de-en
(and sv-en) and sshleifer/distilbart-cnn-12-6, random weights, and loads them through
mtsum's own path (models.yaml -> Pipeline -> ``load_seq2seq`` -> ``from_pretrained``).
Random weights do the same arithmetic as trained ones; the one thing they change is
*when decoding stops*, so every run pins the output length with
``generation: {min_new_tokens: N, max_new_tokens: N}``. The work is then identical to
real decoding of N tokens, and the script checks that N tokens really were generated.

Tables go to stdout (Markdown), logs to stderr, raw numbers to ``--json PATH``.

    .venv/bin/python bench/run.py                 # all sections, a few minutes on 2 cores
    .venv/bin/python bench/run.py --quick         # fewer configurations, a fast check
    .venv/bin/python bench/run.py --device cuda --json bench.json
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import logging
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
GERMAN_SEED = SEEDS / "002_0f3c6a1bb88a79ad.txt"
sys.path.insert(0, str(REPO))  # run from a checkout without installing mtsum

log = logging.getLogger("bench")
T = TypeVar("T")

# Bump when the way models are built changes, so cached builds are redone.
BUILD_VERSION = 1

# --- The real architectures -------------------------------------------------------
# Helsinki-NLP/opus-mt-de-en, config.json on the hub (every key below is copied from
# it; opus-mt-en-de has the same file). opus-mt-sv-en is the same Marian
# "transformer" recipe (6+6 layers, d_model 512, 8 heads, FFN 2048, swish, tied
# embeddings); its vocabulary size could not be checked offline, so de-en's 58101
# is used for both. Static (sinusoidal) positions, no layernorm_embedding and a
# final_logits_bias are what MarianMTModel always does (config.json records them as
# static_position_embeddings=true, normalize_embedding=false, add_bias_logits=false).
MARIAN_VOCAB = 58101
MARIAN_PAD = MARIAN_VOCAB - 1  # "pad_token_id": 58100, also "decoder_start_token_id"
MARIAN_CONFIG: dict[str, Any] = {
    "vocab_size": MARIAN_VOCAB,
    "decoder_vocab_size": MARIAN_VOCAB,
    "d_model": 512,
    "encoder_layers": 6,
    "decoder_layers": 6,
    "encoder_attention_heads": 8,
    "decoder_attention_heads": 8,
    "encoder_ffn_dim": 2048,
    "decoder_ffn_dim": 2048,
    "activation_function": "swish",
    "max_position_embeddings": 512,
    "scale_embedding": True,
    "share_encoder_decoder_embeddings": True,
    "pad_token_id": MARIAN_PAD,
    "decoder_start_token_id": MARIAN_PAD,
    "bos_token_id": 0,
    "eos_token_id": 0,
    "forced_eos_token_id": 0,
}
# opus-mt-*'s generation_config.json: beam 4, up to 512 tokens, never emit <pad>.
MARIAN_GENERATION: dict[str, Any] = {
    "num_beams": 4,
    "max_length": 512,
    "bad_words_ids": [[MARIAN_PAD]],
    "renormalize_logits": True,
    "pad_token_id": MARIAN_PAD,
    "decoder_start_token_id": MARIAN_PAD,
    "bos_token_id": 0,
    "eos_token_id": 0,
    "forced_eos_token_id": 0,
}
# sshleifer/distilbart-cnn-12-6, config.json on the hub: bart-large-cnn with 12
# encoder and 6 decoder layers. "force_bos_token_to_be_generated": true there is
# today's forced_bos_token_id=0.
BART_CONFIG: dict[str, Any] = {
    "vocab_size": 50264,
    "d_model": 1024,
    "encoder_layers": 12,
    "decoder_layers": 6,
    "encoder_attention_heads": 16,
    "decoder_attention_heads": 16,
    "encoder_ffn_dim": 4096,
    "decoder_ffn_dim": 4096,
    "activation_function": "gelu",
    "max_position_embeddings": 1024,
    "scale_embedding": False,
    "pad_token_id": 1,
    "bos_token_id": 0,
    "eos_token_id": 2,
    "decoder_start_token_id": 2,
    "forced_bos_token_id": 0,
    "forced_eos_token_id": 2,
}
# Its task_specific_params.summarization / generation defaults.
BART_GENERATION: dict[str, Any] = {
    "num_beams": 4,
    "length_penalty": 2.0,
    "max_length": 142,
    "min_length": 56,
    "no_repeat_ngram_size": 3,
    "early_stopping": True,
    "pad_token_id": 1,
    "bos_token_id": 0,
    "eos_token_id": 2,
    "decoder_start_token_id": 2,
    "forced_bos_token_id": 0,
    "forced_eos_token_id": 2,
}
# BART's byte-level BPE yields about 1.3 tokens per word of English news (GPT-2's
# tokenizer, which BART shares, is usually quoted at 1.3-1.4). The tiny test
# tokenizer differs, so long articles are sized in tokens via this ratio.
TOKENS_PER_WORD = 1.3


# --- Options ----------------------------------------------------------------------

@dataclass
class Options:
    device: str = "auto"
    repeats: int = 3
    quick: bool = False
    workdir: Path = field(default_factory=lambda: Path.home() / ".cache" / "mtsum-bench")
    json_path: Path | None = None
    sections: tuple[str, ...] = ("translation", "end-to-end", "summarization", "load")
    batch_sizes: tuple[int, ...] = (1, 8, 16, 32)
    beams: tuple[int, ...] = (1, 4)
    summary_beams: tuple[int, ...] = (1, 4)
    load_repeats: int = 3
    input_tokens: int = 30
    new_tokens: int = 32
    summary_tokens: int = 60
    article_words: int = 5000
    rebuild: bool = False


SECTIONS = ("translation", "end-to-end", "summarization", "load")


def parse_args(argv: Sequence[str] | None = None) -> Options:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--device", default="auto", help="auto, cpu, cuda or cuda:N (default: auto)")
    p.add_argument("--repeats", type=int, default=None,
                   help="timed repeats per measurement after one warm-up (default 3, --quick 2)")
    p.add_argument("--quick", action="store_true",
                   help="fewer configurations: batch 1 and 16, the German seed only, greedy summaries, "
                        "one load per model")
    p.add_argument("--workdir", type=Path, default=None,
                   help="where the models are built and kept (default: $MTSUM_BENCH_DIR "
                        "or ~/.cache/mtsum-bench)")
    p.add_argument("--json", dest="json_path", type=Path, help="also write the raw numbers here")
    p.add_argument("--sections", default=",".join(SECTIONS),
                   help=f"comma-separated subset of {','.join(SECTIONS)}")
    p.add_argument("--batch-sizes", default=None, help="translation batch sizes (default 1,8,16,32)")
    p.add_argument("--beams", default=None, help="beam widths (default 1,4)")
    p.add_argument("--input-tokens", type=int, default=30,
                   help="tokens per segment in the throughput runs, </s> included (default 30)")
    p.add_argument("--new-tokens", type=int, default=32, help="tokens generated per segment (default 32)")
    p.add_argument("--summary-tokens", type=int, default=60,
                   help="tokens generated per summary (default 60)")
    p.add_argument("--article-words", type=int, default=5000,
                   help="size of the long map-reduce article in English words (default 5000)")
    p.add_argument("--rebuild", action="store_true", help="rebuild the models even if cached")
    p.add_argument("-v", "--verbose", action="store_true", help="transformers' warnings too")
    a = p.parse_args(argv)

    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(name)s: %(message)s", datefmt="%H:%M:%S")
    sections = tuple(s.strip() for s in a.sections.split(",") if s.strip())
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        p.error(f"unknown section(s): {', '.join(sorted(unknown))}")
    opts = Options(
        device=a.device,
        repeats=a.repeats if a.repeats is not None else (2 if a.quick else 3),
        quick=a.quick,
        json_path=a.json_path,
        sections=sections,
        batch_sizes=_ints(a.batch_sizes) if a.batch_sizes else ((1, 16) if a.quick else (1, 8, 16, 32)),
        beams=_ints(a.beams) if a.beams else (1, 4),
        # --quick: a greedy summary only, one load per model (each load is a fresh
        # process, and its imports alone take seconds).
        summary_beams=_ints(a.beams) if a.beams else ((1,) if a.quick else (1, 4)),
        load_repeats=a.repeats if a.repeats is not None else (1 if a.quick else 3),
        input_tokens=a.input_tokens,
        new_tokens=a.new_tokens,
        summary_tokens=a.summary_tokens,
        article_words=a.article_words,
        rebuild=a.rebuild,
    )
    workdir = a.workdir or os.environ.get("MTSUM_BENCH_DIR")
    if workdir:
        opts.workdir = Path(workdir)
    if opts.repeats < 1:
        p.error("--repeats must be at least 1")
    if not a.verbose:
        # "max_length and max_new_tokens both set" etc.: expected here, and noise.
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
    return opts


def _ints(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in text.split(",") if x.strip())


# --- Building the models ------------------------------------------------------------

@dataclass(frozen=True)
class BuiltModels:
    de: Path
    sv: Path
    bart: Path


def build_models(workdir: Path, rebuild: bool = False) -> BuiltModels:
    """Full-size random checkpoints under ``workdir``, built once and then reused."""
    workdir.mkdir(parents=True, exist_ok=True)
    built = BuiltModels(de=workdir / "opus-mt-de-en-random", sv=workdir / "opus-mt-sv-en-random",
                        bart=workdir / "distilbart-cnn-12-6-random")
    # (folder, kind, tiny model whose tokenizer it reuses, weight seed)
    jobs = [(built.de, "marian", "tiny-opus-mt-de-en", 2), (built.sv, "marian", "tiny-opus-mt-sv-en", 1),
            (built.bart, "bart", "tiny-bart", 0)]
    todo = [job for job in jobs if rebuild or not _is_built(job[0], job[1])]
    if not todo:
        return built
    tiny = workdir / "tiny"
    log.info("building the tiny test tokenizers in %s", tiny)
    sys.path.insert(0, str(REPO / "tests" / "fixtures"))
    from make_tiny_models import build_tiny_models
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # "Writing model shards" bars
    build_tiny_models(tiny)
    for path, kind, tiny_name, seed in todo:
        log.info("building %s (random weights, full size)", path.name)
        if path.exists():
            shutil.rmtree(path)
        build = _build_marian if kind == "marian" else _build_bart
        build(path, tiny / tiny_name, seed)
        # Written last: a build cut short is redone next time.
        (path / "bench-build.json").write_text(json.dumps(_fingerprint(kind)), encoding="utf-8")
    return built


def _fingerprint(kind: str) -> dict[str, Any]:
    cfg = {"marian": (MARIAN_CONFIG, MARIAN_GENERATION), "bart": (BART_CONFIG, BART_GENERATION)}[kind]
    digest = hashlib.sha256(json.dumps([BUILD_VERSION, cfg], sort_keys=True).encode()).hexdigest()
    return {"kind": kind, "build_version": BUILD_VERSION, "sha256": digest}


def _is_built(path: Path, kind: str) -> bool:
    stamp = path / "bench-build.json"
    return stamp.exists() and json.loads(stamp.read_text(encoding="utf-8")) == _fingerprint(kind)


def _build_marian(outdir: Path, tiny: Path, seed: int) -> None:
    import torch
    from transformers import GenerationConfig, MarianConfig, MarianMTModel, MarianTokenizer

    outdir.mkdir(parents=True)
    for name in ("source.spm", "target.spm"):
        shutil.copyfile(tiny / name, outdir / name)
    # The tiny vocabulary (~600 pieces) is stretched to the real 58101 ids with unused
    # fillers, so <pad> (= decoder start) sits at 58100 as in the real model and
    # the tokenizer's ids all stay below vocab_size.
    tiny_vocab: dict[str, int] = json.loads((tiny / "vocab.json").read_text(encoding="utf-8"))
    vocab = {piece: i for piece, i in tiny_vocab.items() if piece != "<pad>"}
    if sorted(vocab.values()) != list(range(len(vocab))):
        raise RuntimeError(f"{tiny}/vocab.json is not contiguous below <pad>")
    n_real = len(vocab)
    vocab.update({f"<unused{i}>": i for i in range(n_real, MARIAN_PAD)})
    vocab["<pad>"] = MARIAN_PAD
    (outdir / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    tokenizer = MarianTokenizer(source_spm=str(outdir / "source.spm"), target_spm=str(outdir / "target.spm"),
                                vocab=str(outdir / "vocab.json"), model_max_length=512)
    if tokenizer.pad_token_id != MARIAN_PAD or len(tokenizer) != MARIAN_VOCAB:
        raise RuntimeError(f"stretched Marian tokenizer: pad {tokenizer.pad_token_id}, size {len(tokenizer)}")
    tokenizer.save_pretrained(outdir)

    torch.manual_seed(seed)
    model = MarianMTModel(MarianConfig(**MARIAN_CONFIG))
    # Keep generated ids on pieces the tokenizer can decode (not <unk> or the fillers),
    # so translations are text of realistic length. A bias is added to every logit
    # anyway (final_logits_bias), so this costs nothing.
    with torch.no_grad():
        model.final_logits_bias[0, n_real:MARIAN_PAD] = -1e4
        model.final_logits_bias[0, tokenizer.unk_token_id] = -1e4
    model.generation_config = GenerationConfig(**MARIAN_GENERATION)
    model.save_pretrained(outdir)


def _build_bart(outdir: Path, tiny: Path, seed: int) -> None:
    import torch
    from transformers import AutoTokenizer, BartConfig, BartForConditionalGeneration, GenerationConfig

    outdir.mkdir(parents=True)
    for name in ("vocab.json", "merges.txt", "tokenizer.json", "tokenizer_config.json"):
        shutil.copyfile(tiny / name, outdir / name)
    tokenizer = AutoTokenizer.from_pretrained(outdir)
    n_real = len(tokenizer)
    if n_real > BART_CONFIG["vocab_size"]:
        raise RuntimeError(f"tiny BART tokenizer has {n_real} ids, over {BART_CONFIG['vocab_size']}")

    torch.manual_seed(seed)
    model = BartForConditionalGeneration(BartConfig(**BART_CONFIG))
    with torch.no_grad():
        # As for Marian: generate only ids the tiny tokenizer can decode, so chunk
        # summaries are text of about the real length for the reduce round.
        model.final_logits_bias[0, n_real:] = -1e4
        for special in (tokenizer.pad_token_id, tokenizer.unk_token_id, tokenizer.mask_token_id):
            if special is not None:
                model.final_logits_bias[0, special] = -1e4
    model.generation_config = GenerationConfig(**BART_GENERATION)
    model.save_pretrained(outdir)


def write_models_yaml(workdir: Path, built: BuiltModels, name: str,
                      translation_gen: dict[str, int], summary_gen: dict[str, int]) -> Path:
    """A models.yaml for the product pointing at the built models, lengths pinned."""
    def gen(settings: dict[str, int]) -> str:
        return "{" + ", ".join(f"{k}: {v}" for k, v in settings.items()) + "}"

    path = workdir / f"models-{name}.yaml"
    path.write_text(
        "# Written by bench/run.py: full-size random-weight models, output length pinned.\n"
        "translation:\n"
        f"  sv: {{model: {built.sv}, generation: {gen(translation_gen)}}}\n"
        f"  de: {{model: {built.de}, generation: {gen(translation_gen)}}}\n"
        "summarization:\n"
        f"  model: {built.bart}\n"
        f"  generation: {gen(summary_gen)}\n",
        encoding="utf-8",
    )
    return path


def pinned(new_tokens: int, beams: int) -> dict[str, int]:
    return {"min_new_tokens": new_tokens, "max_new_tokens": new_tokens, "num_beams": beams}


# --- Measuring ----------------------------------------------------------------------

def sync(device: str) -> None:
    """Wait for queued GPU work, so wall-clock times cover it."""
    if device.startswith("cuda"):
        import torch

        torch.cuda.synchronize()


def _busy_seconds() -> float | None:
    """CPU seconds the whole machine has been busy (all processes, all cores)."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except (OSError, IndexError):
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


@dataclass
class Timing:
    """Wall-clock times of the timed calls, and who else used the CPU meanwhile.

    Other engineers' jobs share these machines; ``other_cores`` (CPU used by every
    other process, or stolen by the hypervisor, averaged over the timed window) says
    how far a figure was slowed by them.
    """

    times: list[float]
    own_cpu_s: float
    others_cpu_s: float | None

    def to_dict(self) -> dict[str, Any]:
        wall = sum(self.times)
        return {
            "median_s": statistics.median(self.times), "min_s": min(self.times), "max_s": max(self.times),
            "times_s": self.times, "own_cores": self.own_cpu_s / wall,
            "other_cores": None if self.others_cpu_s is None else max(0.0, self.others_cpu_s) / wall,
        }


def timed(fn: Callable[[], T], device: str, repeats: int, warmup: int = 1) -> tuple[Timing, T]:
    """Time ``repeats`` calls after ``warmup`` untimed ones; return the timing and the last result."""
    result = None
    for _ in range(warmup):
        result = fn()
    times = []
    own = 0.0
    busy_start = _busy_seconds()
    for _ in range(repeats):
        sync(device)
        cpu, start = time.process_time(), time.perf_counter()
        result = fn()
        sync(device)
        times.append(time.perf_counter() - start)
        own += time.process_time() - cpu
    busy_end = _busy_seconds()
    others = None if busy_start is None or busy_end is None else busy_end - busy_start - own
    return Timing(times, own, others), result  # type: ignore[return-value]


@dataclass
class GenerateLog:
    """What ``model.generate`` really produced: rows and new tokens per call."""

    calls: list[tuple[int, int]] = field(default_factory=list)  # (rows, new tokens)

    @property
    def new_tokens(self) -> set[int]:
        return {n for _, n in self.calls}

    @property
    def tokens(self) -> int:
        return sum(rows * n for rows, n in self.calls)


@contextlib.contextmanager
def counting_generate(model: Any) -> Iterator[GenerateLog]:
    """Record every ``generate`` on ``model`` (the instance only; the product is untouched)."""
    record = GenerateLog()
    original = model.generate

    def generate(*args: Any, **kwargs: Any) -> Any:
        out = original(*args, **kwargs)
        seqs = out if hasattr(out, "shape") else out.sequences
        # Encoder-decoder output starts with the decoder start token.
        record.calls.append((int(seqs.shape[0]), int(seqs.shape[1]) - 1))
        return out

    model.generate = generate
    try:
        yield record
    finally:
        del model.generate


def check_length(record: GenerateLog, expected: int, what: str) -> bool:
    ok = record.new_tokens == {expected}
    if not ok:
        log.warning("%s: generated %s new tokens, expected exactly %d; figures are not comparable",
                    what, sorted(record.new_tokens), expected)
    return ok


# --- Inputs -------------------------------------------------------------------------

def fixed_length_segments(count_tokens: Callable[[str], int], words: list[str], target: int,
                          n: int) -> list[str]:
    """``n`` distinct segments of exactly ``target`` tokens, cut from ``words``."""
    out: list[str] = []
    start = 0
    while len(out) < n:
        picked: list[str] = []
        i = start
        for _ in range(200):
            word = words[i % len(words)]
            i += 1
            if count_tokens(" ".join([*picked, word])) <= target:
                picked.append(word)
            if count_tokens(" ".join(picked)) == target:
                break
        text = " ".join(picked)
        if count_tokens(text) != target:
            raise RuntimeError(f"could not build a {target}-token segment")
        out.append(text)
        start += 7  # a different window each time, so no two segments are alike
    return out


def english_paragraphs(words_target: int) -> list[str]:
    """English news-like paragraphs of about ``words_target`` words, cycling sentences."""
    sys.path.insert(0, str(REPO / "tests" / "fixtures"))
    import make_tiny_models
    import tiny_bart

    sentences = [s.strip() for s in (tiny_bart._ENGLISH + "\n" + make_tiny_models._ENGLISH).splitlines()
                 if s.strip()]
    paras: list[str] = []
    words = 0
    i = 0
    while words < words_target:
        para = " ".join(sentences[(i + k) % len(sentences)] for k in range(4))  # ~50 words each
        i += 3
        paras.append(para)
        words += len(para.split())
    return paras


def take_tokens(paras: list[str], count_tokens: Callable[[str], int], target: int) -> list[str]:
    """Paragraphs (the last one cut at a word) holding about ``target`` tokens in all."""
    out: list[str] = []
    total = 0
    for para in paras:
        n = count_tokens(para)
        if total + n <= target:
            out.append(para)
            total += n
            continue
        words = para.split()
        while words and count_tokens(" ".join(words)) > target - total:
            words.pop()
        if words:
            out.append(" ".join(words))
        break
    return out


# --- Sections -----------------------------------------------------------------------

# Batch 1 is timed over this many segments (one call each) rather than over the
# largest batch size: enough calls for a stable figure, without minutes per repeat.
MIN_SEGMENTS = 8


def bench_translation(opts: Options, built: BuiltModels, device: str) -> list[dict[str, Any]]:
    """Segments/s and tokens/s of ``translate_batch`` for each beam width and batch size."""
    from mtsum.pipeline import Pipeline, Settings

    german_words = GERMAN_SEED.read_text(encoding="utf-8").split()
    rows = []
    segments: list[str] = []
    for beams in opts.beams:
        yaml = write_models_yaml(opts.workdir, built, f"throughput-b{beams}",
                                 pinned(opts.new_tokens, beams), pinned(opts.summary_tokens, beams))
        for batch in opts.batch_sizes:
            translator = Pipeline(yaml, Settings(source="de", device=device, batch_size=batch)).translator("de")
            if not segments:
                segments = fixed_length_segments(translator.count_tokens, german_words, opts.input_tokens,
                                                 max(MIN_SEGMENTS, *opts.batch_sizes))
            run = segments[:max(MIN_SEGMENTS, batch)]
            model = translator.loaded.model  # type: ignore[attr-defined]
            translator.translate_batch(run[:batch])  # warm-up: one batch of this shape
            with counting_generate(model) as record:
                timing, _ = timed(lambda t=translator, r=run: t.translate_batch(r), device,
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
    from mtsum.pipeline import Pipeline, Settings
    from mtsum.segment import split_paragraphs

    beams = 4  # the real models' own default
    yaml = write_models_yaml(opts.workdir, built, "e2e", pinned(opts.new_tokens, beams),
                             pinned(opts.summary_tokens, beams))
    seeds = [GERMAN_SEED] if opts.quick else sorted(SEEDS.glob("*.txt"))
    # Warm-up: loads both translation models and lingua's detector, untimed.
    warm = Pipeline(yaml, Settings(device=device))
    for path in seeds:
        warm.translate(path.read_text(encoding="utf-8"), path.name)
    rows = []
    for path in seeds:
        text = path.read_text(encoding="utf-8")
        language = warm.document_language(text)[0]
        translator = warm.translator(language)

        def run(text: str = text, name: str = path.name) -> Any:
            # A new Pipeline each time: its segment cache must start empty.
            return Pipeline(yaml, Settings(device=device)).translate(text, name)

        with counting_generate(translator.loaded.model) as record:  # type: ignore[attr-defined]
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
    return {"articles": rows, "dedupe": _dedupe_effect(opts, yaml, device)}


def _dedupe_effect(opts: Options, yaml: Path, device: str) -> dict[str, Any]:
    """German seed: every segment through the model vs. the de-duplicated set."""
    from mtsum.pipeline import Pipeline, Settings
    from mtsum.segment import split_paragraphs

    pipe = Pipeline(yaml, Settings(source="de", device=device))
    text = GERMAN_SEED.read_text(encoding="utf-8")
    # What the pipeline would send without de-duplication (numbers-only pieces stay out).
    every = [seg for para in split_paragraphs(text) for seg in pipe.segments(para, "de")
             if any(ch.isalpha() for ch in seg)]
    unique = list(dict.fromkeys(every))
    translator = pipe.translator("de")
    all_timing, _ = timed(lambda: translator.translate_batch(every), device, opts.repeats, warmup=0)
    unique_timing, _ = timed(lambda: translator.translate_batch(unique), device, opts.repeats, warmup=0)
    return {
        "input": GERMAN_SEED.name, "num_beams": 4, "batch_size": pipe.batch_size,
        "all": {"segments": len(every), **all_timing.to_dict()},
        "unique": {"segments": len(unique), **unique_timing.to_dict()},
    }


def bench_summarization(opts: Options, built: BuiltModels, device: str) -> dict[str, Any]:
    """One full 1024-token chunk per beam width, then map-reduce over a long article."""
    from mtsum.pipeline import Pipeline, Settings

    chunk_rows = []
    for beams in opts.summary_beams:
        yaml = write_models_yaml(opts.workdir, built, f"summary-b{beams}",
                                 pinned(opts.new_tokens, 4), pinned(opts.summary_tokens, beams))
        summarizer = Pipeline(yaml, Settings(device=device)).summarizer("bart")
        limit = summarizer.max_input_tokens()  # text tokens: 1024 minus <s> and </s>
        chunk = " ".join(take_tokens([" ".join(english_paragraphs(2 * limit))], summarizer.count_tokens, limit))
        with counting_generate(summarizer.loaded.model) as record:
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
    summarizer = Pipeline(yaml, Settings(device=device)).summarizer("bart")
    target = round(opts.article_words * TOKENS_PER_WORD)
    paras = take_tokens(english_paragraphs(3 * opts.article_words), summarizer.count_tokens, target)
    tokens = sum(summarizer.count_tokens(p) for p in paras)
    # A run takes minutes on 2 cores, so at most 2 repeats; the single-chunk runs
    # above have already warmed the model up.
    repeats = 1 if opts.quick else min(opts.repeats, 2)
    with counting_generate(summarizer.loaded.model) as record:
        timing, out = timed(lambda: summarizer.summarize(paras), device, repeats, warmup=0)
    check_length(record, opts.summary_tokens, "map-reduce")
    log.info("map-reduce: %d chunks, %d rounds, %.1f s", out.chunks, out.rounds, statistics.median(timing.times))
    return {
        "chunk": chunk_rows,
        "map_reduce": {
            "words_equivalent": opts.article_words, "tokens": tokens, "tokens_per_word": TOKENS_PER_WORD,
            "paragraphs": len(paras), "chunks": out.chunks, "rounds": out.rounds,
            "generate_calls": len(record.calls) // repeats, "num_beams": beams,
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
from mtsum.models import load_seq2seq
t1 = time.perf_counter()
yaml, key, device = sys.argv[1:4]
cfg = load_models_config(yaml)
spec = cfg.summarization if key == "bart" else cfg.translation_spec(key)
t2 = time.perf_counter()
loaded = load_seq2seq(spec, "bart" if key == "bart" else "marian", device)
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
    """``load_seq2seq`` (tokenizer + ``from_pretrained`` + ``.to(device)``), each in a fresh process."""
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


# --- Environment and output ---------------------------------------------------------

def environment(device: str) -> dict[str, Any]:
    import torch
    import transformers

    import mtsum

    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True, check=False).stdout.strip() or None
    info: dict[str, Any] = {
        "device": device,
        "gpu": torch.cuda.get_device_name(device) if device.startswith("cuda") else None,
        "cpu": cpu,
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "python": platform.python_version(),
        "mtsum": mtsum.__version__,
        "git_commit": commit,
        "load_average_start": _loadavg(),
    }
    return info


def _loadavg() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def md_table(headers: list[str], rows: list[list[Any]]) -> str:
    def fmt(v: Any) -> str:
        if isinstance(v, float):
            return f"{v:.3g}" if abs(v) < 1000 else f"{v:.0f}"
        return "–" if v is None else str(v)

    lines = ["| " + " | ".join(headers) + " |",
             "|" + "|".join("---" if i == 0 else "---:" for i in range(len(headers))) + "|"]
    lines += ["| " + " | ".join(fmt(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def spread(row: dict[str, Any]) -> str:
    return f"{row['min_s']:.3g}–{row['max_s']:.3g}"


def others(row: dict[str, Any]) -> str:
    return "–" if row.get("other_cores") is None else f"{row['other_cores']:.2f}"


OTHERS = "others' cores"  # column: CPU other processes used while we were timing


def render(results: dict[str, Any], opts: Options) -> str:
    env = results["environment"]
    out = ["## Environment", "", md_table(["", ""], [
        ["device", env["device"] + (f" ({env['gpu']})" if env["gpu"] else "")],
        ["CPU", f"{env['cpu']} ({env['cpu_count']} logical cores)"],
        ["torch threads", env["torch_threads"]],
        ["torch / transformers", f"{env['torch']} / {env['transformers']}"],
        ["python / mtsum / commit", f"{env['python']} / {env['mtsum']} / {env['git_commit']}"],
        ["load average 1/5/15 min (start → end)",
         f"{env['load_average_start']} → {env.get('load_average_end')}"],
        ["timing", f"wall clock, median of {opts.repeats} timed runs after a warm-up "
                   f"(map-reduce and loads: see their sections)"],
    ]), "",
        f"*{OTHERS}*: CPU time all other processes (and the hypervisor) used during the timed runs, "
        f"divided by their wall time; above ~0.2 on a {env['cpu_count']}-core machine the figure is "
        "slowed by them.",
    ]
    if "translation" in results:
        rows = results["translation"]
        out += ["", "## Translation throughput (opus-mt-de-en architecture, `MarianTranslator.translate_batch`)",
                "", f"{opts.input_tokens} input tokens and exactly {opts.new_tokens} new tokens per segment; "
                "each run translates max(8, batch) segments.", "",
                md_table(["num_beams", "batch", "segments", "median s", "min–max s", "segments/s",
                          "output tokens/s", "ms/batch", OTHERS],
                         [[r["num_beams"], r["batch_size"], r["segments"], r["median_s"], spread(r),
                           r["segments_per_s"], r["output_tokens_per_s"], r["ms_per_batch"], others(r)]
                          for r in rows])]
    if "end-to-end" in results:
        e2e = results["end-to-end"]
        rows = e2e["articles"]
        out += ["", "## End-to-end `Pipeline.translate` (seed articles)", "",
                f"num_beams 4, batch {rows[0]['batch_size']}, exactly {opts.new_tokens} new tokens per "
                "translated segment; detection, sentence splitting and de-duplication included, models "
                "already loaded. Input tokens are counted with the tiny test tokenizer, which cuts words "
                "finer than the real 58k vocabulary.", "",
                md_table(["article", "lang", "words", "paragraphs", "segments", "unique", "translated",
                          "mean input tokens", "median s", "min–max s", "s/translated segment", OTHERS],
                         [[r["input"], r["language"], r["words"], r["paragraphs"], r["segments"],
                           r["unique_segments"], r["segments_translated"], r["mean_input_tokens"],
                           r["median_s"], spread(r), r["median_s"] / max(1, r["segments_translated"]),
                           others(r)] for r in rows])]
        d = e2e["dedupe"]
        saved = d["all"]["median_s"] - d["unique"]["median_s"]
        out += ["", f"De-duplication on {d['input']} (`translate_batch`, batch {d['batch_size']}, "
                f"num_beams {d['num_beams']}):", "",
                md_table(["segments sent to the model", "segments", "median s", "min–max s", OTHERS],
                         [["all (no de-duplication)", d["all"]["segments"], d["all"]["median_s"],
                           spread(d["all"]), others(d["all"])],
                          ["unique (what the pipeline sends)", d["unique"]["segments"], d["unique"]["median_s"],
                           spread(d["unique"]), others(d["unique"])],
                          ["saved", d["all"]["segments"] - d["unique"]["segments"],
                           f"{saved:.3g} ({100 * saved / d['all']['median_s']:.0f} %)", "", ""]])]
    if "summarization" in results:
        s = results["summarization"]
        out += ["", "## Summarization (distilbart-cnn-12-6 architecture, `BartSummarizer`)", "",
                md_table(["input", "num_beams", "new tokens", "median s", "min–max s", "output tokens/s",
                          OTHERS],
                         [[f"one chunk, {r['input_tokens']} tokens", r["num_beams"], r["new_tokens"],
                           r["median_s"], spread(r), r["new_tokens"] / r["median_s"], others(r)]
                          for r in s["chunk"]])]
        m = s["map_reduce"]
        out += ["", f"Map-reduce (`summarize_paragraphs`) over a long article: {m['tokens']} tokens in "
                f"{m['paragraphs']} paragraphs, what ~{m['words_equivalent']} English words come to with "
                f"BART's tokenizer (~{m['tokens_per_word']} tokens/word); exactly {m['new_tokens']} new "
                f"tokens per summary; median of {m['repeats']}.", "",
                md_table(["chunks", "reduce rounds", "generate calls", "num_beams", "batch", "median s",
                          "min–max s", OTHERS],
                         [[m["chunks"], m["rounds"], m["generate_calls"], m["num_beams"], m["batch_size"],
                           m["median_s"], spread(m), others(m)]])]
    if "load" in results:
        out += ["", "## Model load (local disk, a fresh process each time, warm page cache)", "",
                f"Median of {opts.load_repeats}.",
                "*load*: `mtsum.models.load_seq2seq` = tokenizer + `from_pretrained` (safetensors, "
                "memory-mapped) + `.to(device)`. *imports*: torch, transformers' model classes and mtsum, "
                "paid once per process. *first generate*: one token, what a just-loaded model still owes.",
                "",
                md_table(["model (architecture)", "parameters", "weights MB", "load median s", "min–max s",
                          "imports s", "first generate s"],
                         [[r["model"], f"{r['parameters'] / 1e6:.1f} M", r["weights_mb"], r["median_s"],
                           spread(r), r["import_s"], r["first_generate_s"]] for r in results["load"]])]
    return "\n".join(out) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    opts = parse_args(argv)
    from mtsum.models import resolve_device

    device = resolve_device(opts.device)
    results: dict[str, Any] = {"environment": environment(device), "settings": {
        "device": device, "repeats": opts.repeats, "load_repeats": opts.load_repeats, "quick": opts.quick,
        "workdir": str(opts.workdir), "batch_sizes": opts.batch_sizes, "beams": opts.beams,
        "summary_beams": opts.summary_beams, "input_tokens": opts.input_tokens,
        "new_tokens": opts.new_tokens, "summary_tokens": opts.summary_tokens,
        "article_words": opts.article_words, "marian_config": MARIAN_CONFIG, "bart_config": BART_CONFIG,
    }}
    log.info("device %s, %d torch threads, models in %s", device, results["environment"]["torch_threads"],
             opts.workdir)
    built = build_models(opts.workdir, opts.rebuild)
    started = time.perf_counter()
    if "translation" in opts.sections:
        results["translation"] = bench_translation(opts, built, device)
    if "end-to-end" in opts.sections:
        results["end-to-end"] = bench_end_to_end(opts, built, device)
    if "summarization" in opts.sections:
        results["summarization"] = bench_summarization(opts, built, device)
    if "load" in opts.sections:
        results["load"] = bench_load(opts, built, device)
    results["environment"]["load_average_end"] = _loadavg()
    results["environment"]["bench_seconds"] = time.perf_counter() - started
    sys.stdout.write(render(results, opts))
    if opts.json_path:
        opts.json_path.write_text(json.dumps(results, indent=2, default=list) + "\n", encoding="utf-8")
        log.info("raw numbers written to %s", opts.json_path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
