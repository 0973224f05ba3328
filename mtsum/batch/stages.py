"""The batch stages both engines run: load + prepare (CPU), translate + summarize (models).

``--engine local`` chains them in one process; ``--engine ray`` runs the first on CPU
tasks and the second on an actor pool, passing :class:`Entry` objects between them.
Either way a document that cannot be read, detected or translated becomes a record
with its error, and the batch goes on.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mtsum.batch.records import Item, error_dict, load, record, shown
from mtsum.errors import Interrupted, MtsumError

if TYPE_CHECKING:
    from mtsum.io.inputs import Document
    from mtsum.pipeline.core import Pipeline, Settings
    from mtsum.pipeline.prepare import PreparedDocument
    from mtsum.runs.signals import StopWatch

log = logging.getLogger(__name__)

OK, FAILED, SKIPPED = "ok", "error", "skipped"


@dataclass
class Plan:
    """Everything a worker needs to rebuild the run's pipeline, resolved in the driver
    (registry path, batch sizes, backend, cache path), so workers never read the
    driver's environment variables or defaults."""

    models: str
    settings: Settings
    task: str = "translate"
    summarizer: str = "bart"
    max_length: int | None = None
    min_length: int | None = None
    run_key: str = ""
    record_settings: dict[str, Any] = field(default_factory=dict)

    @property
    def clean(self) -> bool:
        # Summaries are made from cleaned articles (as `mtsum summarize` does); a
        # translation-only run is faithful, every paragraph kept (as `mtsum translate`).
        return self.task != "translate"

    def pipeline(self, device: str | None = None) -> Pipeline:
        from mtsum.pipeline.core import Pipeline

        settings = self.settings if device is None else dataclasses.replace(self.settings, device=device)
        return Pipeline(self.models, settings)


def make_plan(pipeline: Pipeline, task: str, summarizer: str, max_length: int | None = None,
              min_length: int | None = None) -> Plan:
    """The plan of a run of ``pipeline`` (built in the driver from flags and environment)."""
    settings = dataclasses.replace(
        pipeline.settings, batch_size=pipeline.batch_size, max_batch_tokens=pipeline.max_batch_tokens,
        backend=pipeline.backend_name, device=pipeline.device, progress=False,
        cache=str(pipeline.store.path) if pipeline.store is not None else False)
    key = run_key(pipeline, task, summarizer, max_length, min_length)
    extra: dict[str, Any] = {"task": task}
    if task != "translate":
        extra.update(summarizer=summarizer, max_length=max_length, min_length=min_length)
    return Plan(models=str(pipeline.config.path), settings=settings, task=task, summarizer=summarizer,
                max_length=max_length, min_length=min_length, run_key=key, record_settings=extra)


def run_key(pipeline: Pipeline, task: str, summarizer: str, max_length: int | None,
            min_length: int | None) -> str:
    """What decides a record's content besides its input: the registry (models and
    revisions), source, backend, compute type, task and summary settings. Device and
    batch sizes are left out: a run resumed on another machine keeps what is done."""
    try:
        registry = hashlib.sha256(Path(pipeline.config.path).read_bytes()).hexdigest()
    except OSError:
        registry = str(pipeline.config.path)
    s = pipeline.settings
    parts = {"registry": registry, "source": s.source, "backend": pipeline.backend_name,
             "compute_type": s.compute_type, "task": task}
    if task != "translate":
        parts.update(summarizer=summarizer, max_length=max_length, min_length=min_length)
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


@dataclass
class Entry:
    """One item after the CPU stage: prepared, failed (``error``) or already done (``skipped``)."""

    id: str
    content_hash: str | None
    doc: Document | None = None
    prepared: PreparedDocument | None = None
    error: dict[str, Any] | None = None
    skipped: bool = False
    prepare_seconds: float = 0.0


def prepare_entry(pipeline: Pipeline, plan: Plan, item: Item, done: Mapping[str, str]) -> Entry:
    """Read, detect, clean and segment one item; an item already written with the
    same content hash (``done``: id → hash) is skipped."""
    started = time.perf_counter()
    content: str | None = None
    try:
        doc, content = load(item)
        if done.get(item.id) == content:
            return Entry(item.id, content, skipped=True)
        prepared = pipeline.prepare(doc, clean=plan.clean)
    except Exception as exc:  # one bad document must not stop an overnight run (a stop is no Exception)
        _reraise_stop(exc)
        if not isinstance(exc, MtsumError):
            log.warning("%s: unexpected %s while preparing: %s", item.id, type(exc).__name__, shown(exc))
        return Entry(item.id, content, error=error_dict(exc))
    return Entry(item.id, content, doc=doc, prepared=prepared,
                 prepare_seconds=time.perf_counter() - started)


def process(pipeline: Pipeline, plan: Plan, entries: Iterable[Entry], stop: StopWatch | None = None
            ) -> Iterator[tuple[str, dict[str, Any] | None]]:
    """Translate (and summarize) prepared entries with shared batches; yields
    ``(status, record)`` for every entry (``record`` is None when skipped). With
    ``stop``, a stop signal is checked between documents, besides wherever it lands."""
    by_doc: dict[int, Entry] = {}

    def ready() -> Iterator[tuple[Document, PreparedDocument]]:
        for entry in entries:
            if entry.skipped:
                finished.append((SKIPPED, None))
            elif entry.error is not None:
                finished.append((FAILED, _record(plan, entry, error=entry.error)))
            else:
                assert entry.doc is not None and entry.prepared is not None
                # Preparation may have run in another process: its clock is not ours.
                entry.prepared.started = time.perf_counter() - entry.prepare_seconds
                by_doc[id(entry.doc)] = entry
                yield entry.doc, entry.prepared

    finished: list[tuple[str, dict[str, Any] | None]] = []
    for doc, outcome in pipeline.translate_prepared(ready()):
        yield from _drain(finished)
        entry = by_doc.pop(id(doc))
        if stop is not None:
            stop.check()  # before summarizing the next document of the window
        yield _finish(pipeline, plan, entry, outcome)
    yield from _drain(finished)


def _drain(finished: list[tuple[str, dict[str, Any] | None]]) -> Iterator[tuple[str, dict[str, Any] | None]]:
    while finished:
        yield finished.pop(0)


def _finish(pipeline: Pipeline, plan: Plan, entry: Entry, outcome: Any) -> tuple[str, dict[str, Any]]:
    if isinstance(outcome, MtsumError):
        return FAILED, _record(plan, entry, error=error_dict(outcome))
    if plan.task == "translate":
        return OK, _record(plan, entry, translated=outcome)
    try:
        summary = pipeline.summarize_translation(outcome, plan.summarizer, max_length=plan.max_length,
                                                 min_length=plan.min_length)
    except Exception as exc:  # as in prepare_entry: this record fails, the batch goes on
        _reraise_stop(exc)
        if not isinstance(exc, MtsumError):
            log.warning("%s: unexpected %s while summarizing: %s", entry.id, type(exc).__name__, shown(exc))
        return FAILED, _record(plan, entry, error=error_dict(exc))
    return OK, _record(plan, entry, translated=outcome if plan.task == "both" else None, summary=summary)


def _reraise_stop(exc: BaseException) -> None:
    """Interrupted is a BaseException, so ``except Exception`` lets it through; but a
    library that caught it and raised its own error instead must not turn a stop into
    one document's failure: the stop found in the chain is raised again."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, Interrupted):
            raise cause
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__


def _record(plan: Plan, entry: Entry, **outcome: Any) -> dict[str, Any]:
    return record(entry.id, entry.content_hash, plan.run_key, plan.record_settings, **outcome)
