"""Building the full-size random-weight models, and the models.yaml files that point at them.

The models have the exact architecture of Helsinki-NLP/opus-mt-de-en (and sv-en) and
sshleifer/distilbart-cnn-12-6, random weights, and the tiny test tokenizers; see
bench/README.md for why. They are built once into the work directory and reused.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent

log = logging.getLogger("bench")

# Bump when the way models are built changes, so cached builds are redone.
# 3: BART's tokenizer vocabulary padded to the model's size (CTranslate2 checks it).
BUILD_VERSION = 3

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
# opus-mt-*'s generation_config.json: beam 4, up to 512 tokens, never emit <pad>
# (config.json's "num_beams", "max_length", "bad_words_ids"). renormalize_logits is
# from memory of the hub files, not checked offline; it adds one log_softmax per step.
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
# The special-token ids, shared by the model config and its generation config.
BART_TOKEN_IDS: dict[str, int] = {
    "pad_token_id": 1,
    "bos_token_id": 0,
    "eos_token_id": 2,
    "decoder_start_token_id": 2,
    "forced_bos_token_id": 0,
    "forced_eos_token_id": 2,
}
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
    **BART_TOKEN_IDS,
}
# Its task_specific_params.summarization / generation defaults.
BART_GENERATION: dict[str, Any] = {
    "num_beams": 4,
    "length_penalty": 2.0,
    "max_length": 142,
    "min_length": 56,
    "no_repeat_ngram_size": 3,
    "early_stopping": True,
    **BART_TOKEN_IDS,
}


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
    for name in ("merges.txt", "tokenizer_config.json"):
        shutil.copyfile(tiny / name, outdir / name)
    n_real = _pad_bart_vocab(tiny, outdir, BART_CONFIG["vocab_size"])
    tokenizer = AutoTokenizer.from_pretrained(outdir)
    if len(tokenizer) != BART_CONFIG["vocab_size"]:
        raise RuntimeError(f"padded BART tokenizer has {len(tokenizer)} ids, not {BART_CONFIG['vocab_size']}")

    torch.manual_seed(seed)
    model = BartForConditionalGeneration(BartConfig(**BART_CONFIG))
    with torch.no_grad():
        # As for Marian: generate only ids the tiny tokenizer can decode, so chunk
        # summaries are text of about the real length for the reduce round.
        # <s> too: random weights favour id 0, and decoded summaries would lose those
        # tokens (forced_bos_token_id still puts it first; it masks every other id).
        model.final_logits_bias[0, n_real:] = -1e4
        for special in (tokenizer.bos_token_id, tokenizer.pad_token_id, tokenizer.unk_token_id,
                        tokenizer.mask_token_id):
            if special is not None:
                model.final_logits_bias[0, special] = -1e4
    model.generation_config = GenerationConfig(**BART_GENERATION)
    model.save_pretrained(outdir)


def _pad_bart_vocab(tiny: Path, outdir: Path, size: int) -> int:
    """Copy the tiny BART tokenizer with its vocabulary stretched to ``size`` ids by unused
    fillers (no merge produces them), as the Marian one is: CTranslate2's converter checks
    that the vocabulary has the model's size. Returns the tiny vocabulary's size."""
    vocab: dict[str, int] = json.loads((tiny / "vocab.json").read_text(encoding="utf-8"))
    n_real = len(vocab)
    if sorted(vocab.values()) != list(range(n_real)) or n_real > size:
        raise RuntimeError(f"{tiny}/vocab.json: {n_real} ids, not contiguous or over {size}")
    vocab.update({f"<unused{i}>": i for i in range(n_real, size)})
    (outdir / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    fast = json.loads((tiny / "tokenizer.json").read_text(encoding="utf-8"))
    fast["model"]["vocab"] = vocab
    (outdir / "tokenizer.json").write_text(json.dumps(fast, ensure_ascii=False), encoding="utf-8")
    return n_real


def write_models_yaml(workdir: Path, built: BuiltModels, name: str,
                      translation_gen: dict[str, int], summary_gen: dict[str, int]) -> Path:
    """A models.yaml for the product pointing at the built models, lengths pinned, guard off."""
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
        f"  generation: {gen(summary_gen)}\n"
        "# Random weights emit random tokens, which the hallucination guard would retry;\n"
        "# real models rarely trigger it, so here it never fires and the work stays fixed.\n"
        "guard: {min_repeats: 100000, min_char_repeats: 100000, min_length_ratio: 0, max_length_ratio: 100000,\n"
        "        min_script_share: 0}\n",
        encoding="utf-8",
    )
    return path


def pinned(new_tokens: int, beams: int) -> dict[str, int]:
    return {"min_new_tokens": new_tokens, "max_new_tokens": new_tokens, "num_beams": beams}
