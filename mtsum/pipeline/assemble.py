"""Results from prepared documents and their translations: the last stage of the pipeline.

:func:`assemble` puts a document's translated segments back into paragraphs (the title
apart, as preparation kept it) with its stats; :func:`summary_result` makes a summary's
result from the translation it was made from, its stats from the cleaning's own.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from mtsum.pipeline.prepare import PreparedDocument, PreparedParagraph, needs_model
from mtsum.results import Paragraph, SummaryResult, SummaryStats, TranslationResult, TranslationStats

if TYPE_CHECKING:
    from mtsum.summarization.bart import SummaryOutput
    from mtsum.translation.translator import Translation

log = logging.getLogger(__name__)

# The run's settings for the models that ran (Pipeline.describe_settings).
Describe = Callable[[dict[str, dict[str, Any]]], dict[str, Any]]


class _Tally:
    """A document's translation stats, each unique segment counted once."""

    def __init__(self, stats: TranslationStats, translated_now: set[tuple[str, str]]) -> None:
        self.stats = stats
        self.translated_now = translated_now
        self.unique: set[tuple[str, str]] = set()

    def count(self, key: tuple[str, str], out: Translation) -> None:
        self.stats.segments += 1
        if key in self.unique:
            return
        self.unique.add(key)
        if out.cached:
            self.stats.cache_hits += 1
        elif key in self.translated_now:
            self.translated_now.discard(key)  # counted once, for its first document
            self.stats.segments_translated += 1


def assemble(prepared: PreparedDocument, memo: Mapping[tuple[str, str], Translation],
             translated_now: set[tuple[str, str]], models: dict[str, dict[str, Any]],
             describe: Describe) -> TranslationResult:
    """*prepared*'s result from the translations in *memo*; *translated_now* are the
    segments a model translated in this window (the first document that has one counts
    it); *models* describe the translators of the languages used."""
    tally = _Tally(TranslationStats(paragraphs=prepared.total_paragraphs), translated_now)
    title = None if prepared.title is None else _paragraph(prepared.title, memo, tally)
    body = [_paragraph(p, memo, tally) for p in prepared.paragraphs]
    done = ([title] if title is not None else []) + body
    tally.stats.unique_segments = len(tally.unique)
    tally.stats.flagged_segments = sum(len(p.flagged) for p in done)
    for flagged in (p for p in done if p.flagged):
        log.warning("%s: paragraph %d: %d segment(s) look degenerate (%s); kept, marked in the JSON",
                    prepared.doc.name, flagged.index, len(flagged.flagged),
                    ", ".join(sorted({f["reason"] for f in flagged.flagged})))
    cleaned = prepared.cleaned
    result = TranslationResult(
        input=prepared.doc.name, source_language=prepared.language,
        language_confidence=prepared.confidence, paragraphs=body, stats=tally.stats,
        models=models, settings=describe(models), cleaned=cleaned)
    if cleaned is not None and title is not None:
        result.title, result.source_title = title.translation, cleaned.title
    tally.stats.seconds = time.perf_counter() - prepared.started
    return result


def _paragraph(para: PreparedParagraph, memo: Mapping[tuple[str, str], Translation], tally: _Tally) -> Paragraph:
    pieces: list[str] = []
    flags: list[dict[str, Any]] = []
    for k, seg in enumerate(para.segments):
        if not needs_model(seg):
            pieces.append(seg)
            continue
        out = memo[(para.language, seg)]
        pieces.append(out.text)
        if out.flag:
            flags.append({"segment": k, "reason": out.flag, "source": seg})
        tally.count((para.language, seg), out)
    return Paragraph(index=para.index, source=para.text, language=para.language,
                     translation=para.text if para.language == "en" else " ".join(pieces),
                     duplicate_of=para.duplicate_of, flagged=flags)


def english(translated: TranslationResult) -> list[str]:
    """The cleaned English body, normalized for the summarizer (an English paragraph
    passes through translation with its soft hyphens); a headline-only document
    summarizes to its headline."""
    from mtsum.clean import normalize_paragraph  # numpy and the rules: not at import time

    body = [text for p in translated.paragraphs if (text := normalize_paragraph(p.translation))]
    return body or ([normalize_paragraph(translated.title)] if translated.title else [])


def summary_result(translated: TranslationResult, out: SummaryOutput, kind: str, max_length: int | None,
                   min_length: int | None, seconds: float, describe: Describe) -> SummaryResult:
    """The summary *out* of *translated* by the summarizer *kind*, its settings and stats."""
    cleaned = translated.cleaned
    removed = cleaned.stats if cleaned is not None else {}
    stats = SummaryStats(
        paragraphs=translated.stats.paragraphs,
        boilerplate_removed=removed.get("boilerplate_removed", 0),
        captions_removed=removed.get("captions_removed", 0),
        duplicates_collapsed=removed.get("duplicates_collapsed", 0),
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
        removed=list(cleaned.removed) if cleaned is not None else [],
        stripped=list(cleaned.stripped) if cleaned is not None else [],
        stats=stats,
        models=models,
        settings={**translated.settings, **describe(models), "summarizer": kind,
                  "max_length": max_length, "min_length": min_length},
        source_title=translated.source_title,
        flagged=[{"index": p.index, **f} for p in translated.paragraphs for f in p.flagged],
        restored=list(cleaned.restored) if cleaned is not None else [],
        translation=translated,
    )
