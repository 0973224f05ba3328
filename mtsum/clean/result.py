"""What cleaning makes of a document: the headline, the kept paragraphs, every removal and why.

One result type for every way in: :func:`mtsum.clean.clean_paragraphs` over a list of
paragraphs, and a whole document's cleaning (``mtsum clean``, :func:`mtsum.clean_text`,
``--clean``), which also records its input, the detected language and the settings that
decided. Removals stay :class:`Removal` objects until a result is rendered.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["CleanResult", "Removal", "Stripped"]


@dataclass(frozen=True)
class Removal:
    """One paragraph that was dropped, and why.

    ``reason`` is "duplicate", "boilerplate" or "caption"; ``rule`` names the rule
    ("sv:ad_marker", "exact_duplicate", "caption_twin", ...) or the classifier feature
    that decided ("classifier:short-run", "classifier:related-list", ...). ``duplicate_of`` is the
    index of the kept occurrence for duplicates (the first one; for a page's ``<title>``,
    rule "site_title", and a breadcrumb's copy of the headline, rule "decorated_copy",
    the headline), and of the credited caption
    for a caption's uncredited twin; otherwise None. ``text`` is the input paragraph.
    """

    index: int
    reason: str
    duplicate_of: int | None
    rule: str | None
    text: str
    # The line model's P(boilerplate) where the structure classifier dropped the line
    # and the model weighed it; None for rules, captions and duplicates.
    score: float | None = None


@dataclass(frozen=True)
class Stripped:
    """A marker cut from the front of a kept paragraph (``text`` is what was cut)."""

    index: int
    rule: str
    text: str


# CleanResult.to_dict's keys for paragraphs, and for a whole document (``mtsum clean``).
_PARAGRAPH_KEYS = ("title", "paragraphs", "kept_indices", "removed", "language", "title_index", "stripped",
                   "input_count", "restored")
_DOCUMENT_KEYS = ("title", "title_index", "paragraphs", "kept_indices", "removed", "stripped", "restored")


@dataclass
class CleanResult:
    """The cleaned document.

    ``title`` is the headline: the headline-shaped line just above the main text
    block (site names and menus above it are skipped and dropped), else the block's
    first paragraph if it reads as a headline (one sentence of at most 30 words);
    otherwise None. ``paragraphs`` are the kept body paragraphs after
    the title (the title is not repeated there), as the input wrote them, composed to
    NFC with their whitespace collapsed (soft hyphens and zero-width spaces stay;
    translation normalizes what it sends to a model), and with glued markers stripped
    (such a paragraph's rest is normalized); ``kept_indices[i]`` is the input index of ``paragraphs[i]``;
    ``repeat_of[i]`` the input index of an earlier kept paragraph (the title first)
    identical to it, where cleaning keeps repeats (after an HTML extraction).

    A whole document's cleaning also has ``input`` (its name), ``language_confidence``
    (None where the language was forced) and ``settings`` (what decided: source, input
    format, the line model's fingerprint and threshold, a user's rules folder).
    """

    title: str | None
    paragraphs: list[str]
    kept_indices: list[int]
    removed: list[Removal]
    language: str
    title_index: int | None = None
    stripped: list[Stripped] = field(default_factory=list)
    input_count: int = 0
    # Lines are no longer put back from the page around an HTML extraction; the field
    # stays, empty, so the JSON keeps its shape.
    restored: list[int] = field(default_factory=list)
    repeat_of: list[int | None] = field(default_factory=list)
    input: str | None = None
    language_confidence: float | None = None
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def source_language(self) -> str:
        return self.language

    @property
    def stats(self) -> dict[str, int]:
        reasons = [r.reason for r in self.removed]
        return {
            "paragraphs": self.input_count,
            "boilerplate_removed": reasons.count("boilerplate"),
            "captions_removed": reasons.count("caption"),
            "duplicates_collapsed": reasons.count("duplicate"),
            "prefixes_stripped": len(self.stripped),
            "lines_restored": len(self.restored),
            "kept_paragraphs": len(self.paragraphs),
        }

    @property
    def text(self) -> str:
        """The headline and the kept paragraphs, separated by blank lines."""
        return "\n\n".join(([self.title] if self.title else []) + self.paragraphs)

    def lines(self) -> list[tuple[str, int, str, Removal | None]]:
        """Every input paragraph in order as ``(mark, index, text, removal)``: mark ``T``
        for the headline, ``+`` kept, ``-`` removed (``removal`` says why)."""
        out: list[tuple[str, int, str, Removal | None]] = []
        if self.title is not None and self.title_index is not None:
            out.append(("T", self.title_index, self.title, None))
        out += [("+", i, text, None) for i, text in zip(self.kept_indices, self.paragraphs)]
        out += [("-", r.index, r.text, r) for r in self.removed]
        return sorted(out, key=lambda line: line[1])

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the fields and ``stats``; for a whole document (``input``
        set) the documented ``mtsum clean`` shape, with its input, language and settings."""
        fields = {
            "title": self.title, "paragraphs": self.paragraphs, "kept_indices": self.kept_indices,
            "removed": [asdict(r) for r in self.removed], "language": self.language,
            "title_index": self.title_index, "stripped": [asdict(s) for s in self.stripped],
            "input_count": self.input_count, "restored": self.restored, "stats": self.stats,
        }
        if self.input is None:
            return {k: _copy(fields[k]) for k in (*_PARAGRAPH_KEYS, "stats")}
        return {"input": self.input, "source_language": self.language,
                "language_confidence": self.language_confidence,
                **{k: _copy(fields[k]) for k in (*_DOCUMENT_KEYS, "stats")}, "settings": self.settings}


def _copy(value: Any) -> Any:
    # asdict copied lists; a caller may change the dict without changing the result.
    return list(value) if isinstance(value, list) else value
