"""``build_digest``: inputs -> state -> stories -> digest.md / .html / .json.

The order of work is what makes a run crash-safe: every processed article is committed
to the state before the next one starts, and the digest files are rendered from the
state at the end and written atomically. A run killed anywhere leaves the previous
digest intact and the finished articles stored; the next run does only the rest.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ConfigError, Interrupted, MtsumError
from ..runs.atomic import write_atomic
from .collect import collect_inputs
from .group import DEFAULT_COPY_THRESHOLD, DEFAULT_STORY_THRESHOLD, group_articles
from .process import ArticleResult, model_signature, process_documents
from .render import FORMATS, model_labels, render_digest, render_translation
from .report import DigestReport, Entry, Failure, Source, Story
from .state import Article, State, now_iso

if TYPE_CHECKING:
    from ..inputs import Document
    from ..pipeline import Pipeline

log = logging.getLogger("mtsum.digest")

TRANSLATIONS_DIR = "translations"
_TITLE_CHARS = 90


@dataclass
class _Pending:
    path: Path
    key: str  # absolute path: the state's key
    content_hash: str
    mtime: float


def build_digest(inputs: Iterable[str], out_dir: str | Path, *, formats: Iterable[str] = FORMATS,
                 summarizer: str = "bart", since: datetime | None = None, title: str | None = None,
                 state_path: str | Path | None = None, rebuild: bool = False, pipeline: Pipeline | None = None,
                 story_threshold: float = DEFAULT_STORY_THRESHOLD, wait: float = 0.0) -> DigestReport:
    """Process new and changed articles, then write the digest to ``out_dir``.

    ``inputs`` are files, folders (searched recursively for .txt/.html/.htm) or globs.
    Articles whose bytes and models are unchanged since the last run come from the
    state (``state_path``, default :func:`~mtsum.digest.state.default_state_path`);
    ``rebuild`` processes them again. ``since`` keeps only files modified at or after it.
    An article that cannot be read or processed is listed in ``report.failed``; the
    others go on. ``wait``: seconds to wait for another digest holding the state
    (negative: for ever).

    Raises:
        InputError: an input path or pattern matches nothing.
        StateLockedError: another digest holds the state.
        StateError, ConfigError, ModelUnavailableError: the run cannot go on at all.
    """
    start = time.perf_counter()
    formats = _check_formats(formats)
    if not 0.0 < story_threshold <= 1.0:
        raise ConfigError(f"story threshold must be in (0, 1], got {story_threshold}")
    out = Path(out_dir)
    paths = collect_inputs(inputs, exclude=[out])
    if since is not None:
        paths = [p for p in paths if _mtime(p) >= since.timestamp()]
    if pipeline is None:
        from ..pipeline import Pipeline

        pipeline = Pipeline()
    source = pipeline.settings.source
    failures: list[Failure] = []
    with State(state_path, wait=wait) as state:
        state.start_run()
        done: dict[str, Article] = {}
        todo: list[_Pending] = []
        for path in paths:
            key = str(path.resolve())
            try:
                data, mtime = path.read_bytes(), path.stat().st_mtime
            except OSError as exc:
                _fail(failures, path, f"{path}: cannot read: {exc.strerror}")
                continue
            digest = hashlib.sha256(data).hexdigest()
            row = None if rebuild else state.get(key)
            # A touched file (new mtime) is processed again even with the same bytes: a
            # scraper re-saving an article is asking for it; the translation cache makes
            # the repeat cheap.
            if row is not None and row.content_hash == digest and row.mtime == mtime and \
                    row.signature == model_signature(pipeline.config, summarizer, source, row.languages):
                done[key] = row
            else:
                todo.append(_Pending(path, key, digest, mtime))
        unchanged = len(done)
        log.info("%d article(s): %d unchanged, %d to process", len(paths), unchanged, len(todo))

        pending = {str(p.path): p for p in todo}
        new, failed_before = 0, len(failures)
        for doc, result in process_documents(pipeline, _read(todo, failures), summarizer):
            p = pending[doc.name]
            if isinstance(result, MtsumError):
                _fail(failures, p.path, str(result))
                continue
            done[p.key] = state.put(_article(p, result, model_signature(
                pipeline.config, summarizer, source, result.languages)))
            new += 1
            log.info("[%d/%d] %s: %s, %s", new + len(failures) - failed_before, len(todo), p.path,
                     result.summary.source_language, result.summary.title or "(no title)")

        included = [(p, done[str(p.resolve())]) for p in paths if str(p.resolve()) in done]
        report = DigestReport(
            title=title or "News digest", generated_at=now_iso(), out_dir=str(out), new=new,
            unchanged=unchanged, failed=failures, stories=[], models=model_labels([a for _, a in included]),
            settings={"summarizer": summarizer, "source": source, "story_threshold": story_threshold,
                      "copy_threshold": DEFAULT_COPY_THRESHOLD, "since": since.isoformat() if since else None,
                      "state": str(state.path), "formats": list(formats)},
        )
        report.stories = _stories(included, _write_translations(included, out, formats, report.title),
                                  story_threshold)
        report.seconds = time.perf_counter() - start
        for fmt in formats:
            target = write_atomic(out / f"digest.{fmt}", render_digest(report, fmt))
            report.files.append(str(target))
            log.info("wrote %s", target)
        state.finish_run(new, unchanged, len(failures))
    return report


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:  # vanished since it was listed: reading it will say so
        return float("inf")


def _check_formats(formats: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(f.strip().lower() for f in formats if f.strip()))
    bad = [f for f in chosen if f not in FORMATS]
    if bad or not chosen:
        raise ConfigError(f"unknown digest format(s) {', '.join(bad) or '(none)'}: use {','.join(FORMATS)}")
    return chosen


def _fail(failures: list[Failure], path: Path, message: str) -> None:
    message = " ".join(message.split())
    if not message.startswith(str(path)):
        message = f"{path}: {message}"
    failures.append(Failure(str(path), message))
    log.error("error: %s", message)


def _read(todo: list[_Pending], failures: list[Failure]) -> Iterator[Document]:
    from ..inputs import read_input

    for p in todo:
        try:
            yield read_input(str(p.path))
        except Interrupted:  # a stop signal while reading is the run's, not this file's failure
            raise
        except MtsumError as exc:
            _fail(failures, p.path, str(exc))


def _article(p: _Pending, result: ArticleResult, signature: str) -> Article:
    s = result.summary
    return Article(
        path=p.key, content_hash=p.content_hash, signature=signature, mtime=p.mtime,
        language=s.source_language, language_confidence=s.language_confidence, languages=result.languages,
        title=s.title, source_title=s.source_title, translation=result.english, summary=s.summary,
        summarizer=s.summarizer, models=s.models,
    )


def _write_translations(included: list[tuple[Path, Article]], out: Path, formats: list[str],
                        digest_title: str) -> list[tuple[str, str | None]]:
    """Write each article's full translation beside the digest; remove stale ones.

    Returns each article's (txt link, html link or None), relative to ``out``.
    """
    folder = out / TRANSLATIONS_DIR
    taken: set[str] = set()
    links: list[tuple[str, str | None]] = []
    written: set[Path] = set()
    for path, article in included:
        stem, n = path.stem, 2
        while stem.lower() in taken:  # a/x.txt and b/x.txt must not share a file
            stem, n = f"{path.stem}-{n}", n + 1
        taken.add(stem.lower())
        txt = folder / f"{stem}.en.txt"
        _write_if_changed(txt, render_translation(article, str(path), "txt"))
        written.add(txt)
        html = None
        if "html" in formats:
            html = folder / f"{stem}.en.html"
            _write_if_changed(html, render_translation(article, str(path), "html", digest_title=digest_title))
            written.add(html)
        links.append((f"{TRANSLATIONS_DIR}/{txt.name}", f"{TRANSLATIONS_DIR}/{html.name}" if html else None))
    if folder.is_dir():
        for old in folder.iterdir():
            if old.name.endswith((".en.txt", ".en.html")) and old not in written:
                old.unlink()
    return links


def _write_if_changed(path: Path, text: str) -> None:
    # The nightly run re-renders every translation; rewriting identical files would
    # only churn the disk and any sync tool watching the folder.
    try:
        if path.read_text(encoding="utf-8") == text:
            return
    except OSError:
        pass
    write_atomic(path, text)


def _stories(included: list[tuple[Path, Article]], links: list[tuple[str, str | None]],
             threshold: float) -> list[Story]:
    articles = [a for _, a in included]
    grouping = group_articles([f"{a.title or ''}\n\n{a.translation}" for a in articles], threshold)
    stories = []
    for entries in grouping.stories:
        built = []
        for copies in entries:
            lead = articles[copies[0]]
            sources = [Source(path=str(included[i][0]), language=articles[i].language, title=articles[i].title,
                              source_title=articles[i].source_title, translation_txt=links[i][0],
                              translation_html=links[i][1], first_seen=articles[i].first_seen)
                       for i in copies]
            built.append(Entry(title=_title(lead, included[copies[0]][0]), summary=lead.summary,
                               languages=sorted({s.language for s in sources}), sources=sources))
        stories.append(Story(id="", title=built[0].title, entries=built))
    # Like a front page: the stories most outlets covered first.
    stories.sort(key=lambda s: -s.source_count)
    for n, story in enumerate(stories, 1):
        story.id = f"story-{n}"
    return stories


def _title(article: Article, path: Path) -> str:
    """The English headline; without one, the summary's opening words, else the file name."""
    if article.title and article.title.strip():
        return " ".join(article.title.split())
    words = article.summary.split()
    if not words:
        return path.name
    text = ""
    for word in words:
        if len(text) + len(word) + 1 > _TITLE_CHARS:
            return text + " …"
        text = f"{text} {word}".strip()
        if text.endswith((".", "!", "?")):
            return text
    return text
