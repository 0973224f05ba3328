"""Result dataclasses. ``to_dict()`` is the documented, stable JSON shape."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mtsum.clean import CleanResult, Removal, Stripped


@dataclass
class Paragraph:
    """One input paragraph and what became of it."""

    index: int
    source: str
    language: str  # language it was translated from ("en": passed through)
    translation: str
    duplicate_of: int | None = None  # index of the earlier identical paragraph
    # segments the hallucination guard distrusts: {"segment": k, "reason": ..., "source": ...}
    flagged: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class TranslationStats:
    paragraphs: int = 0
    segments: int = 0  # sentences (or pieces) sent for translation, before de-duplication
    unique_segments: int = 0  # after de-duplication
    segments_translated: int = 0  # went through a model (not found in this run's or the persistent cache)
    cache_hits: int = 0  # unique segments served by the persistent cache
    flagged_segments: int = 0  # segments the hallucination guard kept but marked
    seconds: float = 0.0


@dataclass
class TranslationResult:
    """A translated document, with the settings and models that produced it."""

    input: str
    source_language: str
    language_confidence: float | None  # None when --source forced the language
    paragraphs: list[Paragraph]
    stats: TranslationStats
    models: dict[str, dict[str, Any]]
    settings: dict[str, Any] = field(default_factory=dict)
    title: str | None = None  # with cleaning: the headline, translated
    source_title: str | None = None  # ... and as written
    # With cleaning: the cleaning's own result (what was dropped and why, its stats).
    cleaned: CleanResult | None = field(default=None, repr=False)

    @property
    def removed(self) -> list[Removal] | None:
        """With cleaning: what was dropped and why; None without."""
        return None if self.cleaned is None else self.cleaned.removed

    @property
    def stripped(self) -> list[Stripped] | None:
        """With cleaning: markers cut from the front of kept paragraphs."""
        return None if self.cleaned is None else self.cleaned.stripped

    @property
    def restored(self) -> list[int] | None:
        """With cleaning: always empty (the JSON keeps the key)."""
        return None if self.cleaned is None else self.cleaned.restored

    def output_paragraphs(self, dedupe: bool = False) -> list[Paragraph]:
        """Paragraphs to show: all of them, or without repeats when ``dedupe``."""
        return [p for p in self.paragraphs if not (dedupe and p.duplicate_of is not None)]

    def text_parts(self) -> list[str]:
        """The title and the paragraphs to show, in order: :attr:`text` before it is joined
        (a renderer streams them without building the whole text)."""
        dedupe = bool(self.settings.get("dedupe"))
        parts = [self.title] if self.title else []
        parts += [p.translation for p in self.output_paragraphs(dedupe)]
        return parts

    @property
    def text(self) -> str:
        """The English text, paragraphs separated by blank lines (as configured)."""
        return "\n\n".join(self.text_parts())

    def to_dict(self) -> dict[str, Any]:
        d = {
            "input": self.input,
            "source_language": self.source_language,
            "language_confidence": (
                None if self.language_confidence is None else round(self.language_confidence, 4)
            ),
            "paragraphs": [asdict(p) for p in self.output_paragraphs(bool(self.settings.get("dedupe")))],
            "stats": {**asdict(self.stats), "seconds": round(self.stats.seconds, 3)},
            "models": self.models,
            "settings": self.settings,
        }
        if self.cleaned is not None:
            d["title"] = self.title
            d["source_title"] = self.source_title
            d["removed"] = [asdict(r) for r in self.cleaned.removed]
            d["stripped"] = [asdict(s) for s in self.cleaned.stripped]
            d["restored"] = list(self.cleaned.restored)
        return d


@dataclass
class SummaryStats:
    paragraphs: int = 0  # in the input
    boilerplate_removed: int = 0
    captions_removed: int = 0
    duplicates_collapsed: int = 0
    kept_paragraphs: int = 0  # body paragraphs summarized (the title not included)
    segments_translated: int = 0
    cache_hits: int = 0
    flagged_segments: int = 0
    chunks: int = 0  # summarizer inputs on the first level (1: the article fit at once)
    rounds: int = 0  # reduce rounds over chunk summaries
    seconds: float = 0.0


@dataclass
class SummaryResult:
    """A cleaned, translated and summarized document."""

    input: str
    source_language: str
    language_confidence: float | None
    title: str | None  # the headline, translated
    summary: str
    summarizer: str  # "bart" or "extractive"
    removed: list[Removal]
    stripped: list[Stripped]
    stats: SummaryStats
    models: dict[str, dict[str, Any]]  # translation languages and "summarization"
    settings: dict[str, Any] = field(default_factory=dict)
    source_title: str | None = None  # the headline as written
    flagged: list[dict[str, Any]] = field(default_factory=list)  # guard flags: paragraph index, reason
    restored: list[int] = field(default_factory=list)  # HTML: paragraphs put back from the page
    # The cleaned translation the summary was made from (not part of the JSON).
    translation: TranslationResult | None = field(default=None, repr=False, compare=False)

    @property
    def text(self) -> str:
        return f"{self.title}\n\n{self.summary}" if self.title else self.summary

    def to_dict(self) -> dict[str, Any]:
        return {
            "input": self.input,
            "source_language": self.source_language,
            "language_confidence": (
                None if self.language_confidence is None else round(self.language_confidence, 4)
            ),
            "title": self.title,
            "source_title": self.source_title,
            "summary": self.summary,
            "summarizer": self.summarizer,
            "removed": [asdict(r) for r in self.removed],
            "stripped": [asdict(s) for s in self.stripped],
            "restored": self.restored,
            "flagged": self.flagged,
            "stats": {**asdict(self.stats), "seconds": round(self.stats.seconds, 3)},
            "models": self.models,
            "settings": self.settings,
        }

