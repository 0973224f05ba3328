"""The pipeline's front door: :class:`Pipeline` and its :class:`Settings`.

A :class:`Pipeline` is one run: the registry, the settings, one translator per language
and one summarizer per kind (:mod:`mtsum.pipeline.components`; each loads its model on
first use). A document flows forward once through the stages:

1. :mod:`~mtsum.pipeline.prepare`: split, detect, clean (with cleaning), and cut into
   segments with their token counts (:meth:`Pipeline.prepare`);
2. :mod:`~mtsum.pipeline.engine`: the unique segments of a window of documents,
   translated per language in shared token-budgeted batches;
3. :mod:`~mtsum.pipeline.assemble`: each document's result, in input order, and a
   summary's result from its translation.

Importing this module loads no translator, guard or batcher; a run loads what it uses.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mtsum import settings as env_settings
from mtsum.config import ModelsConfig, load_models_config
from mtsum.errors import ConfigError, Interrupted, MtsumError
from mtsum.io.inputs import Document
from mtsum.pipeline.prepare import PreparedDocument, prepare_source, read_source
from mtsum.text.segment import split_counted, split_sentences

if TYPE_CHECKING:
    from mtsum.results import SummaryResult, TranslationResult
    from mtsum.summarization.bart import Summarizer
    from mtsum.translation.translator import Translator

SOURCES = env_settings.SOURCES
# Summaries are made for this many documents at a time, their chunks sharing batches.
SUMMARY_GROUP = 16


@dataclass
class Settings:
    """Run settings; each is recorded in the results it produces."""

    source: str = "auto"
    device: str | None = None  # None: MTSUM_DEVICE, else auto
    batch_size: int | None = None  # cap on items per batch; None: MTSUM_BATCH_SIZE, else 32
    max_batch_tokens: int | None = None  # padded tokens per batch; None: MTSUM_MAX_BATCH_TOKENS, else 4096
    backend: str | None = None  # auto, transformers, ctranslate2; None: MTSUM_BACKEND, else auto
    compute_type: str | None = None  # None: per model (models.yaml), else the backend's default
    cache: str | os.PathLike[str] | bool | None = None  # a path, False (off); None: MTSUM_CACHE or default
    dedupe: bool = False
    offline: bool | None = None
    progress: bool = False


class Pipeline:
    """Translate and summarize documents with shared models, batches and caches."""

    def __init__(self, models: str | Path | ModelsConfig | None = None,
                 settings: Settings | None = None) -> None:
        from mtsum.backends.devices import requested_device
        from mtsum.pipeline.components import Components
        from mtsum.pipeline.engine import Engine
        from mtsum.translation.batching import DEFAULT_BATCH_SIZE, DEFAULT_MAX_BATCH_TOKENS
        from mtsum.translation.cache import TranslationStore, resolve_cache_path

        self.config = models if isinstance(models, ModelsConfig) else load_models_config(models)
        self.settings = s = settings or Settings()
        if s.source not in SOURCES:
            raise ConfigError(f"unknown source language '{s.source}': use {', '.join(SOURCES)}")
        self.batch_size = env_settings.positive_int("batch_size", s.batch_size, variable=env_settings.BATCH_SIZE,
                                                    default=DEFAULT_BATCH_SIZE)
        self.max_batch_tokens = env_settings.positive_int("max_batch_tokens", s.max_batch_tokens,
                                                          variable=env_settings.MAX_BATCH_TOKENS,
                                                          default=DEFAULT_MAX_BATCH_TOKENS)
        self.backend_name = env_settings.backend(s.backend)
        self.device = requested_device(s.device)
        cache_path = resolve_cache_path(s.cache)
        self.store = TranslationStore(cache_path) if cache_path is not None else None
        self.components = Components(
            self.config, backend=self.backend_name, device=self.device, offline=s.offline,
            compute_type=s.compute_type, batch_size=self.batch_size, max_batch_tokens=self.max_batch_tokens,
            progress=s.progress, store=self.store)
        self._engine = Engine(self.translator)

    def translator(self, language: str) -> Translator:
        """The translator for ``language`` (English: identity), created once:
        model backend → hallucination guard → persistent cache."""
        return self.components.translator(language)

    def summarizer(self, kind: str = "bart") -> Summarizer:
        """The summarizer of this run (``bart`` or ``extractive``), created once."""
        return self.components.summarizer(kind)

    # --- prepare --------------------------------------------------------------------
    def prepare(self, doc: Document, clean: bool = False) -> PreparedDocument:
        """Split, detect and segment one document (and clean it, with ``clean``).

        Raises:
            UnsupportedLanguageError: the detected language is not sv, de or en.
            ModelUnavailableError, ConfigError: the translation model for its language.
        """
        started = time.perf_counter()
        source = read_source(doc, self.settings.source, clean)
        return prepare_source(source, self.counted_segments, all_english=self.settings.source == "en",
                              started=started)

    def segments(self, paragraph: str, language: str) -> list[str]:
        """The pieces of ``paragraph`` sent to the model: sentences, and over-long
        sentences cut to the model's input limit."""
        return [piece for piece, _ in self.counted_segments(paragraph, language)]

    def counted_segments(self, paragraph: str, language: str) -> list[tuple[str, int]]:
        """:meth:`segments` with each piece's token count (counted once, passed on to batching)."""
        translator = self.translator(language)
        return [counted for sentence in split_sentences(paragraph, language)
                for counted in split_counted(sentence, translator.count_tokens, translator.max_input_tokens)]

    # --- translate ------------------------------------------------------------------
    def translate(self, text: str, name: str = "<text>") -> TranslationResult:
        """Translate one document, every paragraph in order.

        Raises:
            UnsupportedLanguageError, ModelUnavailableError, ConfigError.
        """
        return self.translate_document(Document(name, text, "text"))

    def translate_document(self, doc: Document, clean: bool = False) -> TranslationResult:
        """Translate one read input; with ``clean``, boilerplate, captions and duplicates
        are dropped first (and listed in ``result.removed``). Raises what ``prepare`` raises."""
        return _only(self.translate_many([doc], clean=clean))

    def translate_many(self, docs: Iterable[Document], clean: bool = False
                       ) -> Iterator[tuple[Document, TranslationResult | MtsumError]]:
        """Translate many documents with shared batches; yields ``(doc, result or error)``.

        Documents are prepared one by one into a window; when the window holds enough
        segments (or documents), the unique segments of all of them are translated per
        language in token-budgeted batches and each document is assembled and yielded.
        One document's failure (its language, its model) is yielded as its outcome and
        the others go on.
        """
        def prepared() -> Iterator[tuple[Document, PreparedDocument | MtsumError]]:
            for doc in docs:
                try:
                    yield doc, self.prepare(doc, clean=clean)
                except Interrupted:  # a stop signal is the run's, never one document's outcome
                    raise
                except MtsumError as exc:
                    yield doc, exc

        return self.translate_prepared(prepared())

    def translate_prepared(self, items: Iterable[tuple[Document, PreparedDocument | MtsumError]]
                           ) -> Iterator[tuple[Document, TranslationResult | MtsumError]]:
        """:meth:`translate_many` for documents prepared elsewhere (``mtsum batch`` prepares
        on CPU workers and translates on GPU workers); an error stands for a document whose
        preparation failed and is yielded as its outcome."""
        return self._engine.run(items, self._assemble)

    def _assemble(self, prepared: PreparedDocument, translated_now: set[tuple[str, str]]) -> TranslationResult:
        from mtsum.pipeline.assemble import assemble

        used = sorted({p.language for p in prepared.translated() if p.language != "en"})
        models = {lang: self.translator(lang).describe() for lang in used}
        return assemble(prepared, self._engine.memo, translated_now, models, self.describe_settings)

    # --- summarize ------------------------------------------------------------------
    def summarize_document(self, doc: Document, summarizer: str = "bart",
                           max_length: int | None = None, min_length: int | None = None) -> SummaryResult:
        """Clean, translate and summarize one document.

        Raises:
            InputError: nothing is left to summarize after cleaning.
            plus everything :meth:`translate_document` raises.
        """
        return _only(self.summarize_many([doc], summarizer, max_length=max_length, min_length=min_length))

    def summarize_many(self, docs: Iterable[Document], summarizer: str = "bart", *,
                       max_length: int | None = None, min_length: int | None = None
                       ) -> Iterator[tuple[Document, SummaryResult | MtsumError]]:
        """Clean, translate and summarize many documents, batching across them for both
        models; yields ``(doc, result or error)`` in input order, a group at a time."""
        engine = self.summarizer(summarizer)  # fail on a bad choice before translating
        group: list[tuple[Document, TranslationResult | MtsumError]] = []
        for doc, translated in self.translate_many(docs, clean=True):
            group.append((doc, translated))
            if sum(not isinstance(t, MtsumError) for _, t in group) >= SUMMARY_GROUP:
                yield from self._summarize_group(group, engine, summarizer, max_length, min_length)
                group = []
        if group:
            yield from self._summarize_group(group, engine, summarizer, max_length, min_length)

    def _summarize_group(self, group: list[tuple[Document, TranslationResult | MtsumError]], engine: Summarizer,
                         kind: str, max_length: int | None, min_length: int | None
                         ) -> Iterator[tuple[Document, SummaryResult | MtsumError]]:
        from mtsum.pipeline.assemble import english, summary_result

        ready = [t for _, t in group if not isinstance(t, MtsumError)]
        started = time.perf_counter()
        outputs = iter(engine.summarize_many([english(t) for t in ready], max_length=max_length,
                                             min_length=min_length))
        seconds = (time.perf_counter() - started) / max(1, len(ready))  # the group's time, shared
        for doc, translated in group:
            if isinstance(translated, MtsumError):
                yield doc, translated
                continue
            out = next(outputs)
            yield doc, out if isinstance(out, MtsumError) else summary_result(
                translated, out, kind, max_length, min_length, seconds, self.describe_settings)

    def summarize_translation(self, translated: TranslationResult, summarizer: str = "bart", *,
                              max_length: int | None = None, min_length: int | None = None) -> SummaryResult:
        """Summarize a document already translated with cleaning (``mtsum batch --task both``
        keeps the translation and its summary).

        Raises:
            ConfigError: an unknown summarizer or none configured.
            InputError: nothing is left to summarize.
        """
        from mtsum.pipeline.assemble import english, summary_result

        started = time.perf_counter()
        out = self.summarizer(summarizer).summarize(english(translated), max_length=max_length,
                                                    min_length=min_length)
        return summary_result(translated, out, summarizer, max_length, min_length,
                              time.perf_counter() - started, self.describe_settings)

    def describe_settings(self, models: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
        """The run's settings; ``device`` is what ran (the models'), not what was asked for."""
        ran = [m["device"] for m in (models or {}).values() if m.get("device")]
        return {
            "source": self.settings.source,
            "device": ran[0] if ran else self.device,
            "backend": self.backend_name,
            "batch_size": self.batch_size,
            "max_batch_tokens": self.max_batch_tokens,
            "dedupe": self.settings.dedupe,
            "cache": str(self.store.path) if self.store is not None else None,
            "models_file": str(self.config.path),
        }


def _only(outcomes: Iterator[tuple[Document, Any]]) -> Any:
    """The one document's outcome: its result, or its error raised."""
    for _, outcome in outcomes:
        if isinstance(outcome, MtsumError):
            raise outcome
        return outcome
    raise AssertionError("the pipeline yielded nothing for one document")
