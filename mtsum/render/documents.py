"""One document's result as text, Markdown or JSON: ``mtsum translate``, ``summarize``,
``clean`` and ``detect``.

Each renderer yields chunks; a sink writes them as they come (stdout flushes each, so a
long translation shows a paragraph at a time). The chunks joined are the output; the
sink adds the final newline.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from mtsum.render.json import json_line

if TYPE_CHECKING:
    from mtsum.clean import CleanResult
    from mtsum.detect import Detection
    from mtsum.results import SummaryResult, TranslationResult

#: File name endings of ``-o DIR`` outputs, per ``--format``.
SUFFIXES = {"text": ".txt", "json": ".json", "markdown": ".md"}
CLEANING_SUFFIXES = {"text": ".clean.txt", "json": ".clean.json", "marked": ".clean.txt"}


def by_paragraph(parts: list[str]) -> Iterator[str]:
    """``parts`` joined by blank lines, a chunk per part (never the whole text at once:
    a 100 MB translation would be held twice)."""
    for i, part in enumerate(parts):
        yield ("\n\n" if i else "") + part


def translation(result: TranslationResult, fmt: str) -> Iterator[str]:
    """``text`` (the English text), ``markdown`` (a header line, then the text) or ``json``."""
    if fmt == "json":
        yield json_line(result.to_dict())
        return
    if fmt == "markdown":
        yield translation_header(result)
    yield from by_paragraph(result.text_parts())


def translation_header(result: TranslationResult) -> str:
    """The Markdown heading and the italic line saying what was translated, and with what."""
    models = ", ".join(f"{m['model']}" for m in result.models.values()) or "none (English)"
    conf = "" if result.language_confidence is None else f", confidence {result.language_confidence:.2f}"
    title = f"# {result.title}\n\n" if result.title else ""
    return f"{title}*{result.input}: translated from {result.source_language}{conf} with {models}*\n\n"


def summary(result: SummaryResult, fmt: str) -> Iterator[str]:
    """``text`` (title and summary), ``markdown`` (with a line of statistics) or ``json``."""
    if fmt == "json":
        yield json_line(result.to_dict())
    elif fmt == "markdown":
        s = result.stats
        title = f"## {result.title}\n\n" if result.title else ""
        yield (f"{title}{result.summary}\n\n*{result.input}: {result.source_language}, "
               f"{s.kept_paragraphs} of {s.paragraphs} paragraphs kept "
               f"({s.boilerplate_removed} boilerplate, {s.captions_removed} captions, "
               f"{s.duplicates_collapsed} duplicates removed), {result.summarizer} summary "
               f"in {s.chunks} chunk(s)*")
    else:
        yield result.text


def cleaning(result: CleanResult, fmt: str) -> Iterator[str]:
    """``text`` (what is kept), ``marked`` (every paragraph, a line each, marked) or ``json``.

    Marks: ``T`` the headline, ``+`` kept, ``-`` removed, followed by the reason and rule.
    """
    if fmt == "json":
        yield json_line(result.to_dict())
    elif fmt == "marked":  # a line at a time, as text comes a paragraph at a time
        for k, (mark, index, text, removal) in enumerate(result.lines()):
            score = "" if not removal or removal.score is None else f", P={removal.score:.2f}"
            why = f"  [{removal.reason}: {removal.rule}{score}]" if removal else ""
            yield ("\n" if k else "") + f"{mark} {index:>3}  {text}{why}"
    else:
        yield result.text


def detection(name: str, found: Detection, fmt: str) -> Iterator[str]:
    """``text``: name, language and confidence separated by tabs; ``json``: one object."""
    if fmt == "json":
        yield json_line({"input": name, **found.to_dict()})
    else:
        yield f"{name}\t{found.language}\t{found.confidence:.2f}"
