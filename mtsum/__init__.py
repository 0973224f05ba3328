"""mtsum: read Swedish and German news in English.

Detects the language, translates with MarianMT (Helsinki-NLP opus-mt), collapses
repeated and boilerplate paragraphs and summarizes with BART. Importing mtsum is
cheap: torch and transformers load on first use.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from mtsum.config import ModelsConfig, load_models_config
from mtsum.detect import Detection, detect_language
from mtsum.errors import (
    ConfigError,
    InputError,
    MissingDependencyError,
    ModelLoadError,
    ModelUnavailableError,
    MtsumError,
    UnsupportedLanguageError,
)
from mtsum.text.segment import split_paragraphs, split_sentences

if TYPE_CHECKING:
    from mtsum.clean import CleanResult
    from mtsum.results import CleaningResult, SummaryResult, TranslationResult

try:
    from importlib.metadata import version as _version

    __version__ = _version("mtsum")
except Exception:
    __version__ = "0+unknown"

__all__ = [
    "ConfigError",
    "Detection",
    "InputError",
    "MissingDependencyError",
    "ModelLoadError",
    "ModelUnavailableError",
    "ModelsConfig",
    "MtsumError",
    "UnsupportedLanguageError",
    "clean_paragraphs",
    "clean_text",
    "detect_language",
    "load_models_config",
    "split_paragraphs",
    "split_sentences",
    "summarize_text",
    "translate_text",
]


def translate_text(
    text: str,
    source: str = "auto",
    models: str | Path | ModelsConfig | None = None,
    device: str | None = None,
    batch_size: int | None = None,
    dedupe: bool = False,
    clean: bool = False,
    input_format: str = "auto",
    **settings: Any,
) -> TranslationResult:
    """Translate Swedish or German text to English, paragraph by paragraph.

    Args:
        text: the document; paragraphs separated by blank lines, or one per line, or
            an HTML page (see *input_format*).
        source: ``auto`` (detect), ``sv``, ``de`` or ``en`` (pass through).
        models: a models.yaml path or a loaded :class:`ModelsConfig` (default:
            ``MTSUM_MODELS``, else the packaged registry).
        device: ``auto``, ``cpu``, ``cuda`` or ``cuda:N``.
        batch_size: segments per generate() call.
        dedupe: leave repeated paragraphs out of ``result.text``.
        clean: drop boilerplate, captions and duplicates before translating (``--clean``).
        input_format: ``auto`` (HTML when the text starts like a page: ``<!DOCTYPE
            html`` or ``<html``, as the CLI decides), ``text`` or ``html``.
        settings: the other run settings of :class:`mtsum.pipeline.core.Settings`
            (``backend``, ``compute_type``, ``max_batch_tokens``, ``cache``, ``offline``).

    Raises:
        UnsupportedLanguageError: the text is not Swedish, German or English.
        ModelUnavailableError: a model is not cached and cannot be fetched.
        InputError: empty text, or HTML with no extractable text.
        ConfigError: a bad models.yaml, device, input format or setting.
    """
    from mtsum.pipeline.core import Pipeline

    doc = _document(text, input_format)
    pipeline = Pipeline(models, _settings(source=source, device=device, batch_size=batch_size,
                                          dedupe=dedupe, **settings))
    return pipeline.translate_document(doc, clean=clean)


def summarize_text(
    text: str,
    source: str = "auto",
    models: str | Path | ModelsConfig | None = None,
    device: str | None = None,
    summarizer: str = "bart",
    max_length: int | None = None,
    min_length: int | None = None,
    input_format: str = "auto",
    **settings: Any,
) -> SummaryResult:
    """Clean, translate and summarize one article; returns title, summary and what was removed.

    ``summarizer`` is ``bart`` (abstractive; map-reduce over chunks for long articles)
    or ``extractive`` (TextRank over the cleaned English; needs no summarization
    model). ``max_length``/``min_length`` bound the summary in model tokens.
    ``input_format`` and the other settings are as for :func:`translate_text`.

    Raises:
        InputError: nothing is left to summarize after cleaning.
        UnsupportedLanguageError, ModelUnavailableError, ConfigError: as translate_text.
    """
    from mtsum.pipeline.core import Pipeline

    doc = _document(text, input_format)
    pipeline = Pipeline(models, _settings(source=source, device=device, **settings))
    return pipeline.summarize_document(doc, summarizer, max_length=max_length, min_length=min_length)


def clean_paragraphs(paragraphs: list[str], language: str) -> CleanResult:
    """Drop boilerplate, captions and duplicates from one document's paragraphs.

    See :func:`mtsum.clean.clean_paragraphs` (rules files, user extensions).
    """
    from mtsum.clean import clean_paragraphs as _clean

    return _clean(paragraphs, language)


def clean_text(text: str, source: str = "auto", input_format: str = "auto") -> CleaningResult:
    """Clean one article in its own language, untranslated, with no model: the
    headline, the kept paragraphs, and every removal with its reason and rule.
    ``input_format`` is as for :func:`translate_text` (an HTML page is reduced to its
    main text first, as ``mtsum clean`` does).

    Raises:
        InputError: the text is empty, or HTML with no extractable text.
        UnsupportedLanguageError: the text is not Swedish, German or English.
        ConfigError: an unknown input format; a rules file is unreadable or malformed.
    """
    from mtsum.pipeline.prepare import clean_document

    return clean_document(_document(text, input_format), source)


def _document(text: str, input_format: str) -> Any:
    from mtsum.io.inputs import text_document

    return text_document(text, "<text>", input_format)


def _settings(**values: Any) -> Any:
    """Run settings from keyword arguments; an unknown one is a ConfigError, not a TypeError."""
    import dataclasses

    from mtsum.pipeline.core import Settings

    known = [f.name for f in dataclasses.fields(Settings)]
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise ConfigError(f"unknown setting(s) {', '.join(map(repr, unknown))}: use {', '.join(known)}")
    return Settings(**values)
