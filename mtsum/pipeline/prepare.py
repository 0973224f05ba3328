"""A document prepared for translation: read, split, detected and segmented once.

:func:`read_source` is the first stage (split, detect, and with cleaning clean),
which needs no model: ``mtsum clean`` stops there. Everything downstream
(segmentation, translation, assembly, summarizing) reads what it made; nothing splits
or detects again.
"""

from __future__ import annotations

import functools
import hashlib
import os
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mtsum.detect import SUPPORTED, detect_paragraphs
from mtsum.errors import UnsupportedLanguageError
from mtsum.text.segment import split_paragraphs

if TYPE_CHECKING:
    from mtsum.clean import CleanResult
    from mtsum.detect import Detection
    from mtsum.io.inputs import Document
    from mtsum.results import CleaningResult


@dataclass
class SourceDocument:
    """A document split into paragraphs, its language found, and cleaned if asked.

    ``paragraphs`` are the input paragraphs (for HTML, the extraction's), ``found[i]``
    the detection of ``paragraphs[i]`` (None where the language was forced or the
    paragraph is too short to judge), ``cleaned`` the cleaning's result.
    """

    doc: Document
    language: str
    confidence: float | None  # None when the language was forced
    paragraphs: list[str]
    found: list[Detection | None]
    cleaned: CleanResult | None = None


def read_source(doc: Document, source: str = "auto", clean: bool = False) -> SourceDocument:
    """Split *doc*, find its language (or take *source*), and clean it with *clean*.

    Raises:
        UnsupportedLanguageError: the detected language is not sv, de or en.
        ConfigError: a rules file is unreadable or malformed (cleaning only).
    """
    from mtsum.clean import clean_paragraphs
    from mtsum.clean.extracted import clean_extracted

    paras = split_paragraphs(doc.text)
    found: list[Detection | None]
    if source != "auto":
        language, confidence, found = source, None, [None] * len(paras)
    else:
        detection, found = detect_paragraphs(paras)
        if detection.language not in SUPPORTED:
            raise UnsupportedLanguageError(detection.language, detection.confidence, doc.name)
        language, confidence = detection.language, detection.confidence
    if not clean:
        return SourceDocument(doc, language, confidence, paras, found)
    # HTML: trafilatura chose the article; only the cleaning steps that pay for
    # themselves after it run (mtsum.clean.extracted).
    cleaned = clean_extracted(paras, language) if doc.format == "html" else clean_paragraphs(paras, language)
    return SourceDocument(doc, language, confidence, paras, found, cleaned)


def clean_document(doc: Document, source: str = "auto") -> CleaningResult:
    """Split, detect and clean *doc*, untranslated: what ``--clean`` would translate.

    Raises:
        UnsupportedLanguageError: the detected language is not sv, de or en.
        ConfigError: a rules file is unreadable or malformed.
    """
    from mtsum.results import CleaningResult

    read = read_source(doc, source, clean=True)
    cleaned = read.cleaned
    assert cleaned is not None  # read_source cleans when asked
    return CleaningResult(
        input=doc.name, source_language=read.language, language_confidence=read.confidence, cleaned=cleaned,
        settings={"source": source, "input_format": doc.format, **cleaning_settings(read.language)},
    )


def cleaning_settings(language: str) -> dict[str, Any]:
    """What decides the cleaning of *language*: the line model (its file's fingerprint
    and decision threshold) and a user's rules folder."""
    from mtsum.clean import RULES_DIR_ENV, line_model

    model = line_model.current()
    return {
        "line_model": _fingerprint(str(line_model.MODEL_FILE)) if model is not None else None,
        "threshold": model.threshold_for(language) if model is not None else None,
        # Lines are no longer restored from HTML pages (it cost more precision than it
        # gained on held-out pages); the key stays, null, so the JSON keeps its shape.
        "restore_threshold": None,
        "rules_dir": os.environ.get(RULES_DIR_ENV) or None,
    }


@functools.lru_cache(maxsize=4)
def _fingerprint(path: str) -> str:
    with open(path, "rb") as f:
        return "sha256:" + hashlib.sha256(f.read()).hexdigest()[:16]


@dataclass
class PreparedDocument:
    """One input on its way through the pipeline.

    ``paragraphs[i]`` (input position ``indices[i]``) is translated from
    ``languages[i]`` as the segments ``segments[i]`` (empty for English). With
    cleaning, ``cleaned`` holds what was removed and the title is ``paragraphs[0]``
    when ``has_title``.
    """

    doc: Document
    language: str
    confidence: float | None  # None when the language was forced
    paragraphs: list[str]
    indices: list[int]
    languages: list[str]
    duplicate_of: list[int | None]
    segments: list[list[str]]
    total_paragraphs: int
    cleaned: CleanResult | None = None
    has_title: bool = False
    started: float = field(default_factory=time.perf_counter)

    def model_segments(self) -> list[tuple[str, str]]:
        """``(language, segment)`` for every segment that goes to a model, in order."""
        return [(lang, seg) for lang, segs in zip(self.languages, self.segments)
                for seg in segs if needs_model(seg)]


def needs_model(segment: str) -> bool:
    """Numbers and dashes pass through as they are: models only garble them."""
    return any(ch.isalpha() for ch in segment)
