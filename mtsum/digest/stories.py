"""Stored articles to the digest's stories: grouping, headings, stable keys."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mtsum.digest.group import group_articles
from mtsum.digest.names import href, shown
from mtsum.digest.report import Entry, Source, Story
from mtsum.digest.state import Article, parse_iso
from mtsum.digest.titles import entry_title
from mtsum.signature import content_hash


@dataclass
class Links:
    """Where one article's translation files are, relative to the digest's folder."""

    txt: str
    html: str | None


def build_stories(included: list[tuple[Path, Article]], links: list[Links], threshold: float) -> list[Story]:
    """Stories from the included articles (path as given, stored article), most sources first."""
    articles = [a for _, a in included]
    grouping = group_articles([f"{a.title or ''}\n\n{a.translation}" for a in articles], threshold)
    stories = []
    for entries in grouping.stories:
        built = []
        for copies in entries:
            lead = articles[copies[0]]
            sources = [_source(included[i][0], articles[i], links[i]) for i in copies]
            built.append(Entry(title=entry_title(lead.title, lead.translation, lead.summary), summary=lead.summary,
                               languages=sorted({s.language for s in sources}), sources=sources))
        members = [articles[i] for copies in entries for i in copies]
        # The story's identity: its first article (first seen, then by path), which a
        # later article joining the story does not change.
        first = min(members, key=lambda a: (parse_iso(a.first_seen), a.path))
        newest = max(members, key=lambda a: parse_iso(a.processed_at))
        stories.append(Story(
            id="", title=next((e.title for e in built if e.title), None), entries=built,
            key=content_hash(first.path.encode("utf-8", "surrogateescape"), 32).removeprefix("sha256:"),
            published=_seconds(first.first_seen), updated=_seconds(newest.processed_at)))
    # Like a front page: the stories most outlets covered first.
    stories.sort(key=lambda s: -s.source_count)
    for n, story in enumerate(stories, 1):
        story.id = f"story-{n}"
    return stories


def _seconds(iso: str) -> str:
    return parse_iso(iso).isoformat(timespec="seconds")


def _source(path: Path, article: Article, links: Links) -> Source:
    return Source(path=shown(path), language=article.language, title=article.title,
                  source_title=article.source_title, translation_txt=shown(links.txt),
                  translation_html=shown(links.html) if links.html else None, first_seen=article.first_seen,
                  translation_txt_url=href(links.txt), translation_html_url=href(links.html) if links.html else None)
