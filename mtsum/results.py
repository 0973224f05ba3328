"""Result dataclasses. ``to_dict()`` is the documented, stable JSON shape."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Paragraph:
    """One input paragraph and what became of it."""

    index: int
    source: str
    language: str  # language it was translated from ("en": passed through)
    translation: str
    duplicate_of: int | None = None  # index of the earlier identical paragraph


@dataclass
class TranslationStats:
    paragraphs: int = 0
    segments: int = 0  # sentences (or pieces) sent for translation, before de-duplication
    unique_segments: int = 0  # after de-duplication
    segments_translated: int = 0  # went through a model (not found in this run's cache)
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
    title: str | None = None
    removed: list[dict[str, Any]] | None = None  # with cleaning: what was dropped and why

    def output_paragraphs(self, dedupe: bool = False) -> list[Paragraph]:
        """Paragraphs to show: all of them, or without repeats when ``dedupe``."""
        return [p for p in self.paragraphs if not (dedupe and p.duplicate_of is not None)]

    @property
    def text(self) -> str:
        """The English text, paragraphs separated by blank lines (as configured)."""
        dedupe = bool(self.settings.get("dedupe"))
        parts = [self.title] if self.title else []
        parts += [p.translation for p in self.output_paragraphs(dedupe)]
        return "\n\n".join(parts)

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
        if self.removed is not None:
            d["title"] = self.title
            d["removed"] = self.removed
        return d
