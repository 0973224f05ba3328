"""The digest as data: stories, entries, sources and the run that made them.

``DigestReport.to_dict()`` is digest.json and what the Markdown and HTML templates
render, so the three formats cannot disagree.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Source:
    """One input file of an entry, and where its full translation was written."""

    path: str  # as given, an undecodable byte of the name shown as \xff
    language: str
    title: str | None  # English headline of this copy
    source_title: str | None  # headline as written
    translation_txt: str  # relative to the digest's folder (shown as `path` is)
    translation_html: str | None  # only when HTML is among the formats
    first_seen: str
    translation_txt_url: str = ""  # the same as a relative URL: the name's bytes percent-encoded
    translation_html_url: str | None = None


@dataclass
class Entry:
    """One distinct article; near-identical copies from several outlets share an entry."""

    title: str | None  # None: no headline, and the first sentence is what the summary says
    summary: str
    languages: list[str]
    sources: list[Source]


@dataclass
class Story:
    """Articles about the same story."""

    id: str  # anchor in the HTML page
    title: str | None
    entries: list[Entry]
    key: str = ""  # stable across runs: from the story's first article (the Atom entry's id)
    published: str = ""  # when its first article was first seen
    updated: str = ""  # when its newest article was processed

    @property
    def source_count(self) -> int:
        return sum(len(e.sources) for e in self.entries)


@dataclass
class Failure:
    path: str
    error: str


@dataclass
class DigestReport:
    """What a digest run did and what the digest holds."""

    title: str
    generated_at: str  # ISO 8601, UTC
    out_dir: str
    new: int
    unchanged: int
    failed: list[Failure]
    stories: list[Story]
    models: dict[str, list[str]]  # role -> "model@revision" strings used by the listed articles
    settings: dict[str, Any]
    files: list[str] = field(default_factory=list)  # digest files written
    seconds: float = 0.0

    @property
    def articles(self) -> int:
        return sum(s.source_count for s in self.stories)

    @property
    def summary_line(self) -> str:
        return f"{self.new} new, {self.unchanged} unchanged, {len(self.failed)} failed"

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "generated_at": self.generated_at,
            "counts": {"new": self.new, "unchanged": self.unchanged, "failed": len(self.failed),
                       "articles": self.articles, "stories": len(self.stories)},
            "stories": [{**asdict(s), "source_count": s.source_count} for s in self.stories],
            "failed": [asdict(f) for f in self.failed],
            "models": self.models,
            "settings": self.settings,
            "seconds": round(self.seconds, 3),
        }

