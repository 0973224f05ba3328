"""A document prepared for translation: read, split, detected and segmented once.

Everything downstream (translation, assembly, summarizing) reads this; nothing
splits or detects again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .clean import CleanResult
    from .inputs import Document


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
