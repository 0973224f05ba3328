"""Translators: one batch method each, composed by wrapping (argos-translate style).

``ModelTranslator`` runs a backend through the shared batcher; ``IdentityTranslator``
is English ("already in the target language" is a translator, not an ``if``); the
persistent cache (:mod:`mtsum.translation.cache`) and the hallucination guard (:mod:`mtsum.translation.guard`)
wrap any translator and look like one.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mtsum.translation.batching import DEFAULT_BATCH_SIZE, DEFAULT_MAX_BATCH_TOKENS, run_batched

if TYPE_CHECKING:
    from mtsum.backends.base import Backend


@dataclass(frozen=True)
class Translation:
    """One segment's translation and what is known about it."""

    text: str
    flag: str | None = None  # why the guard distrusts it ("repetition", ...), else None
    cached: bool = False  # served by the persistent cache, not a model
    retried: bool = False  # the guard re-translated it with safer decoding


# Called with (sources, their final translations) for each part of a call as soon as it is done.
OnBatch = Callable[[list[str], list["Translation"]], None]


def counted(token_counts: list[int] | None) -> dict[str, Any]:
    """``token_counts`` as keyword arguments for an inner translator: none when unknown, so
    a translator written before the parameter existed is called as it always was."""
    return {} if token_counts is None else {"token_counts": token_counts}


class Translator(ABC):
    """Translates segments from one language to English."""

    source: str

    @abstractmethod
    def translate(self, segments: list[str], token_counts: list[int] | None = None,
                  **overrides: Any) -> list[Translation]:
        """Translate ``segments`` (each within :attr:`max_input_tokens`), same order.

        ``token_counts``: each segment's :meth:`count_tokens`, where the caller has counted
        already (segmentation does), so they are not counted again. ``overrides`` are
        decoding settings to use instead of the configured ones.
        """

    def translate_streaming(self, segments: list[str], on_batch: OnBatch,
                            token_counts: list[int] | None = None) -> list[Translation]:
        """:meth:`translate` with the configured decoding, calling ``on_batch(sources,
        translations)`` for each part as soon as its translations are final, so that a
        caller (the persistent cache) can keep finished work before the call returns.

        Every segment is reported exactly once. This default reports everything at the
        end; the model translator reports each model batch, and a wrapper that changes
        outputs must either keep this default or report only what it will return.
        """
        outputs = self.translate(segments, **counted(token_counts))
        if segments:
            on_batch(list(segments), outputs)
        return outputs

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    @property
    def max_input_tokens(self) -> int:
        return 1_000_000

    def describe(self) -> dict[str, Any]:
        """Model, revision, backend and settings: recorded in every result."""
        return {"model": None, "revision": None}

    def cache_key(self) -> str:
        """Everything that changes this translator's output."""
        return f"identity-{self.source}"


class IdentityTranslator(Translator):
    """English in, English out."""

    def __init__(self, source: str = "en") -> None:
        self.source = source

    def translate(self, segments: list[str], token_counts: list[int] | None = None,
                  **overrides: Any) -> list[Translation]:
        return [Translation(s) for s in segments]


class BatchReporting(Translator):
    """A translator that reports each part as soon as it is final: :meth:`translate` and
    :meth:`translate_streaming` are one method, :meth:`_run`, without and with ``on_batch``."""

    def translate(self, segments: list[str], token_counts: list[int] | None = None,
                  **overrides: Any) -> list[Translation]:
        return self._run(segments, token_counts, overrides, None)

    def translate_streaming(self, segments: list[str], on_batch: OnBatch,
                            token_counts: list[int] | None = None) -> list[Translation]:
        return self._run(segments, token_counts, {}, on_batch)

    @abstractmethod
    def _run(self, segments: list[str], token_counts: list[int] | None, overrides: dict[str, Any],
             on_batch: OnBatch | None) -> list[Translation]:
        """Translate; with ``on_batch``, report each part once, as soon as it is final."""


class ModelTranslator(BatchReporting):
    """A MarianMT model behind any backend; batches by token budget."""

    def __init__(self, backend: Backend, source: str, *, max_batch_tokens: int = DEFAULT_MAX_BATCH_TOKENS,
                 batch_size: int = DEFAULT_BATCH_SIZE, progress: bool = False) -> None:
        self.backend = backend
        self.source = source
        self.max_batch_tokens = max_batch_tokens
        self.batch_size = batch_size
        self.progress = progress

    def _run(self, segments: list[str], token_counts: list[int] | None, overrides: dict[str, Any],
             on_batch: OnBatch | None) -> list[Translation]:
        # each model batch is reported as soon as it is decoded
        if not segments:
            return []
        if token_counts is not None and len(token_counts) != len(segments):
            raise ValueError(f"{len(token_counts)} token counts for {len(segments)} segments")
        settings = self.backend.generation_settings().replace(**overrides)
        lengths = token_counts if token_counts is not None else [self.backend.count_tokens(s) for s in segments]

        def generate(batch: list[str]) -> list[Translation]:
            done = [Translation(t) for t in self.backend.generate(batch, settings)]
            if on_batch is not None:
                on_batch(batch, done)
            return done

        return run_batched(segments, lengths, generate, max_tokens=self.max_batch_tokens,
                           max_items=self.batch_size, workers=self.backend.parallel_batches,
                           progress=f"translating {self.source}" if self.progress else None)

    def count_tokens(self, text: str) -> int:
        return self.backend.count_tokens(text)

    @property
    def max_input_tokens(self) -> int:
        return self.backend.max_input_tokens

    def describe(self) -> dict[str, Any]:
        return self.backend.describe()

    def cache_key(self) -> str:
        return self.backend.cache_key()


class TranslatorWrapper(Translator):
    """Base for wrappers: everything but ``translate`` is the inner translator's."""

    def __init__(self, inner: Translator) -> None:
        self.inner = inner
        self.source = inner.source

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    @property
    def max_input_tokens(self) -> int:
        return self.inner.max_input_tokens

    def describe(self) -> dict[str, Any]:
        return self.inner.describe()

    def cache_key(self) -> str:
        return self.inner.cache_key()
