"""mtsum: read Swedish and German news in English.

A short tour (each function takes the keyword arguments of its CLI command):

    >>> import mtsum
    >>> result = mtsum.summarize_text(open("artikel.txt").read())   # mtsum summarize
    >>> result.title, result.summary, result.source_language
    >>> mtsum.translate_text(text, clean=True, backend="ctranslate2")  # mtsum translate
    >>> mtsum.clean_text(html)                                    # mtsum clean, no model
    >>> mtsum.detect_language(text)                               # mtsum detect

Many documents share models, batches and the cache through one :class:`Pipeline`
(``Pipeline(models, Settings(device="cuda")).summarize_many(docs)``); a folder of
articles becomes a digest with :func:`build_digest`, a corpus a resumable batch with
:func:`run_batch`. Results are dataclasses (:class:`TranslationResult`,
:class:`SummaryResult`, :class:`CleanResult`) that carry the settings and model
revisions that made them; ``to_dict()`` is the documented JSON.

Every error is an :class:`MtsumError` whose message says how to fix it, with the CLI's
exit code in ``exit_code``. Importing mtsum is cheap: nothing here loads torch,
transformers or a model until it is used (see docs/architecture.md).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mtsum.errors import (
    ArticlesFailedError,
    BackendOOMError,
    ConfigError,
    InputError,
    Interrupted,
    MissingDependencyError,
    ModelLoadError,
    ModelUnavailableError,
    MtsumError,
    OutputError,
    StateError,
    StateLockedError,
    UnconfiguredLanguageError,
    UnsupportedLanguageError,
)
from mtsum.version import __version__ as __version__

if TYPE_CHECKING:
    from mtsum.batch import BatchReport, run_batch
    from mtsum.clean import CleanResult, Removal, clean_paragraphs
    from mtsum.config import ModelsConfig, load_models_config
    from mtsum.detect import Detection, detect_language
    from mtsum.digest import DigestReport, build_digest
    from mtsum.pipeline.core import Pipeline, Settings
    from mtsum.results import SummaryResult, TranslationResult
    from mtsum.text.segment import split_paragraphs, split_sentences
    from mtsum.translation.cache import CacheUnavailable


# Public names that live in heavier modules, imported on first access (PEP 562), so
# that ``import mtsum`` stays cheap and loads no translation machinery.
_LAZY = {
    "Pipeline": "mtsum.pipeline.core",
    "Settings": "mtsum.pipeline.core",
    "ModelsConfig": "mtsum.config",
    "load_models_config": "mtsum.config",
    "Detection": "mtsum.detect",
    "detect_language": "mtsum.detect",
    "split_paragraphs": "mtsum.text.segment",
    "split_sentences": "mtsum.text.segment",
    "CleanResult": "mtsum.clean",
    "Removal": "mtsum.clean",
    "clean_paragraphs": "mtsum.clean",
    "TranslationResult": "mtsum.results",
    "SummaryResult": "mtsum.results",
    "DigestReport": "mtsum.digest",
    "build_digest": "mtsum.digest",
    "BatchReport": "mtsum.batch",
    "run_batch": "mtsum.batch",
    "CacheUnavailable": "mtsum.translation.cache",
}

__all__ = [
    "ArticlesFailedError",
    "BackendOOMError",
    "BatchReport",
    "CacheUnavailable",
    "CleanResult",
    "ConfigError",
    "Detection",
    "DigestReport",
    "InputError",
    "Interrupted",
    "MissingDependencyError",
    "ModelLoadError",
    "ModelUnavailableError",
    "ModelsConfig",
    "MtsumError",
    "OutputError",
    "Pipeline",
    "Removal",
    "Settings",
    "StateError",
    "StateLockedError",
    "SummaryResult",
    "TranslationResult",
    "UnconfiguredLanguageError",
    "UnsupportedLanguageError",
    "build_digest",
    "clean_paragraphs",
    "clean_text",
    "detect_language",
    "load_models_config",
    "run_batch",
    "split_paragraphs",
    "split_sentences",
    "summarize_text",
    "translate_text",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'mtsum' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


def translate_text(
    text: str,
    source: str = "auto",
    models: str | Path | ModelsConfig | None = None,
    device: str | None = None,
    batch_size: int | None = None,
    dedupe: bool = False,
    clean: bool = False,
    input_format: str = "auto",
    *,
    max_batch_tokens: int | None = None,
    backend: str | None = None,
    compute_type: str | None = None,
    cache: str | Path | bool | None = None,
    offline: bool | None = None,
    **unknown: Any,
) -> TranslationResult:
    """Translate Swedish or German text to English, paragraph by paragraph (``mtsum translate``).

    Args:
        text: the document; paragraphs separated by blank lines, or one per line, or
            an HTML page (see *input_format*).
        source: ``auto`` (detect), ``sv``, ``de`` or ``en`` (pass through).
        models: a models.yaml path or a loaded :class:`ModelsConfig` (default:
            ``MTSUM_MODELS``, else the packaged registry).
        device: ``auto``, ``cpu``, ``cuda`` or ``cuda:N`` (default: ``MTSUM_DEVICE``).
        batch_size, max_batch_tokens: caps on a batch, in segments and padded tokens.
        dedupe: leave repeated paragraphs out of ``result.text``.
        clean: drop boilerplate, captions and duplicates before translating.
        input_format: ``auto`` (HTML when the text starts like a page: ``<!DOCTYPE
            html`` or ``<html``, as the CLI decides), ``text`` or ``html``.
        backend: ``auto``, ``transformers`` or ``ctranslate2``; compute_type: ``int8``…
        cache: a cache file, or False for none (default: ``MTSUM_CACHE``, else the user cache).
        offline: never contact the Hugging Face hub (default: ``HF_HUB_OFFLINE``).

    Raises:
        UnsupportedLanguageError: the text is not Swedish, German or English.
        ModelUnavailableError: a model is not cached and cannot be fetched.
        InputError: empty text, or HTML with no extractable text.
        ConfigError: a bad models.yaml, device, input format, or an unknown keyword.
    """
    _refuse(unknown, "translate_text")
    from mtsum.pipeline.core import Pipeline, Settings

    doc = _document(text, input_format)
    settings = Settings(source=source, device=device, batch_size=batch_size, max_batch_tokens=max_batch_tokens,
                        backend=backend, compute_type=compute_type, cache=cache, dedupe=dedupe, offline=offline)
    return Pipeline(models, settings).translate_document(doc, clean=clean)


def summarize_text(
    text: str,
    source: str = "auto",
    models: str | Path | ModelsConfig | None = None,
    device: str | None = None,
    summarizer: str = "bart",
    max_length: int | None = None,
    min_length: int | None = None,
    input_format: str = "auto",
    *,
    batch_size: int | None = None,
    max_batch_tokens: int | None = None,
    backend: str | None = None,
    compute_type: str | None = None,
    cache: str | Path | bool | None = None,
    offline: bool | None = None,
    **unknown: Any,
) -> SummaryResult:
    """Clean, translate and summarize one article (``mtsum summarize``): title, summary,
    and every removal with its reason.

    ``summarizer`` is ``bart`` (abstractive; map-reduce over chunks for long articles)
    or ``extractive`` (TextRank over the cleaned English; needs no summarization
    model). ``max_length``/``min_length`` bound the summary in model tokens. The other
    arguments are as for :func:`translate_text`.

    Raises:
        InputError: nothing is left to summarize after cleaning.
        UnsupportedLanguageError, ModelUnavailableError, ConfigError: as translate_text.
    """
    _refuse(unknown, "summarize_text")
    from mtsum.pipeline.core import Pipeline, Settings

    doc = _document(text, input_format)
    settings = Settings(source=source, device=device, batch_size=batch_size, max_batch_tokens=max_batch_tokens,
                        backend=backend, compute_type=compute_type, cache=cache, offline=offline)
    return Pipeline(models, settings).summarize_document(doc, summarizer, max_length=max_length,
                                                         min_length=min_length)


def clean_text(text: str, source: str = "auto", input_format: str = "auto", **unknown: Any) -> CleanResult:
    """Clean one article in its own language, untranslated, with no model (``mtsum clean``):
    the headline, the kept paragraphs, and every removal with its reason and rule.
    ``input_format`` is as for :func:`translate_text` (an HTML page is reduced to its
    main text first).

    Raises:
        InputError: the text is empty, or HTML with no extractable text.
        UnsupportedLanguageError: the text is not Swedish, German or English.
        ConfigError: an unknown input format or keyword; a rules file is unreadable or malformed.
    """
    _refuse(unknown, "clean_text")
    from mtsum.pipeline.prepare import clean_document

    return clean_document(_document(text, input_format), source)


def _document(text: str, input_format: str) -> Any:
    from mtsum.io.inputs import text_document

    return text_document(text, "<text>", input_format)


def _refuse(unknown: dict[str, Any], function: str) -> None:
    """An unknown keyword is a ConfigError naming the function's real ones, not a TypeError."""
    if unknown:
        import inspect

        known = [p for p in inspect.signature(globals()[function]).parameters if p not in ("text", "unknown")]
        raise ConfigError(f"unknown setting(s) {', '.join(map(repr, sorted(unknown)))} for {function}(): "
                          f"use {', '.join(known)}")
