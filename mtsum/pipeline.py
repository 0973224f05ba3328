"""The translation pipeline: paragraphs -> languages -> segments -> batches -> paragraphs.

A :class:`Pipeline` is one run: it holds the registry, the device, one translator per
language (each loads its model on first use) and the run's segment cache, so several
inputs share models and repeated segments.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .cache import SegmentCache
from .clean import clean_paragraphs, normalize_paragraph
from .config import ModelsConfig, load_models_config
from .detect import SUPPORTED, detect_language, paragraph_language
from .errors import ConfigError, UnsupportedLanguageError
from .inputs import Document
from .results import Paragraph, SummaryResult, SummaryStats, TranslationResult, TranslationStats
from .segment import split_long, split_paragraphs, split_sentences
from .translate import IdentityTranslator, MarianTranslator, Translator

if TYPE_CHECKING:
    from .summarize import Summarizer

log = logging.getLogger(__name__)

SOURCES = ("auto", "sv", "de", "en")


@dataclass
class Settings:
    """Run settings; each is recorded in the results it produces."""

    source: str = "auto"
    device: str | None = None  # None: MTSUM_DEVICE, else auto
    batch_size: int | None = None  # None: MTSUM_BATCH_SIZE, else 16
    dedupe: bool = False
    offline: bool | None = None
    progress: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def resolved_batch_size(self) -> int:
        if self.batch_size is not None:
            value: Any = self.batch_size
        else:
            value = os.environ.get("MTSUM_BATCH_SIZE", "16")
        try:
            size = int(value)
        except ValueError:
            raise ConfigError(f"batch size must be a positive integer, got '{value}'") from None
        if size < 1:
            raise ConfigError(f"batch size must be a positive integer, got {size}")
        return size


class Pipeline:
    """Translate documents with shared models and a shared segment cache."""

    def __init__(self, models: str | Path | ModelsConfig | None = None,
                 settings: Settings | None = None) -> None:
        self.config = models if isinstance(models, ModelsConfig) else load_models_config(models)
        self.settings = settings or Settings()
        if self.settings.source not in SOURCES:
            raise ConfigError(f"unknown source language '{self.settings.source}': use {', '.join(SOURCES)}")
        self.batch_size = self.settings.resolved_batch_size()
        self._device: str | None = None
        self._translators: dict[str, Translator] = {}
        self._summarizers: dict[str, Summarizer] = {}
        self.cache = SegmentCache()

    @property
    def device(self) -> str:
        if self._device is None:
            from .models import resolve_device

            self._device = resolve_device(self.settings.device)
        return self._device

    def translator(self, language: str) -> Translator:
        """The translator for ``language`` (English: identity), created once."""
        if language not in self._translators:
            if language == "en":
                self._translators[language] = IdentityTranslator()
            else:
                spec = self.config.translation_spec(language)
                self._translators[language] = MarianTranslator(
                    spec, language, self.device, self.batch_size,
                    offline=self.settings.offline, progress=self.settings.progress,
                )
        return self._translators[language]

    def document_language(self, text: str, name: str = "") -> tuple[str, float | None]:
        """The language to translate from, and lingua's confidence (None if forced).

        Raises:
            UnsupportedLanguageError: detected language is not sv, de or en.
        """
        if self.settings.source != "auto":
            return self.settings.source, None
        found = detect_language(text)
        if found.language not in SUPPORTED:
            raise UnsupportedLanguageError(found.language, found.confidence, name)
        return found.language, found.confidence

    def translate(self, text: str, name: str = "<text>") -> TranslationResult:
        """Translate one document, every paragraph in order."""
        start = time.perf_counter()
        paras = split_paragraphs(text)
        return self._translate(paras, list(range(len(paras))), name,
                               self.document_language(text, name), start)

    def translate_document(self, doc: Document, clean: bool = False) -> TranslationResult:
        """Translate a read input; with ``clean``, boilerplate, captions and
        duplicates are dropped first (and listed in ``result.removed``)."""
        if not clean:
            return self.translate(doc.text, doc.name)
        start = time.perf_counter()
        paras = split_paragraphs(doc.text)
        language = self.document_language(doc.text, doc.name)
        cleaned = clean_paragraphs(paras, language[0])
        texts, indices = list(cleaned.paragraphs), list(cleaned.kept_indices)
        if cleaned.title is not None and cleaned.title_index is not None:
            texts.insert(0, cleaned.title)
            indices.insert(0, cleaned.title_index)
        result = self._translate(texts, indices, doc.name, language, start)
        if cleaned.title is not None:
            result.title = result.paragraphs.pop(0).translation
            result.source_title = cleaned.title
        result.removed = [asdict(r) for r in cleaned.removed]
        result.stripped = [asdict(s) for s in cleaned.stripped]
        result.stats.paragraphs = len(paras)
        return result

    def _translate(self, paras: list[str], indices: list[int], name: str,
                   language: tuple[str, float | None], start: float) -> TranslationResult:
        doc_lang, confidence = language
        first_seen: dict[str, int] = {}
        duplicate_of: list[int | None] = []
        languages: list[str] = []
        pieces: list[list[str]] = []
        for i, para in zip(indices, paras):
            key = normalize_paragraph(para)
            dup = first_seen.get(key)
            if dup is None:
                first_seen[key] = i
            duplicate_of.append(dup)
            # --source en means "all English"; otherwise a German quote in an English
            # article is still translated.
            lang = "en" if self.settings.source == "en" else paragraph_language(para, doc_lang)
            languages.append(lang)
            pieces.append([] if lang == "en" else self.segments(para, lang))

        stats = TranslationStats(paragraphs=len(paras))
        todo: dict[str, list[str]] = {}
        unique: set[tuple[str, str]] = set()
        for lang, segs in zip(languages, pieces):
            for seg in filter(_needs_model, segs):
                stats.segments += 1
                if (lang, seg) in unique:
                    continue
                unique.add((lang, seg))
                if self.cache.get(lang, seg) is None:
                    todo.setdefault(lang, []).append(seg)
        stats.unique_segments = len(unique)

        for lang, segs in todo.items():
            for seg, out in zip(segs, self.translator(lang).translate_batch(segs)):
                self.cache.put(lang, seg, out)
            stats.segments_translated += len(segs)

        result_paras = [
            Paragraph(
                index=i, source=para, language=lang,
                translation=para if lang == "en" else " ".join(
                    self.cache.get(lang, s) or "" if _needs_model(s) else s for s in segs
                ),
                duplicate_of=dup,
            )
            for i, para, lang, segs, dup in zip(indices, paras, languages, pieces, duplicate_of)
        ]
        stats.seconds = time.perf_counter() - start
        used = sorted({lang for lang in languages if lang != "en"})
        return TranslationResult(
            input=name,
            source_language=doc_lang,
            language_confidence=confidence,
            paragraphs=result_paras,
            stats=stats,
            models={lang: self.translator(lang).describe() for lang in used},
            settings=self.describe_settings(),
        )

    def segments(self, paragraph: str, language: str) -> list[str]:
        """The pieces of ``paragraph`` sent to the model: sentences, and over-long
        sentences cut to the model's input limit."""
        translator = self.translator(language)
        out: list[str] = []
        for sentence in split_sentences(paragraph, language):
            out.extend(split_long(sentence, translator.count_tokens, translator.max_input_tokens))
        return out

    def summarizer(self, kind: str = "bart") -> Summarizer:
        """The summarizer of this run (``bart`` or ``extractive``), created once."""
        if kind not in self._summarizers:
            if kind == "extractive":
                from .extractive import ExtractiveSummarizer

                self._summarizers[kind] = ExtractiveSummarizer()
            elif kind == "bart":
                from .summarize import BartSummarizer

                if self.config.summarization is None:
                    raise ConfigError(f"{self.config.path}: no summarization model configured "
                                      "(add summarization.model, or use --summarizer extractive)")
                self._summarizers[kind] = BartSummarizer(
                    self.config.summarization, self.settings.device, offline=self.settings.offline)
            else:
                raise ConfigError(f"unknown summarizer '{kind}': use bart or extractive")
        return self._summarizers[kind]

    def summarize_document(self, doc: Document, summarizer: str = "bart",
                           max_length: int | None = None, min_length: int | None = None) -> SummaryResult:
        """Clean, translate and summarize one document.

        Raises:
            InputError: nothing is left to summarize after cleaning.
            plus everything :meth:`translate_document` raises.
        """
        start = time.perf_counter()
        engine = self.summarizer(summarizer)  # fail on a bad choice before translating
        translated = self.translate_document(doc, clean=True)
        english = [p.translation for p in translated.paragraphs]
        if not english and translated.title:
            english = [translated.title]  # a headline-only document summarizes to itself
        out = engine.summarize(english, max_length=max_length, min_length=min_length)
        removed = translated.removed or []
        reasons = [r["reason"] for r in removed]
        stats = SummaryStats(
            paragraphs=translated.stats.paragraphs,
            boilerplate_removed=reasons.count("boilerplate"),
            captions_removed=reasons.count("caption"),
            duplicates_collapsed=reasons.count("duplicate"),
            kept_paragraphs=len(translated.paragraphs),
            segments_translated=translated.stats.segments_translated,
            chunks=out.chunks,
            rounds=out.rounds,
            seconds=time.perf_counter() - start,
        )
        return SummaryResult(
            input=doc.name,
            source_language=translated.source_language,
            language_confidence=translated.language_confidence,
            title=translated.title,
            summary=out.summary,
            summarizer=summarizer,
            removed=removed,
            stripped=translated.stripped or [],
            stats=stats,
            models={**translated.models, "summarization": {**out.model, "settings": out.settings}},
            settings={**translated.settings, "summarizer": summarizer,
                      "max_length": max_length, "min_length": min_length},
            source_title=translated.source_title,
        )

    def describe_settings(self) -> dict[str, Any]:
        return {
            "source": self.settings.source,
            "device": self._device or self.settings.device or "auto",
            "batch_size": self.batch_size,
            "dedupe": self.settings.dedupe,
            "models_file": str(self.config.path),
            **self.settings.extra,
        }


def _needs_model(segment: str) -> bool:
    """Numbers and dashes pass through as they are: models only garble them."""
    return any(ch.isalpha() for ch in segment)
