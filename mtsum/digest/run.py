"""``build_digest``: inputs -> state -> stories -> digest.md / .html / .json / .xml.

The order of work is what makes a run safe and crash-safe:

1. Nothing is read before every output is checked: ``--out`` against the inputs, the
   output folder (created, writable, mtsum's, locked), the state (openable, writable,
   undamaged, locked).
2. Each article is read, processed and committed — its state row and its translation
   file, under a deferred stop signal — before the next is read. A run stopped anywhere
   (SIGINT/SIGTERM: exit 130/143; SIGKILL; a power cut) keeps every finished article
   and the next run does only the rest.
3. The digest files are rendered from the state at the end and written atomically;
   only then are translations that no page links to any more deleted.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from mtsum.digest.collect import check_output_folder, collect_inputs
from mtsum.digest.group import DEFAULT_COPY_THRESHOLD, DEFAULT_STORY_THRESHOLD
from mtsum.digest.names import one_line, shown
from mtsum.digest.outdir import PAGES, TRANSLATIONS_DIR, OutputFolder
from mtsum.digest.process import ArticleResult, conversion_hint, model_signature, process_documents, read_article
from mtsum.digest.progress import Progress
from mtsum.digest.render import DEFAULT_FORMATS, FORMATS, model_labels, page_links, render_digest, render_translation
from mtsum.digest.report import DigestReport, Failure
from mtsum.digest.state import Article, State, default_state_path, now_iso
from mtsum.digest.stories import Links, build_stories
from mtsum.errors import ConfigError, MtsumError
from mtsum.io.names import unique_stems
from mtsum.io.signals import StopWatch, deferred
from mtsum.runs.attempt import attempt

if TYPE_CHECKING:
    from mtsum.pipeline.core import Pipeline

log = logging.getLogger("mtsum.digest")


@dataclass
class _Pending:
    path: Path
    key: str  # absolute path: the state's key


def build_digest(inputs: Iterable[str], out_dir: str | Path, *, formats: Iterable[str] = DEFAULT_FORMATS,
                 summarizer: str = "bart", since: datetime | None = None, title: str | None = None,
                 state_path: str | Path | None = None, rebuild: bool = False, pipeline: Pipeline | None = None,
                 story_threshold: float = DEFAULT_STORY_THRESHOLD, wait: float = 0.0, force: bool = False,
                 progress: bool = False, log_file: str | Path | None = None) -> DigestReport:
    """Process new and changed articles, then write the digest to ``out_dir``.

    ``inputs`` are files, folders (searched recursively for .txt/.html/.htm) or globs.
    Articles whose bytes and models are unchanged since the last run come from the
    state (``state_path``, default :func:`~mtsum.digest.state.default_state_path`);
    ``rebuild`` processes them again. ``since`` keeps only files modified at or after it.
    An article that cannot be read or processed is listed in ``report.failed``; the
    others go on. ``wait``: seconds to wait for another digest holding the state or the
    output folder (negative: for ever). ``force``: write into a folder that holds files
    mtsum did not write. ``progress``: a progress bar on a terminal. ``log_file``: the
    run's log, which (like the state) may lie in ``out_dir`` without making it foreign.

    Raises:
        InputError: an input path or pattern matches nothing, or names a FIFO or device.
        OutputError: ``out_dir`` is or holds an input, cannot be written, or is not mtsum's.
        StateLockedError: another digest holds the state or the output folder.
        StateError, ConfigError, ModelUnavailableError: the run cannot go on at all.
        Interrupted: SIGINT or SIGTERM; every finished article is kept.
    """
    start = time.perf_counter()
    formats = _check_formats(formats)
    if not 0.0 < story_threshold <= 1.0:
        raise ConfigError(f"story threshold must be in (0, 1], got {story_threshold}")
    inputs = list(inputs)
    out = Path(out_dir)
    check_output_folder(inputs, out)
    state_file = Path(state_path) if state_path else default_state_path()
    companions = [Path(f"{state_file}{end}") for end in ("", "-wal", "-shm", "-journal", ".lock")]
    companions += [Path(log_file)] if log_file else []
    stop = StopWatch()
    with stop.watching(), OutputFolder(out, force=force, wait=wait, companions=companions) as folder, \
            State(state_file, wait=wait) as state:
        paths = collect_inputs(inputs, exclude=[out])
        if since is not None:
            paths = [p for p in paths if _mtime(p) >= since.timestamp()]
        if pipeline is None:
            from mtsum.pipeline.core import Pipeline

            pipeline = Pipeline()
        run = _Run(pipeline, summarizer, state, folder, formats, title or "News digest", stop)
        run.process(paths, rebuild=rebuild, progress=progress)
        report = run.write(paths, since=since, story_threshold=story_threshold)
        report.seconds = time.perf_counter() - start
        state.finish_run(run.new, run.unchanged, len(run.failures))
    # A stop whose exception a library swallowed while the digest was written still ends
    # the run as stopped (everything written is whole and kept), as in a batch run.
    stop.check()
    return report


class _Run:
    """One digest run's work, between the checks and the end."""

    def __init__(self, pipeline: Pipeline, summarizer: str, state: State, folder: OutputFolder,
                 formats: list[str], title: str, stop: StopWatch | None = None) -> None:
        self.pipeline, self.summarizer, self.state, self.folder = pipeline, summarizer, state, folder
        self.stop = stop or StopWatch()
        self.formats, self.title = formats, title
        self.source = pipeline.settings.source
        self.failures: list[Failure] = []
        self.done: dict[str, Article] = {}
        self.names: dict[Path, str] = {}
        self.new = self.unchanged = 0
        self.bar: Progress | None = None

    def _signature(self, languages: list[str]) -> str:
        return model_signature(self.pipeline.config, self.summarizer, self.source, languages)

    def process(self, paths: list[Path], *, rebuild: bool, progress: bool) -> None:
        self.state.start_run()
        self.names = translation_names(paths)
        todo = self._changed(paths, rebuild)
        self.unchanged = len(self.done)
        log.info("%d article(s): %d unchanged, %d to process", len(paths), self.unchanged, len(todo))
        hint = conversion_hint(self.pipeline, self.summarizer) if todo else None
        if hint:
            log.info("%s", hint)
        bar = self.bar = Progress(len(todo), bar=progress)
        try:
            for k, p in enumerate(todo, 1):
                # A stop that some library's ``except BaseException`` swallowed (a model
                # load, an import) is acted on before the next article, not at the end.
                self.stop.check()
                self._one(p, k, len(todo), bar)
                bar.step()
            self.stop.check()
        finally:
            bar.close()
            self.bar = None

    def _changed(self, paths: list[Path], rebuild: bool) -> list[_Pending]:
        """The articles to process; the unchanged ones go to ``self.done`` from the state."""
        todo: list[_Pending] = []
        for path in paths:
            key = str(path.resolve())
            read = attempt(lambda path=path: read_article(path, decode=False), whole_run_errors=False)
            if isinstance(read, Exception):
                self._fail(path, str(read))
                continue
            _, digest, mtime = read
            row = None if rebuild else self.state.get(key)
            # A touched file (new mtime) is processed again even with the same bytes: a
            # scraper re-saving an article is asking for it; the translation cache makes
            # the repeat cheap.
            if row is not None and row.content_hash == digest and row.mtime == mtime and \
                    row.signature == self._signature(row.languages):
                self.done[key] = row
            else:
                todo.append(_Pending(path, key))
        return todo

    def _one(self, p: _Pending, k: int, total: int, bar: Progress) -> None:
        read = attempt(lambda: read_article(p.path), whole_run_errors=False)
        if isinstance(read, Exception):
            self._fail(p.path, str(read))
            return
        doc, digest, mtime = read
        assert doc is not None
        for _, result in process_documents(self.pipeline, [doc], self.summarizer):
            if isinstance(result, MtsumError):
                self._fail(p.path, str(result))
                continue
            article = _article(p.key, digest, mtime, result, self._signature(result.languages))
            with deferred():  # the row and its translation file together; a stop comes after
                self.done[p.key] = self.state.put(article)
                self._translations(p.path, article)
            self.new += 1
            bar.info("[%d/%d] %s: %s, %s", k, total, one_line(str(p.path)), result.summary.source_language,
                     result.summary.title or "(no title)")

    def _translations(self, path: Path, article: Article) -> Links:
        """Write the article's translation files (unless unchanged); their places."""
        stem = self.names[path]
        txt = f"{TRANSLATIONS_DIR}/{stem}.en.txt"
        self.folder.write(txt, render_translation(article, shown(path), "txt"), if_changed=True)
        html = None
        if "html" in self.formats:
            html = f"{TRANSLATIONS_DIR}/{stem}.en.html"
            self.folder.write(html, render_translation(article, shown(path), "html", digest_title=self.title),
                              if_changed=True)
        return Links(txt, html)

    def write(self, paths: list[Path], *, since: datetime | None, story_threshold: float) -> DigestReport:
        included = [(p, self.done[str(p.resolve())]) for p in paths if str(p.resolve()) in self.done]
        links = [self._translations(p, a) for p, a in included]
        report = DigestReport(
            title=self.title, generated_at=now_iso(), out_dir=shown(self.folder.path), new=self.new,
            unchanged=self.unchanged, failed=self.failures, stories=[],
            models=model_labels([a for _, a in included]),
            settings={"summarizer": self.summarizer, "source": self.source, "story_threshold": story_threshold,
                      "copy_threshold": DEFAULT_COPY_THRESHOLD, "since": since.isoformat() if since else None,
                      "state": shown(self.state.path), "formats": list(self.formats)},
        )
        report.stories = build_stories(included, links, story_threshold)
        pages: dict[str, set[str]] = {}
        for fmt in self.formats:
            target = self.folder.write(PAGES[fmt], render_digest(report, fmt))
            pages[PAGES[fmt]] = page_links(fmt, included_links=links, formats=self.formats)
            report.files.append(shown(target))
            log.info("wrote %s", one_line(str(target)))
        for relative in self.folder.finish(pages):
            log.info("deleted %s (no page links to it any more)", one_line(relative))
        return report

    def _fail(self, path: Path, message: str) -> None:
        message = one_line(" ".join(message.split()))
        name = one_line(str(path))
        if not message.startswith(name):
            message = f"{name}: {message}"
        self.failures.append(Failure(shown(path), message))
        if self.bar is not None:
            self.bar.log(logging.ERROR, "error: %s", message)
        else:
            log.error("error: %s", message)


def translation_names(paths: list[Path]) -> dict[Path, str]:
    """Each input's translation file stem: its own, or ``x-2`` where another input had ``x``
    (:func:`~mtsum.io.names.unique_stems`).

    Given every collected input in order (not only this run's successes), so an article
    keeps its file name from one run to the next."""
    return dict(zip(paths, unique_stems(path.stem for path in paths)))


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


def _article(key: str, content_hash: str, mtime: float, result: ArticleResult, signature: str) -> Article:
    s = result.summary
    return Article(
        path=key, content_hash=content_hash, signature=signature, mtime=mtime,
        language=s.source_language, language_confidence=s.language_confidence, languages=result.languages,
        title=s.title, source_title=s.source_title, translation=result.english, summary=s.summary,
        summarizer=s.summarizer, models=s.models,
    )
