"""The batch stages both engines run: load + prepare (CPU), translate + summarize (models).

``--engine local`` chains them in one process; ``--engine ray`` runs the first on CPU
tasks and the second on an actor pool, passing :class:`Entry` objects between them.
Either way a document that cannot be read, detected or translated becomes a record
with its error, and the batch goes on.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from mtsum.batch.records import Item, error_dict, load, record
from mtsum.errors import MtsumError
from mtsum.runs.attempt import attempt

if TYPE_CHECKING:
    from mtsum.io.inputs import Document
    from mtsum.io.signals import StopWatch
    from mtsum.pipeline.core import Pipeline, Settings
    from mtsum.pipeline.prepare import PreparedDocument

log = logging.getLogger(__name__)

OK, FAILED, SKIPPED = "ok", "error", "skipped"
T = TypeVar("T")


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
    from mtsum.signature import Signature, file_hash

    try:
        # Bare hex, as records written before signature.py hold it: their run keys stay valid.
        registry = file_hash(pipeline.config.path).removeprefix("sha256:")
    except OSError:
        registry = str(pipeline.config.path)
    s = pipeline.settings
    parts = {"registry": registry, "source": s.source, "backend": pipeline.backend_name,
             "compute_type": s.compute_type, "task": task}
    if task != "translate":
        parts.update(summarizer=summarizer, max_length=max_length, min_length=min_length)
    return Signature(parts).key(16)


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
    loaded = _attempt(lambda: load(item), item.id, "preparing")
    if isinstance(loaded, Exception):
        return Entry(item.id, None, error=error_dict(loaded))
    doc, content = loaded
    if done.get(item.id) == content:
        return Entry(item.id, content, skipped=True)
    prepared = _attempt(lambda: pipeline.prepare(doc, clean=plan.clean), item.id, "preparing")
    if isinstance(prepared, Exception):
        return Entry(item.id, content, error=error_dict(prepared))
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
    summary = _attempt(lambda: pipeline.summarize_translation(
        outcome, plan.summarizer, max_length=plan.max_length, min_length=plan.min_length), entry.id, "summarizing")
    if isinstance(summary, Exception):
        return FAILED, _record(plan, entry, error=error_dict(summary))
    return OK, _record(plan, entry, translated=outcome if plan.task == "both" else None, summary=summary)


def _attempt(work: Callable[[], T], item_id: str, doing: str) -> T | Exception:
    # One bad document must not stop an overnight run: any error (a missing model
    # included, tried again next run) becomes its record's; a stop signal stops the run.
    return attempt(work, name=item_id, doing=doing, whole_run_errors=False, unexpected=True)


def _record(plan: Plan, entry: Entry, **outcome: Any) -> dict[str, Any]:
    return record(entry.id, entry.content_hash, plan.run_key, plan.record_settings, **outcome)
