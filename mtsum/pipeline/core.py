"""The pipeline: prepare → translate unique segments (across documents) → assemble → summarize.

A :class:`Pipeline` is one run: the registry, the settings, one translator per
language and one summarizer per kind (each loads its model on first use). A document
is prepared once (:meth:`Pipeline.prepare`: paragraphs split, each paragraph
detected, the document's language voted, segments cut); :meth:`translate_many`
gathers the unique segments of many documents per language into shared,
token-budgeted batches and yields each document's result as soon as its window is
done. Translators are composed: model backend, wrapped by the hallucination guard,
wrapped by the persistent cache.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mtsum.clean import normalize_paragraph
from mtsum.config import ModelsConfig, load_models_config
from mtsum.detect import paragraph_language
from mtsum.errors import ConfigError, Interrupted, MtsumError
from mtsum.io.inputs import Document
from mtsum.pipeline.prepare import PreparedDocument, needs_model, read_source
from mtsum.results import Paragraph, SummaryResult, SummaryStats, TranslationResult, TranslationStats
from mtsum.text.segment import split_long, split_sentences
from mtsum.translation.batching import DEFAULT_BATCH_SIZE, DEFAULT_MAX_BATCH_TOKENS
from mtsum.translation.translator import IdentityTranslator, Translation, Translator

if TYPE_CHECKING:
    from mtsum.summarization.bart import Summarizer, SummaryOutput

log = logging.getLogger(__name__)

SOURCES = ("auto", "sv", "de", "en")
# A window of documents shares batches; its results are yielded when it is done.
WINDOW_SEGMENTS = 2048
WINDOW_DOCUMENTS = 64
# Summaries are made for this many documents at a time, their chunks sharing batches.
SUMMARY_GROUP = 16
# The in-run memo of translations is dropped past this many entries (memory bound).
_MEMO_MAX = 200_000


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

    def resolved_int(self, name: str, env: str, default: int) -> int:
        value: Any = getattr(self, name)
        if value is None:
            value = os.environ.get(env, str(default))
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{name.replace('_', ' ')} must be a positive integer, got '{value}'") from None
        if number < 1:
            raise ConfigError(f"{name.replace('_', ' ')} must be a positive integer, got {number}")
        return number


class Pipeline:
    """Translate and summarize documents with shared models, batches and caches."""

    def __init__(self, models: str | Path | ModelsConfig | None = None,
                 settings: Settings | None = None) -> None:
        from mtsum.backends import BACKEND_NAMES
        from mtsum.backends.devices import requested_device
        from mtsum.translation.cache import TranslationStore, resolve_cache_path

        self.config = models if isinstance(models, ModelsConfig) else load_models_config(models)
        self.settings = settings or Settings()
        if self.settings.source not in SOURCES:
            raise ConfigError(f"unknown source language '{self.settings.source}': use {', '.join(SOURCES)}")
        self.batch_size = self.settings.resolved_int("batch_size", "MTSUM_BATCH_SIZE", DEFAULT_BATCH_SIZE)
        self.max_batch_tokens = self.settings.resolved_int("max_batch_tokens", "MTSUM_MAX_BATCH_TOKENS",
                                                           DEFAULT_MAX_BATCH_TOKENS)
        self.backend_name = self.settings.backend or os.environ.get("MTSUM_BACKEND") or "auto"
        if self.backend_name not in BACKEND_NAMES:
            raise ConfigError(f"unknown backend '{self.backend_name}': use {', '.join(BACKEND_NAMES)}")
        self.device = requested_device(self.settings.device)
        cache_path = resolve_cache_path(self.settings.cache)
        self.store = TranslationStore(cache_path) if cache_path is not None else None
        self._translators: dict[str, Translator] = {}
        self._summarizers: dict[str, Summarizer] = {}
        self._memo: dict[tuple[str, str], Translation] = {}

    # --- components ---------------------------------------------------------------
    def _backend(self, spec: Any, task: str) -> Any:
        from mtsum.backends import create_backend

        return create_backend(spec, task, backend=self.backend_name, device=self.device,
                              offline=self.settings.offline, compute_type=self.settings.compute_type)

    def translator(self, language: str) -> Translator:
        """The translator for ``language`` (English: identity), created once:
        model backend → hallucination guard → persistent cache."""
        if language not in self._translators:
            if language == "en":
                self._translators[language] = IdentityTranslator()
            else:
                from mtsum.translation.guard import GuardedTranslator
                from mtsum.translation.translator import ModelTranslator

                spec = self.config.translation_spec(language)
                translator: Translator = ModelTranslator(
                    self._backend(spec, "translation"), language, max_batch_tokens=self.max_batch_tokens,
                    batch_size=self.batch_size, progress=self.settings.progress)
                translator = GuardedTranslator(translator, self.config.guard)
                if self.store is not None:
                    from mtsum.translation.cache import CachedTranslator

                    translator = CachedTranslator(translator, self.store)
                self._translators[language] = translator
        return self._translators[language]

    def summarizer(self, kind: str = "bart") -> Summarizer:
        """The summarizer of this run (``bart`` or ``extractive``), created once."""
        if kind not in self._summarizers:
            if kind == "extractive":
                from mtsum.summarization.extractive import ExtractiveSummarizer

                self._summarizers[kind] = ExtractiveSummarizer()
            elif kind == "bart":
                from mtsum.summarization.bart import BartSummarizer

                if self.config.summarization is None:
                    raise ConfigError(f"{self.config.path}: no summarization model configured "
                                      "(add summarization.model, or use --summarizer extractive)")
                self._summarizers[kind] = BartSummarizer(
                    self._backend(self.config.summarization, "summarization"),
                    max_batch_tokens=self.max_batch_tokens, batch_size=self.batch_size,
                    progress=self.settings.progress)
            else:
                raise ConfigError(f"unknown summarizer '{kind}': use bart or extractive")
        return self._summarizers[kind]

    # --- prepare --------------------------------------------------------------------
    def prepare(self, doc: Document, clean: bool = False) -> PreparedDocument:
        """Split, detect and segment one document (and clean it, with ``clean``).

        Raises:
            UnsupportedLanguageError: the detected language is not sv, de or en.
            ModelUnavailableError, ConfigError: the translation model for its language.
        """
        started = time.perf_counter()
        source = read_source(doc, self.settings.source, clean)
        language, paras, found, cleaned = source.language, source.paragraphs, source.found, source.cleaned
        texts, indices, has_title = paras, list(range(len(paras))), False
        if cleaned is not None:
            texts, indices = list(cleaned.paragraphs), list(cleaned.kept_indices)
            if cleaned.title is not None and cleaned.title_index is not None:
                texts.insert(0, cleaned.title)
                indices.insert(0, cleaned.title_index)
                has_title = True
        first_seen: dict[str, int] = {}
        duplicate_of: list[int | None] = []
        languages: list[str] = []
        segments: list[list[str]] = []
        for i, para in zip(indices, texts):
            key = normalize_paragraph(para)
            dup = first_seen.get(key)
            if dup is None:
                first_seen[key] = i
            duplicate_of.append(dup)
            # --source en means "all English"; otherwise a German quote in an English
            # article is still translated.
            lang = "en" if self.settings.source == "en" else paragraph_language(found[i], language)
            languages.append(lang)
            segments.append([] if lang == "en" else self.segments(para, lang))
        return PreparedDocument(doc=doc, language=language, confidence=source.confidence, paragraphs=texts,
                                indices=indices, languages=languages, duplicate_of=duplicate_of,
                                segments=segments, total_paragraphs=len(paras), cleaned=cleaned,
                                has_title=has_title, started=started)

    def segments(self, paragraph: str, language: str) -> list[str]:
        """The pieces of ``paragraph`` sent to the model: sentences, and over-long
        sentences cut to the model's input limit."""
        translator = self.translator(language)
        return [piece for sentence in split_sentences(paragraph, language)
                for piece in split_long(sentence, translator.count_tokens, translator.max_input_tokens)]

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
        for _, outcome in self.translate_many([doc], clean=clean):
            if isinstance(outcome, MtsumError):
                raise outcome
            return outcome
        raise AssertionError("translate_many yielded nothing")

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
        window: list[tuple[Document, PreparedDocument | MtsumError]] = []
        pending = 0
        for doc, prepared in items:
            window.append((doc, prepared))
            if isinstance(prepared, PreparedDocument):
                pending += len(prepared.model_segments())
            # Outcomes keep input order, so a failure waits for its window too.
            if pending >= WINDOW_SEGMENTS or len(window) >= WINDOW_DOCUMENTS:
                yield from self._flush(window)
                window, pending = [], 0
        if window:
            yield from self._flush(window)

    def _flush(self, window: list[tuple[Document, PreparedDocument | MtsumError]]
               ) -> Iterator[tuple[Document, TranslationResult | MtsumError]]:
        ready = [p for _, p in window if isinstance(p, PreparedDocument)]
        todo: dict[str, list[str]] = {}
        for prepared in ready:
            for lang, seg in prepared.model_segments():
                if (lang, seg) not in self._memo:
                    todo.setdefault(lang, []).append(seg)
        failed: dict[str, MtsumError] = {}
        translated_now: set[tuple[str, str]] = set()
        if len(self._memo) > _MEMO_MAX:
            self._memo.clear()
        for lang, segs in todo.items():
            unique = list(dict.fromkeys(segs))
            try:
                outputs = self.translator(lang).translate(unique)
            except Interrupted:
                raise
            except MtsumError as exc:
                failed[lang] = exc
                continue
            for seg, out in zip(unique, outputs, strict=True):
                self._memo[(lang, seg)] = out
                if not out.cached:
                    translated_now.add((lang, seg))
        for doc, prepared in window:
            if isinstance(prepared, MtsumError):
                yield doc, prepared
                continue
            needed = {lang for lang, _ in prepared.model_segments()}
            error = next((failed[lang] for lang in sorted(needed) if lang in failed), None)
            yield doc, error if error is not None else self._assemble(prepared, translated_now)

    def _assemble(self, prepared: PreparedDocument, translated_now: set[tuple[str, str]]) -> TranslationResult:
        stats = TranslationStats(paragraphs=prepared.total_paragraphs)
        unique: set[tuple[str, str]] = set()
        result_paras: list[Paragraph] = []
        flagged_total = 0
        for i, para, lang, segs, dup in zip(prepared.indices, prepared.paragraphs, prepared.languages,
                                            prepared.segments, prepared.duplicate_of):
            pieces: list[str] = []
            flags: list[dict[str, Any]] = []
            for k, seg in enumerate(segs):
                if not needs_model(seg):
                    pieces.append(seg)
                    continue
                out = self._memo[(lang, seg)]
                pieces.append(out.text)
                if out.flag:
                    flags.append({"segment": k, "reason": out.flag, "source": seg})
                stats.segments += 1
                if (lang, seg) in unique:
                    continue
                unique.add((lang, seg))
                if out.cached:
                    stats.cache_hits += 1
                elif (lang, seg) in translated_now:
                    translated_now.discard((lang, seg))  # counted once, for its first document
                    stats.segments_translated += 1
            flagged_total += len(flags)
            result_paras.append(Paragraph(index=i, source=para, language=lang,
                                          translation=para if lang == "en" else " ".join(pieces),
                                          duplicate_of=dup, flagged=flags))
        stats.unique_segments = len(unique)
        stats.flagged_segments = flagged_total
        for flagged in (p for p in result_paras if p.flagged):
            log.warning("%s: paragraph %d: %d segment(s) look degenerate (%s); kept, marked in the JSON",
                        prepared.doc.name, flagged.index, len(flagged.flagged),
                        ", ".join(sorted({f["reason"] for f in flagged.flagged})))
        used = sorted({lang for lang in prepared.languages if lang != "en"})
        models = {lang: self.translator(lang).describe() for lang in used}
        result = TranslationResult(
            input=prepared.doc.name, source_language=prepared.language,
            language_confidence=prepared.confidence, paragraphs=result_paras, stats=stats,
            models=models, settings=self.describe_settings(models))
        cleaned = prepared.cleaned
        if cleaned is not None:
            if prepared.has_title:
                result.title = result.paragraphs.pop(0).translation
                result.source_title = cleaned.title
            result.removed = [asdict(r) for r in cleaned.removed]
            result.stripped = [asdict(s) for s in cleaned.stripped]
            result.restored = list(cleaned.restored)
        stats.seconds = time.perf_counter() - prepared.started
        return result

    # --- summarize ------------------------------------------------------------------
    def summarize_document(self, doc: Document, summarizer: str = "bart",
                           max_length: int | None = None, min_length: int | None = None) -> SummaryResult:
        """Clean, translate and summarize one document.

        Raises:
            InputError: nothing is left to summarize after cleaning.
            plus everything :meth:`translate_document` raises.
        """
        for _, outcome in self.summarize_many([doc], summarizer, max_length=max_length, min_length=min_length):
            if isinstance(outcome, MtsumError):
                raise outcome
            return outcome
        raise AssertionError("summarize_many yielded nothing")

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
        ready = [t for _, t in group if not isinstance(t, MtsumError)]
        started = time.perf_counter()
        outputs = iter(engine.summarize_many([_english(t) for t in ready], max_length=max_length,
                                             min_length=min_length))
        seconds = (time.perf_counter() - started) / max(1, len(ready))  # the group's time, shared
        for doc, translated in group:
            if isinstance(translated, MtsumError):
                yield doc, translated
                continue
            out = next(outputs)
            yield doc, out if isinstance(out, MtsumError) else self._summary_result(
                translated, out, kind, max_length, min_length, seconds)

    def summarize_translation(self, translated: TranslationResult, summarizer: str = "bart", *,
                              max_length: int | None = None, min_length: int | None = None) -> SummaryResult:
        """Summarize a document already translated with cleaning (``mtsum batch --task both``
        keeps the translation and its summary).

        Raises:
            ConfigError: an unknown summarizer or none configured.
            InputError: nothing is left to summarize.
        """
        started = time.perf_counter()
        out = self.summarizer(summarizer).summarize(_english(translated), max_length=max_length,
                                                    min_length=min_length)
        return self._summary_result(translated, out, summarizer, max_length, min_length,
                                    time.perf_counter() - started)

    def _summary_result(self, translated: TranslationResult, out: SummaryOutput, kind: str,
                        max_length: int | None, min_length: int | None, seconds: float) -> SummaryResult:
        removed = translated.removed or []
        reasons = [r["reason"] for r in removed]
        stats = SummaryStats(
            paragraphs=translated.stats.paragraphs,
            boilerplate_removed=reasons.count("boilerplate"),
            captions_removed=reasons.count("caption"),
            duplicates_collapsed=reasons.count("duplicate"),
            kept_paragraphs=len(translated.paragraphs),
            segments_translated=translated.stats.segments_translated,
            cache_hits=translated.stats.cache_hits,
            flagged_segments=translated.stats.flagged_segments,
            chunks=out.chunks,
            rounds=out.rounds,
            seconds=translated.stats.seconds + seconds,
        )
        models = {**translated.models, "summarization": {**out.model, "settings": out.settings}}
        return SummaryResult(
            input=translated.input,
            source_language=translated.source_language,
            language_confidence=translated.language_confidence,
            title=translated.title,
            summary=out.summary,
            summarizer=kind,
            removed=removed,
            stripped=translated.stripped or [],
            stats=stats,
            models=models,
            settings={**translated.settings, **self.describe_settings(models), "summarizer": kind,
                      "max_length": max_length, "min_length": min_length},
            source_title=translated.source_title,
            flagged=[{"index": p.index, **f} for p in translated.paragraphs for f in p.flagged],
            restored=translated.restored or [],
            translation=translated,
        )

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


def _english(translated: TranslationResult) -> list[str]:
    """The cleaned English body; a headline-only document summarizes to its headline."""
    english = [p.translation for p in translated.paragraphs]
    return english or ([translated.title] if translated.title else [])
