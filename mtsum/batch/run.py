"""``run_batch``: check the output, list the inputs, stream records through an engine
into the output, and report. Each record is committed as it finishes, so a stopped
run resumes where it was (``resume``)."""


from __future__ import annotations

import logging
import time
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mtsum.batch.records import TASKS, list_items
from mtsum.errors import ConfigError, OutputError
from mtsum.io.names import shown

if TYPE_CHECKING:
    from mtsum.batch.output import ChunkedOutput
    from mtsum.batch.progress import Progress
    from mtsum.batch.records import Item
    from mtsum.batch.stages import Plan
    from mtsum.config import ModelsConfig
    from mtsum.io.signals import StopWatch
    from mtsum.pipeline.core import Pipeline, Settings

log = logging.getLogger(__name__)

ENGINES = ("local", "ray")
# What an engine yields: (status, record) per item, record None when skipped.
Records = Generator[tuple[str, "dict[str, Any] | None"], None, None]
DEFAULT_CHUNK = 64


@dataclass
class BatchReport:
    """What a batch run did. ``target_words`` counts the English words produced
    (translations and summaries): the throughput's stand-in for target tokens."""

    engine: str
    inputs: int = 0
    written: int = 0
    failed: int = 0
    skipped: int = 0  # already in OUT from an earlier run with the same content and settings
    target_words: int = 0
    seconds: float = 0.0
    records_in_output: int = 0
    exit_code: int = 0

    @property
    def documents_per_s(self) -> float:
        return (self.written + self.failed) / self.seconds if self.seconds > 0 else 0.0

    @property
    def words_per_s(self) -> float:
        return self.target_words / self.seconds if self.seconds > 0 else 0.0

    def summary_line(self) -> str:
        return (f"batch ({self.engine}): {self.inputs} inputs: {self.written} written, {self.failed} failed, "
                f"{self.skipped} skipped (already done) in {self.seconds:.1f} s: "
                f"{self.documents_per_s:.2f} documents/s, {self.words_per_s:.0f} target words/s")


def run_batch(source: str | Path, output: str | Path, *, engine: str = "local",
              models: str | Path | ModelsConfig | None = None, settings: Settings | None = None,
              task: str = "translate", summarizer: str = "bart", max_length: int | None = None,
              min_length: int | None = None, text_field: str = "text", id_field: str = "id",
              workers: int | None = None, num_gpus_per_worker: float | None = None,
              ray_address: str | None = None, chunk_size: int = DEFAULT_CHUNK,
              docs_per_call: int | None = None, force: bool = False,
              log_every: int | None = None) -> BatchReport:
    """Process every item of ``source`` (a folder or a JSON Lines file) into ``output``.

    A rerun with the same ``output`` skips the items already written with the same
    content and run key; a bad item becomes a record with its error and the run goes on.
    ``output`` is checked before any input is read; one that holds data mtsum did not
    write is refused unless ``force``. Each record is committed as it finishes. A
    progress bar is drawn on stderr when ``settings.progress`` and stderr is a terminal;
    ``log_every`` logs a progress line every that many documents and at the end.

    Raises:
        ConfigError: unknown engine, task or summarizer; bad worker settings.
        InputError: the input cannot be listed (see :func:`records.list_items`).
        OutputError: the output cannot be written, holds data mtsum did not write, or
            is being written by another run.
        MissingDependencyError: ``engine="ray"`` without Ray installed.
        Interrupted: SIGINT/SIGTERM; the finished records are kept in ``output``.
    """
    from mtsum.io.signals import StopWatch

    if engine not in ENGINES:
        raise ConfigError(f"unknown engine '{engine}': use {', '.join(ENGINES)}")
    if task not in TASKS:
        raise ConfigError(f"unknown task '{task}': use {', '.join(TASKS)}")
    if chunk_size < 1:
        raise ConfigError(f"chunk size must be 1 or more, got {chunk_size}")
    if log_every is not None and log_every < 1:
        raise ConfigError(f"log_every must be 1 or more, got {log_every}")
    if engine == "ray":
        from mtsum.batch.ray_engine import import_ray

        import_ray()  # a missing extra is said before any file is read
    elif workers is not None or num_gpus_per_worker is not None or ray_address is not None:
        log.warning("--workers, --num-gpus-per-worker and --ray-address apply to --engine ray only; ignored")
    stop = StopWatch()
    with stop.watching():
        return _run(source, output, engine=engine, models=models, settings=settings, task=task,
                    summarizer=summarizer, max_length=max_length, min_length=min_length, text_field=text_field,
                    id_field=id_field, chunk_size=chunk_size, force=force, log_every=log_every, stop=stop,
                    workers=workers, num_gpus_per_worker=num_gpus_per_worker, ray_address=ray_address,
                    docs_per_call=docs_per_call)


def _run(source: str | Path, output: str | Path, *, engine: str, models: Any, settings: Settings | None,
         task: str, summarizer: str, max_length: int | None, min_length: int | None, text_field: str,
         id_field: str, chunk_size: int, force: bool, log_every: int | None, stop: StopWatch,
         **engine_options: Any) -> BatchReport:
    from mtsum.batch.output import ChunkedOutput
    from mtsum.batch.progress import Progress
    from mtsum.batch.resume import completed

    # The output first: a bad one is said at once, before models load or input is read.
    _refuse_inside(Path(output), Path(source))
    out = ChunkedOutput(output, chunk_size=chunk_size, force=force)
    report = BatchReport(engine=engine)
    started = time.perf_counter()
    finished = False
    progress: Progress | None = None
    stream: Records | None = None
    try:
        plan, bar = _plan(models, settings, task, summarizer, max_length, min_length)
        items = list_items(source, text_field=text_field, id_field=id_field)
        report.inputs = len(items)
        done = completed(out.existing(), plan.run_key)
        started = time.perf_counter()
        progress = Progress(len(items), bar=bar, log_every=log_every, engine=engine)
        stream = _stream(engine, items, plan, done, stop, chunk_size=chunk_size, **engine_options)
        for status, rec in stream:
            progress.update(status, rec)
            _count(report, status, rec, out)
            stop.check()
        finished = True
    finally:
        report.seconds = time.perf_counter() - started
        _end(report, out, stream, progress, finished)
    # A stop that came while the run was ending (Ray's shutdown, an import's lock
    # callback) may have had its exception swallowed: the run still ends as stopped.
    stop.check()
    return report


def _plan(models: Any, settings: Settings | None, task: str, summarizer: str, max_length: int | None,
          min_length: int | None) -> tuple[Plan, bool]:
    """The run's plan (what every worker rebuilds its pipeline from), checked now, and
    whether a progress bar was asked for."""
    from mtsum.batch.stages import make_plan
    from mtsum.pipeline.core import Pipeline

    pipeline = Pipeline(models, settings)
    if task != "translate":
        pipeline.summarizer(summarizer)  # unknown or unconfigured: fail now, not per record
    plan = make_plan(pipeline, task, summarizer, max_length, min_length)
    tip = conversion_tip(pipeline)
    if tip:
        log.info("tip: %s", tip)
    return plan, pipeline.settings.progress


def _stream(engine: str, items: list[Item], plan: Plan, done: dict[str, str], stop: StopWatch, *,
            chunk_size: int, workers: int | None, num_gpus_per_worker: float | None, ray_address: str | None,
            docs_per_call: int | None) -> Records:
    """``(status, record)`` for every item, from the engine asked for."""
    if engine == "local":
        from mtsum.batch.local import run_local

        return run_local(items, plan, done, stop=stop)
    from mtsum.batch.ray_engine import MODEL_BATCH, run_ray

    return run_ray(items, plan, done, address=ray_address, workers=workers, num_gpus=num_gpus_per_worker,
                   progress=False, stop=stop, docs_per_call=docs_per_call or min(MODEL_BATCH, chunk_size))


def _count(report: BatchReport, status: str, rec: dict[str, Any] | None, out: ChunkedOutput) -> None:
    """One finished item: its record committed to ``out`` now (a kill loses at most the
    documents in flight) and counted."""
    from mtsum.batch.stages import FAILED, OK, SKIPPED

    if status == SKIPPED or rec is None:
        report.skipped += 1
        return
    out.add(rec)
    if status == OK:
        report.written += 1
        report.target_words += (rec.get("stats") or {}).get("target_words", 0)
    elif status == FAILED:
        report.failed += 1
        report.exit_code = max(report.exit_code, (rec.get("error") or {}).get("exit_code", 1))
        log.warning("%s", (rec.get("error") or {}).get("message"))


def _end(report: BatchReport, out: ChunkedOutput, stream: Records | None, progress: Progress | None,
         finished: bool) -> None:
    """Close the engine, the bar and the output, whatever happened."""
    try:
        if stream is not None:
            stream.close()  # now, not when collected: Ray is shut down, its handlers undone
    finally:
        if progress is not None:
            progress.close()
        # Interrupted or failed: what is finished is still merged into OUT; the rest of
        # the input is done by the next run. A run that never started leaves OUT as it was.
        report.records_in_output = out.close(merge=progress is not None)
        if not finished and progress is not None:
            log.warning("stopped: %d record(s) written; run the same command again to resume", report.written)


def conversion_tip(pipeline: Pipeline) -> str | None:
    """The hint that ``mtsum models convert`` would speed this run up: CTranslate2 is
    installed, the backend is ``auto``, and a translation model this run uses has no
    conversion (so it runs on transformers)."""
    from mtsum.backends import ctranslate2_installed

    if pipeline.backend_name != "auto" or pipeline.settings.source == "en" or not ctranslate2_installed():
        return None
    from mtsum.backends.convert import find_converted

    languages = [pipeline.settings.source] if pipeline.settings.source in pipeline.config.translation else None
    specs = [spec for lang, spec in sorted(pipeline.config.translation.items())
             if (languages is None or lang in languages) and spec.backend in (None, "auto")]
    compute = pipeline.settings.compute_type
    if not any(find_converted(spec, compute or spec.compute_type) is None for spec in specs):
        return None
    return ("`mtsum models convert` makes translation 2-4× faster on CPU "
            "(CTranslate2 is installed, no conversion found)")


def _refuse_inside(output: Path, source: Path) -> None:
    try:
        same = output.resolve() == source.resolve() or (output.exists() and output.samefile(source))
    except OSError:
        same = False
    if same:
        raise OutputError(f"{shown(output)}: the output is also the input; choose another --output")


def describe(report: BatchReport) -> dict[str, Any]:
    """The report as JSON-ready numbers (bench and tests)."""
    return {"engine": report.engine, "inputs": report.inputs, "written": report.written,
            "failed": report.failed, "skipped": report.skipped, "seconds": round(report.seconds, 3),
            "documents_per_s": round(report.documents_per_s, 3), "target_words_per_s": round(report.words_per_s, 1)}
