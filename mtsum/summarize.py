"""Abstractive summaries with BART, map-reduce over chunks for articles too long for it.

BART reads at most 1024 tokens (``max_position_embeddings``). Rather than truncate
(which silently drops the end of a long article), the cleaned English paragraphs are
packed into chunks that each fit, every chunk is summarized (batched), and the joined
chunk summaries are summarized again, round after round, until one summary is left.
Chunks break at paragraph boundaries; a paragraph that alone is too long breaks at
sentences, then words, then characters. No text is ever cut off.

torch and transformers are imported only when a model is loaded, so importing this
module (or choosing the extractive summarizer) stays cheap.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from .config import ModelSpec
from .errors import ConfigError, InputError

__all__ = [
    "BartSummarizer",
    "Summarizer",
    "SummaryOutput",
    "chunk_paragraphs",
    "split_sentences",
    "summarize_paragraphs",
]

log = logging.getLogger(__name__)

PARAGRAPH_SEP = "\n\n"
DEFAULT_BATCH_SIZE = 4
# Decoding settings copied into every result, so a summary says how it was made.
_RECORDED_SETTINGS = (
    "num_beams", "max_length", "min_length", "max_new_tokens", "min_new_tokens",
    "length_penalty", "no_repeat_ngram_size", "early_stopping", "do_sample",
    "repetition_penalty", "temperature", "top_k", "top_p",
)


@dataclass
class SummaryOutput:
    """A summary and how it was produced."""

    summary: str
    chunks: int  # first-level chunks the input was split into (1: it fit at once)
    rounds: int  # reduce rounds over the chunk summaries (0: no reduce was needed)
    settings: dict[str, Any]  # effective decoding / selection settings
    model: dict[str, Any]  # {"model": id or path, "revision": commit or None}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Summarizer(Protocol):
    """What the pipeline needs from a summarizer (BART or extractive)."""

    def summarize(self, paragraphs: list[str], *, max_length: int | None = None,
                  min_length: int | None = None) -> SummaryOutput: ...

    def describe(self) -> dict[str, Any]: ...


def split_sentences(text: str, language: str = "en") -> list[str]:
    """Split ``text`` into sentences (mtsum.segment's rules, shared with translation)."""
    from .segment import split_sentences as segment_sentences  # pure Python, no torch

    return segment_sentences(text, language)


def chunk_paragraphs(paragraphs: Sequence[str], count_tokens: Callable[[str], int],
                     limit: int, sep: str = PARAGRAPH_SEP) -> list[str]:
    """Pack paragraphs, in order, into as few texts of at most ``limit`` tokens as fit.

    Paragraphs are joined with ``sep``. A paragraph over the limit is split at
    sentence boundaries, a sentence over it at words, a word over it at characters;
    every character of every paragraph (whitespace aside) lands in exactly one chunk.
    """
    if limit < 1:
        raise ValueError(f"token limit must be positive, got {limit}")
    pieces = [piece for para in paragraphs for piece in _split_to_fit(para, count_tokens, limit)]
    return _pack(pieces, sep, count_tokens, limit)


def _pack(pieces: list[str], joiner: str, count: Callable[[str], int], limit: int) -> list[str]:
    chunks: list[str] = []
    start = 0
    while start < len(pieces):
        # Count the joined text, not a sum of parts: tokenizers need not be additive.
        def fits(n: int, start: int = start) -> bool:
            return count(joiner.join(pieces[start:start + n])) <= limit

        n = _longest(len(pieces) - start, fits)
        chunks.append(joiner.join(pieces[start:start + n]))
        start += n
    return chunks


def _longest(n_max: int, fits: Callable[[int], bool]) -> int:
    """The largest n <= n_max with fits(n), given fits(1): gallop, then bisect.

    O(log n) token counts per chunk where adding pieces one by one would be O(n).
    """
    n = 1
    while n < n_max:
        step = min(2 * n, n_max)
        if not fits(step):
            lo, hi = n, step - 1
            while lo < hi:
                mid = (lo + hi + 1) // 2
                lo, hi = (mid, hi) if fits(mid) else (lo, mid - 1)
            return lo
        n = step
    return n


def _split_to_fit(text: str, count: Callable[[str], int], limit: int) -> list[str]:
    """A paragraph over the limit: its sentences, each cut to fit as translation does."""
    if count(text) <= limit:
        return [text]
    from .segment import split_long

    pieces = [piece for sentence in split_sentences(text) for piece in split_long(sentence, count, limit)]
    return _pack(pieces, " ", count, limit)


class BartSummarizer:
    """A BART summarization model (``bart-large-cnn``, ``distilbart-cnn-12-6``...), loaded on first use.

    Decoding settings: explicit ``max_length``/``min_length`` arguments > the spec's
    ``generation`` (models.yaml) > the model's own generation config.
    """

    def __init__(self, spec: ModelSpec, device: str | None = None, *,
                 offline: bool | None = None, batch_size: int = DEFAULT_BATCH_SIZE) -> None:
        if batch_size < 1:
            raise ConfigError(f"batch size must be at least 1, got {batch_size}")
        self.spec = spec
        self.device = device
        self.offline = offline
        self.batch_size = batch_size
        self._loaded: Any = None

    @property
    def loaded(self) -> Any:
        """The LoadedModel; loads it on first access.

        Raises:
            ModelUnavailableError, ModelLoadError: see ``mtsum.models.load_seq2seq``.
            ConfigError: the device is malformed or unavailable.
        """
        if self._loaded is None:
            from .models import load_seq2seq, resolve_device

            self._loaded = load_seq2seq(self.spec, "bart", resolve_device(self.device),
                                        offline=self.offline)
        return self._loaded

    def describe(self) -> dict[str, Any]:
        return self.loaded.describe()

    def count_tokens(self, text: str) -> int:
        """Tokens in ``text``, special tokens excluded."""
        # verbose=False: counting a long paragraph is not feeding it to the model,
        # so the "longer than the specified maximum" warning would be a false alarm.
        enc = self.loaded.tokenizer(text, add_special_tokens=False, truncation=False, verbose=False)
        return len(enc["input_ids"])

    def max_input_tokens(self) -> int:
        """How many text tokens one model input may hold (special tokens already subtracted)."""
        loaded = self.loaded
        model_max = int(loaded.model.config.max_position_embeddings)
        tok_max = getattr(loaded.tokenizer, "model_max_length", None)
        if isinstance(tok_max, int) and 0 < tok_max < model_max:
            model_max = tok_max  # huge sentinel values mean "unset"
        limit = model_max
        if self.spec.max_input_tokens is not None:
            if self.spec.max_input_tokens > model_max:
                log.warning("%s: max_input_tokens %d exceeds the model's %d positions; using %d",
                            self.spec.name, self.spec.max_input_tokens, model_max, model_max)
            limit = min(self.spec.max_input_tokens, model_max)
        return limit - loaded.tokenizer.num_special_tokens_to_add(pair=False)

    def generation_settings(self, max_length: int | None = None,
                            min_length: int | None = None) -> dict[str, Any]:
        """The effective decoding settings (None values left out).

        Raises:
            ConfigError: a length is not a positive integer, or more than one
                summary per input is asked for.
        """
        own = self.loaded.model.generation_config
        settings: dict[str, Any] = {key: getattr(own, key, None) for key in _RECORDED_SETTINGS}
        settings.update(self.spec.generation)
        # An explicit length must win; transformers would prefer *_new_tokens.
        if max_length is not None:
            settings.update(max_length=max_length, max_new_tokens=None)
        if min_length is not None:
            settings.update(min_length=min_length, min_new_tokens=None)
        for key in ("max_length", "min_length", "max_new_tokens", "min_new_tokens"):
            value = settings.get(key)
            if value is not None and (not isinstance(value, int) or value < 0 or
                                      (key.startswith("max") and value < 1)):
                raise ConfigError(f"{self.spec.name}: {key} must be a positive integer, got {value!r}")
        if settings.get("num_return_sequences") not in (None, 1):
            raise ConfigError(f"{self.spec.name}: num_return_sequences must be 1 for summaries")
        max_len, min_len = settings.get("max_length"), settings.get("min_length")
        if max_len is not None and min_len is not None and min_len > max_len:
            # e.g. --max-length 30 against bart-large-cnn's min_length 56.
            log.info("min_length %d exceeds max_length %d; lowering it", min_len, max_len)
            settings["min_length"] = max_len
        return {key: value for key, value in settings.items() if value is not None}

    def summarize_batch(self, texts: list[str], max_length: int | None = None,
                        min_length: int | None = None) -> list[str]:
        """Summarize each text (each must fit the model input) in batches of ``batch_size``.

        Raises:
            InputError: a text is longer than ``max_input_tokens()``; use
                ``summarize_paragraphs`` to chunk it.
            ConfigError: see ``generation_settings``.
        """
        if not texts:
            return []
        import torch

        loaded = self.loaded
        settings = self.generation_settings(max_length, min_length)
        gen_config = copy.deepcopy(loaded.model.generation_config)
        gen_config.update(**settings)
        if max_length is not None:
            gen_config.max_new_tokens = None
        if min_length is not None:
            gen_config.min_new_tokens = None

        limit = self.max_input_tokens()
        lengths = [self.count_tokens(text) for text in texts]
        for i, n in enumerate(lengths):
            if n > limit:
                raise InputError(
                    f"text {i} is {n} tokens, over the summarizer's {limit}-token input limit "
                    "(summarize_paragraphs splits long text into chunks)"
                )
        # Longest first, so each batch pads to similar lengths.
        order = sorted(range(len(texts)), key=lambda i: (-lengths[i], i))
        results: list[str] = [""] * len(texts)
        for start in range(0, len(order), self.batch_size):
            batch = order[start:start + self.batch_size]
            # Not verbose=False here: an overlong model input must stay loud.
            enc = loaded.tokenizer([texts[i] for i in batch], return_tensors="pt", padding=True,
                                   truncation=False)
            if enc["input_ids"].shape[1] > loaded.model.config.max_position_embeddings:
                raise AssertionError("chunking produced an input over the model's positions")
            with torch.inference_mode():
                out = loaded.model.generate(**enc.to(loaded.device), generation_config=gen_config)
            decoded = loaded.tokenizer.batch_decode(out, skip_special_tokens=True)
            for i, summary in zip(batch, decoded, strict=True):
                results[i] = summary.strip()
        return results

    def summarize(self, paragraphs: list[str], max_length: int | None = None,
                  min_length: int | None = None) -> SummaryOutput:
        """Summarize one document given as paragraphs; see ``summarize_paragraphs``."""
        return summarize_paragraphs(paragraphs, self, max_length=max_length, min_length=min_length)


def summarize_paragraphs(paragraphs: list[str], summarizer: BartSummarizer,
                         max_length: int | None = None,
                         min_length: int | None = None) -> SummaryOutput:
    """Summarize a document of (cleaned, English) paragraphs, map-reduce if it is long.

    Raises:
        InputError: no paragraph has any text.
        ConfigError: bad decoding settings, or summaries so long that reducing
            them makes no progress (lower max_length).
        ModelUnavailableError, ModelLoadError: the model cannot be loaded.
    """
    texts = [p.strip() for p in paragraphs if p and p.strip()]
    if not texts:
        raise InputError("nothing to summarize: the text has no paragraphs left")
    settings = summarizer.generation_settings(max_length, min_length)
    limit = summarizer.max_input_tokens()
    count = summarizer.count_tokens

    chunks = chunk_paragraphs(texts, count, limit)
    log.info("summarizing %d paragraph(s) in %d chunk(s) of at most %d tokens",
             len(texts), len(chunks), limit)
    summaries = summarizer.summarize_batch(chunks, max_length, min_length)
    rounds = 0
    while len(summaries) > 1:
        groups = chunk_paragraphs([s for s in summaries if s] or [""], count, limit)
        if len(groups) >= len(summaries):
            raise ConfigError(
                f"{len(summaries)} chunk summaries do not fit fewer {limit}-token inputs, "
                "so they cannot be reduced to one; lower max_length"
            )
        rounds += 1
        log.info("reduce round %d: %d summaries -> %d", rounds, len(summaries), len(groups))
        summaries = summarizer.summarize_batch(groups, max_length, min_length)
    return SummaryOutput(
        summary=summaries[0],
        chunks=len(chunks),
        rounds=rounds,
        settings={"summarizer": "bart", **settings, "max_input_tokens": limit},
        model=summarizer.describe(),
    )
