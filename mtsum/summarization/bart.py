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

import logging
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Protocol

from mtsum.config import GenerationOptions
from mtsum.errors import ConfigError, InputError, MtsumError
from mtsum.translation.batching import DEFAULT_BATCH_SIZE, DEFAULT_MAX_BATCH_TOKENS, run_batched

if TYPE_CHECKING:
    from mtsum.backends.base import Backend

__all__ = [
    "BartSummarizer",
    "Summarizer",
    "SummaryOutput",
    "chunk_paragraphs",
    "summarize_documents",
    "summarize_paragraphs",
]

log = logging.getLogger(__name__)

PARAGRAPH_SEP = "\n\n"


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

    def summarize_many(self, documents: list[list[str]], *, max_length: int | None = None,
                       min_length: int | None = None) -> list[SummaryOutput | MtsumError]: ...

    def describe(self) -> dict[str, Any]: ...


def chunk_paragraphs(paragraphs: Sequence[str], count_tokens: Callable[[str], int],
                     limit: int, sep: str = PARAGRAPH_SEP) -> list[str]:
    """Pack paragraphs, in order, into as few texts of at most ``limit`` tokens as fit.

    Paragraphs are joined with ``sep``. A paragraph over the limit is split at
    sentence boundaries, a sentence over it at words, a word over it at characters;
    every character of every paragraph (whitespace aside) lands in exactly one chunk.
    """
    return _chunks(paragraphs, count_tokens, limit, sep)[0]


def _chunks(paragraphs: Sequence[str], count_tokens: Callable[[str], int], limit: int,
            sep: str = PARAGRAPH_SEP) -> tuple[list[str], list[int]]:
    """:func:`chunk_paragraphs`, and each chunk's token count (counted while packing, so
    the batcher need not count the chunks again)."""
    if limit < 1:
        raise ValueError(f"token limit must be positive, got {limit}")
    pieces = [piece for para in paragraphs for piece in _split_to_fit(para, count_tokens, limit)]
    return _pack(pieces, sep, count_tokens, limit)


def _pack(pieces: list[str], joiner: str, count: Callable[[str], int], limit: int) -> tuple[list[str], list[int]]:
    chunks: list[str] = []
    counts: list[int] = []
    start = 0
    while start < len(pieces):
        counted: dict[int, int] = {}

        # Count the joined text, not a sum of parts: tokenizers need not be additive.
        def fits(n: int, start: int = start, counted: dict[int, int] = counted) -> bool:
            counted[n] = count(joiner.join(pieces[start:start + n]))
            return counted[n] <= limit

        n = _longest(len(pieces) - start, fits)
        chunks.append(joiner.join(pieces[start:start + n]))
        counts.append(counted[n] if n in counted else count(chunks[-1]))
        start += n
    return chunks, counts


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
    from mtsum.text.segment import split_long, split_sentences

    pieces = [piece for sentence in split_sentences(text, "en") for piece in split_long(sentence, count, limit)]
    return _pack(pieces, " ", count, limit)[0]


class BartSummarizer:
    """A BART summarization model (``bart-large-cnn``, ``distilbart-cnn-12-6``...) behind any backend.

    Decoding settings: explicit ``max_length``/``min_length`` arguments > the spec's
    ``generation`` (models.yaml) > the model's own generation config.
    """

    def __init__(self, backend: Backend, *, max_batch_tokens: int = DEFAULT_MAX_BATCH_TOKENS,
                 batch_size: int = DEFAULT_BATCH_SIZE, progress: bool = False) -> None:
        if batch_size < 1:
            raise ConfigError(f"batch size must be at least 1, got {batch_size}")
        self.backend = backend
        self.spec = backend.spec
        self.max_batch_tokens = max_batch_tokens
        self.batch_size = batch_size
        self.progress = progress

    def describe(self) -> dict[str, Any]:
        return self.backend.describe()

    def count_tokens(self, text: str) -> int:
        """Tokens in ``text``, special tokens excluded."""
        return self.backend.count_tokens(text)

    @property
    def max_input_tokens(self) -> int:
        """How many text tokens one model input may hold (special tokens already subtracted)."""
        return self.backend.max_input_tokens

    def generation_settings(self, max_length: int | None = None,
                            min_length: int | None = None) -> dict[str, Any]:
        """The effective decoding settings as results record them (None values left out).

        Raises:
            ConfigError: see :meth:`generation_options`.
        """
        return self.generation_options(max_length, min_length).recorded()

    def generation_options(self, max_length: int | None = None,
                           min_length: int | None = None) -> GenerationOptions:
        """The decoding settings one call runs with: the backend's, explicit lengths on top.

        An explicit length unsets the model's ``*_new_tokens`` (transformers would prefer them).

        Raises:
            ConfigError: a length is not a positive integer, or more than one
                summary per input is asked for.
        """
        options = self.backend.generation_settings()
        if max_length is not None:
            options = options.replace(max_length=max_length, max_new_tokens=None)
        if min_length is not None:
            options = options.replace(min_length=min_length, min_new_tokens=None)
        for key in ("max_length", "min_length", "max_new_tokens", "min_new_tokens"):
            value = options.get(key)
            if value is not None and (not isinstance(value, int) or value < 0 or
                                      (key.startswith("max") and value < 1)):
                raise ConfigError(f"{self.spec.name}: {key} must be a positive integer, got {value!r}")
        if options.get("num_return_sequences") not in (None, 1):
            raise ConfigError(f"{self.spec.name}: num_return_sequences must be 1 for summaries")
        max_len, min_len = options.get("max_length"), options.get("min_length")
        if max_len is not None and min_len is not None and min_len > max_len:
            # e.g. --max-length 30 against bart-large-cnn's min_length 56.
            log.info("min_length %d exceeds max_length %d; lowering it", min_len, max_len)
            options = options.replace(min_length=max_len)
        return options

    def summarize_batch(self, texts: list[str], max_length: int | None = None,
                        min_length: int | None = None, *, token_counts: list[int] | None = None,
                        options: GenerationOptions | None = None) -> list[str]:
        """Summarize each text (each must fit the model input), batched by token budget.

        ``token_counts`` (each text's :meth:`count_tokens`) and ``options`` (from
        :meth:`generation_options`, which then replace the lengths) are for callers that
        have them already: map-reduce rounds resolve the settings once and count while chunking.

        Raises:
            InputError: a text is longer than ``max_input_tokens``; use
                ``summarize_paragraphs`` to chunk it.
            ConfigError: see ``generation_options``.
        """
        if not texts:
            return []
        if options is None:
            options = self.generation_options(max_length, min_length)
        limit = self.max_input_tokens
        lengths = token_counts if token_counts is not None else [self.count_tokens(text) for text in texts]
        for i, n in enumerate(lengths):
            if n > limit:
                raise InputError(
                    f"text {i} is {n} tokens, over the summarizer's {limit}-token input limit "
                    "(summarize_paragraphs splits long text into chunks)"
                )
        return run_batched(texts, lengths, lambda batch: self.backend.generate(batch, options),
                           max_tokens=self.max_batch_tokens, max_items=self.batch_size,
                           workers=self.backend.parallel_batches,
                           progress="summarizing" if self.progress else None)

    def summarize(self, paragraphs: list[str], max_length: int | None = None,
                  min_length: int | None = None) -> SummaryOutput:
        """Summarize one document given as paragraphs; see ``summarize_paragraphs``."""
        return summarize_paragraphs(paragraphs, self, max_length=max_length, min_length=min_length)

    def summarize_many(self, documents: list[list[str]], *, max_length: int | None = None,
                       min_length: int | None = None) -> list[SummaryOutput | MtsumError]:
        """Summarize several documents with shared batches; see ``summarize_documents``."""
        return summarize_documents(documents, self, max_length=max_length, min_length=min_length)


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
    out = summarize_documents([paragraphs], summarizer, max_length, min_length)[0]
    if isinstance(out, MtsumError):
        raise out
    return out


def summarize_documents(documents: list[list[str]], summarizer: BartSummarizer,
                        max_length: int | None = None,
                        min_length: int | None = None) -> list[SummaryOutput | MtsumError]:
    """Summarize many documents at once: every document's chunks share batches, round by round.

    Each document is packed into chunks that fit the model; all first-level chunks go
    through the model together, then the documents that had several chunks reduce
    their chunk summaries, again together, until each has one summary. A document's
    own problem (nothing to summarize, summaries that do not shrink) is its outcome;
    the others go on.

    Raises:
        ConfigError: bad decoding settings (they concern every document).
        ModelUnavailableError, ModelLoadError: the model cannot be loaded.
    """
    options = summarizer.generation_options(max_length, min_length)  # once, for every round
    settings = {"summarizer": "bart", **options.recorded(), "max_input_tokens": summarizer.max_input_tokens}
    limit = summarizer.max_input_tokens
    count = summarizer.count_tokens
    outcomes: list[SummaryOutput | MtsumError | None] = [None] * len(documents)
    current: dict[int, tuple[list[str], list[int]]] = {}  # document -> texts of this round, their tokens
    first_chunks: dict[int, int] = {}
    for i, paragraphs in enumerate(documents):
        texts = [p.strip() for p in paragraphs if p and p.strip()]
        if not texts:
            outcomes[i] = InputError("nothing to summarize: the text has no paragraphs left")
            continue
        current[i] = _chunks(texts, count, limit)
        first_chunks[i] = len(current[i][0])
        log.info("summarizing %d paragraph(s) in %d chunk(s) of at most %d tokens",
                 len(texts), first_chunks[i], limit)
    rounds = 0
    while current:
        flat = [text for texts, _ in current.values() for text in texts]
        counts = [n for _, ns in current.values() for n in ns]
        summaries = iter(summarizer.summarize_batch(flat, token_counts=counts, options=options))
        done = {i: [next(summaries) for _ in texts] for i, (texts, _) in current.items()}
        current = {}
        for i, summary_list in done.items():
            if len(summary_list) == 1:
                outcomes[i] = SummaryOutput(summary=summary_list[0], chunks=first_chunks[i], rounds=rounds,
                                            settings=dict(settings), model=summarizer.describe())
                continue
            groups = _chunks([s for s in summary_list if s] or [""], count, limit)
            if len(groups[0]) >= len(summary_list):
                outcomes[i] = ConfigError(
                    f"{len(summary_list)} chunk summaries do not fit fewer {limit}-token inputs, "
                    "so they cannot be reduced to one; lower max_length")
                continue
            log.info("reduce round %d: %d summaries -> %d", rounds + 1, len(summary_list), len(groups[0]))
            current[i] = groups
        rounds += 1
    return outcomes  # type: ignore[return-value]
