"""mtsum: read Swedish and German news in English.

Detects the language, translates with MarianMT (Helsinki-NLP opus-mt), collapses
repeated and boilerplate paragraphs and summarizes with BART. Importing mtsum is
cheap: torch and transformers load on first use.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import ModelsConfig, load_models_config
from .detect import Detection, detect_language
from .errors import (
    ConfigError,
    InputError,
    MissingDependencyError,
    ModelLoadError,
    ModelUnavailableError,
    MtsumError,
    UnsupportedLanguageError,
)
from .text.segment import split_paragraphs, split_sentences

if TYPE_CHECKING:
    from .clean import CleanResult
    from .results import CleaningResult, SummaryResult, TranslationResult

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
    **settings: Any,
) -> TranslationResult:
    """Translate Swedish or German text to English, paragraph by paragraph.

    Args:
        text: the document; paragraphs separated by blank lines, or one per line.
        source: ``auto`` (detect), ``sv``, ``de`` or ``en`` (pass through).
        models: a models.yaml path or a loaded :class:`ModelsConfig` (default:
            ``MTSUM_MODELS``, else the packaged registry).
        device: ``auto``, ``cpu``, ``cuda`` or ``cuda:N``.
        batch_size: segments per generate() call.
        dedupe: leave repeated paragraphs out of ``result.text``.

    Raises:
        UnsupportedLanguageError: the text is not Swedish, German or English.
        ModelUnavailableError: a model is not cached and cannot be fetched.
        ConfigError: a bad models.yaml, device or setting.
    """
    from .pipeline import Pipeline, Settings

    pipeline = Pipeline(models, Settings(source=source, device=device, batch_size=batch_size,
                                         dedupe=dedupe, **settings))
    return pipeline.translate(text)


def summarize_text(
    text: str,
    source: str = "auto",
    models: str | Path | ModelsConfig | None = None,
    device: str | None = None,
    summarizer: str = "bart",
    max_length: int | None = None,
    min_length: int | None = None,
    **settings: Any,
) -> SummaryResult:
    """Clean, translate and summarize one article; returns title, summary and what was removed.

    ``summarizer`` is ``bart`` (abstractive; map-reduce over chunks for long articles)
    or ``extractive`` (TextRank over the cleaned English; needs no summarization
    model). ``max_length``/``min_length`` bound the summary in model tokens.

    Raises:
        InputError: nothing is left to summarize after cleaning.
        UnsupportedLanguageError, ModelUnavailableError, ConfigError: as translate_text.
    """
    from .inputs import Document
    from .pipeline import Pipeline, Settings

    pipeline = Pipeline(models, Settings(source=source, device=device, **settings))
    return pipeline.summarize_document(Document("<text>", text, "text"), summarizer,
                                       max_length=max_length, min_length=min_length)


def clean_paragraphs(paragraphs: list[str], language: str) -> CleanResult:
    """Drop boilerplate, captions and duplicates from one document's paragraphs.

    See :func:`mtsum.clean.clean_paragraphs` (rules files, user extensions).
    """
    from .clean import clean_paragraphs as _clean

    return _clean(paragraphs, language)


def clean_text(text: str, source: str = "auto") -> CleaningResult:
    """Clean one plain-text article in its own language, untranslated, with no model:
    the headline, the kept paragraphs, and every removal with its reason and rule.

    Raises:
        InputError: the text is empty.
        UnsupportedLanguageError: the text is not Swedish, German or English.
        ConfigError: a rules file is unreadable or malformed.
    """
    from .document import clean_document
    from .errors import InputError
    from .inputs import Document

    if not text.strip():
        raise InputError("<text>: empty input (nothing to clean)")
    return clean_document(Document("<text>", text, "text"), source)

