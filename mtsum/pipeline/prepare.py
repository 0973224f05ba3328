"""A document prepared for translation: read, split, detected, cleaned and segmented once.

:func:`read_source` is the first stage (split, detect, and with cleaning clean),
which needs no model: ``mtsum clean`` stops there (:func:`clean_document`).
:func:`prepare_source` cuts what it read into the segments that go to a model, each
with its token count. Everything downstream (translation, assembly, summarizing) reads
what they made; nothing splits, detects, cleans, de-duplicates or counts again.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mtsum.detect import SUPPORTED, detect_paragraphs, paragraph_language
from mtsum.errors import UnsupportedLanguageError
from mtsum.text.segment import split_paragraphs

if TYPE_CHECKING:
    from mtsum.clean import CleanResult
    from mtsum.detect import Detection
    from mtsum.io.inputs import Document

# Cuts a paragraph in a language into (segment, its token count) pairs.
Segmenter = Callable[[str, str], list[tuple[str, int]]]


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


def clean_document(doc: Document, source: str = "auto") -> CleanResult:
    """Split, detect and clean *doc*, untranslated: what ``--clean`` would translate,
    with its input, language and the settings that decided.

    Raises:
        UnsupportedLanguageError: the detected language is not sv, de or en.
        ConfigError: a rules file is unreadable or malformed.
    """
    read = read_source(doc, source, clean=True)
    assert read.cleaned is not None  # read_source cleans when asked
    return dataclasses.replace(
        read.cleaned, input=doc.name, language_confidence=read.confidence,
        settings={"source": source, "input_format": doc.format, **cleaning_settings(read.language)},
    )


def cleaning_settings(language: str) -> dict[str, Any]:
    """What decides the cleaning of *language*: the line model (its file's fingerprint
    and decision threshold) and a user's rules folder."""
    from mtsum import settings
    from mtsum.clean import line_model

    model = line_model.current()
    return {
        "line_model": _fingerprint(str(line_model.MODEL_FILE)) if model is not None else None,
        "threshold": model.threshold_for(language) if model is not None else None,
        # Lines are no longer restored from HTML pages (it cost more precision than it
        # gained on held-out pages); the key stays, null, so the JSON keeps its shape.
        "restore_threshold": None,
        "rules_dir": settings.env(settings.RULES_DIR) or None,
    }


_fingerprints: dict[str, str] = {}


def _fingerprint(path: str) -> str:
    # The packaged model file does not change while mtsum runs: hashed once per process.
    if path not in _fingerprints:
        from mtsum.signature import file_hash

        _fingerprints[path] = file_hash(path, 16)
    return _fingerprints[path]


@dataclass(slots=True)
class PreparedParagraph:
    """One paragraph to translate: input position ``index``, translated from
    ``language`` as ``segments`` (empty for English), ``token_counts[k]`` the model's
    tokens in ``segments[k]``; ``duplicate_of`` an earlier identical paragraph's index.

    Slots and tuples: a 100 MB input has 400,000 of these alive at once."""

    index: int
    text: str
    language: str
    segments: tuple[str, ...]
    token_counts: tuple[int, ...]
    duplicate_of: int | None = None


@dataclass
class PreparedDocument:
    """One input on its way through the pipeline.

    ``paragraphs`` are the body paragraphs in order; with cleaning, ``title`` is the
    headline (apart from the body) and ``cleaned`` the cleaning's result: what was
    removed and why, and its stats.
    """

    doc: Document
    language: str
    confidence: float | None  # None when the language was forced
    paragraphs: list[PreparedParagraph]
    total_paragraphs: int
    title: PreparedParagraph | None = None
    cleaned: CleanResult | None = None
    started: float = field(default_factory=time.perf_counter)
    _counted: list[tuple[str, str, int]] | None = field(default=None, init=False, repr=False, compare=False)

    def translated(self) -> list[PreparedParagraph]:
        """The paragraphs that are translated, in order: the title first."""
        return ([self.title] if self.title is not None else []) + self.paragraphs

    def counted_segments(self) -> list[tuple[str, str, int]]:
        """``(language, segment, tokens)`` for every segment that goes to a model, in order
        (made once: the engine asks for them as it fills, translates and assembles a window)."""
        if self._counted is None:
            self._counted = [(p.language, seg, n) for p in self.translated()
                             for seg, n in zip(p.segments, p.token_counts, strict=True) if needs_model(seg)]
        return self._counted

    def model_segments(self) -> list[tuple[str, str]]:
        """``(language, segment)`` for every segment that goes to a model, in order."""
        return [(lang, seg) for lang, seg, _ in self.counted_segments()]


def prepare_source(source: SourceDocument, segment: Segmenter, *, all_english: bool = False,
                   started: float | None = None) -> PreparedDocument:
    """Cut what :func:`read_source` made into segments: each paragraph's language, its
    segments and their token counts (*segment*); *all_english* (``--source en``) passes
    every paragraph through. Duplicates are the cleaning's where it cleaned.

    Raises what *segment* raises (the translation model of a paragraph's language).
    """
    from mtsum.clean import normalize_paragraph
    from mtsum.clean.duplicates import repeats

    def paragraph(i: int, text: str, duplicate_of: int | None) -> PreparedParagraph:
        # --source en means "all English"; otherwise a German quote in an English
        # article is still translated.
        lang = "en" if all_english else paragraph_language(source.found[i], source.language)
        if lang == "en":
            return PreparedParagraph(i, text, lang, (), (), duplicate_of)
        # Cleaning keeps a paragraph's characters; soft hyphens, zero-width and bidi marks
        # mean nothing to a model, and split its words into pieces it never saw.
        pieces = segment(normalize_paragraph(text), lang)
        return PreparedParagraph(i, text, lang, tuple(p for p, _ in pieces), tuple(n for _, n in pieces),
                                 duplicate_of)

    cleaned = source.cleaned
    title = None
    if cleaned is None:
        indices = list(range(len(source.paragraphs)))
        body = zip(indices, source.paragraphs, repeats(source.paragraphs, indices, normalize_paragraph))
    else:
        if cleaned.title is not None and cleaned.title_index is not None:
            title = paragraph(cleaned.title_index, cleaned.title, None)
        body = zip(cleaned.kept_indices, cleaned.paragraphs, cleaned.repeat_of or [None] * len(cleaned.paragraphs))
    return PreparedDocument(
        doc=source.doc, language=source.language, confidence=source.confidence,
        paragraphs=[paragraph(i, text, dup) for i, text, dup in body], total_paragraphs=len(source.paragraphs),
        title=title, cleaned=cleaned, started=time.perf_counter() if started is None else started)


def needs_model(segment: str) -> bool:
    """Numbers and dashes pass through as they are: models only garble them."""
    return any(ch.isalpha() for ch in segment)
