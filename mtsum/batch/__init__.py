"""``mtsum batch``: a corpus translated and summarized in one resumable run, on one
machine (``engine="local"``) or a Ray cluster (``engine="ray"``), same records either way.

Modules: ``records`` (inputs and the record shape), ``stages`` (the CPU and model
stages both engines run), ``local`` and ``ray_engine`` (the engines; Ray is imported
only by the latter), ``output`` (atomic chunks merged into OUT) and ``resume``.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError, OutputError
from .records import TASKS, list_items

if TYPE_CHECKING:
    from ..config import ModelsConfig
    from ..pipeline import Settings

log = logging.getLogger(__name__)

ENGINES = ("local", "ray")
DEFAULT_CHUNK = 64

__all__ = ["ENGINES", "TASKS", "BatchReport", "run_batch"]


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
              docs_per_call: int | None = None) -> BatchReport:
    """Process every item of ``source`` (a folder or a JSON Lines file) into ``output``.

    A rerun with the same ``output`` skips the items already written with the same
    content and run key; a bad item becomes a record with its error and the run goes on.

    Raises:
        ConfigError: unknown engine, task or summarizer; bad worker settings.
        InputError: the input cannot be listed (see :func:`records.list_items`).
        OutputError: the output cannot be written or is being written by another run.
        MissingDependencyError: ``engine="ray"`` without Ray installed.
        Interrupted: SIGINT/SIGTERM; the finished records are kept in ``output``.
    """
    from ..pipeline import Pipeline
    from ..runs import stop_on_signals
    from .output import ChunkedOutput
    from .resume import completed
    from .stages import FAILED, OK, SKIPPED, make_plan

    if engine not in ENGINES:
        raise ConfigError(f"unknown engine '{engine}': use {', '.join(ENGINES)}")
    if task not in TASKS:
        raise ConfigError(f"unknown task '{task}': use {', '.join(TASKS)}")
    if chunk_size < 1:
        raise ConfigError(f"chunk size must be 1 or more, got {chunk_size}")
    if engine == "ray":
        from .ray_engine import import_ray

        import_ray()  # a missing extra is said before any file is read
    elif workers is not None or num_gpus_per_worker is not None or ray_address is not None:
        log.warning("--workers, --num-gpus-per-worker and --ray-address apply to --engine ray only; ignored")
    pipeline = Pipeline(models, settings)
    if task != "translate":
        pipeline.summarizer(summarizer)  # unknown or unconfigured: fail now, not per record
    plan = make_plan(pipeline, task, summarizer, max_length, min_length)
    _refuse_inside(Path(output), Path(source))
    items = list_items(source, text_field=text_field, id_field=id_field)
    report = BatchReport(engine=engine, inputs=len(items))
    out = ChunkedOutput(output, chunk_size=chunk_size)
    started = time.perf_counter()
    finished = False
    try:
        with stop_on_signals():
            done = completed(out.existing(), plan.run_key)
            if engine == "local":
                from .local import run_local

                stream = run_local(items, plan, done)
            else:
                from .ray_engine import MODEL_BATCH, run_ray

                stream = run_ray(items, plan, done, address=ray_address, workers=workers,
                                 num_gpus=num_gpus_per_worker, progress=pipeline.settings.progress,
                                 docs_per_call=docs_per_call or min(MODEL_BATCH, chunk_size))
            for status, rec in stream:
                if status == SKIPPED or rec is None:
                    report.skipped += 1
                    continue
                out.add(rec)
                if status == OK:
                    report.written += 1
                    report.target_words += (rec.get("stats") or {}).get("target_words", 0)
                elif status == FAILED:
                    report.failed += 1
                    report.exit_code = max(report.exit_code, (rec.get("error") or {}).get("exit_code", 1))
                    log.warning("%s", (rec.get("error") or {}).get("message"))
            finished = True
    finally:
        report.seconds = time.perf_counter() - started
        # Interrupted or failed: what is finished is still merged into OUT; the rest
        # of the input is done by the next run.
        report.records_in_output = out.close(merge=True)
        if not finished:
            log.warning("stopped: %d record(s) written; run the same command again to resume", report.written)
    return report


def _refuse_inside(output: Path, source: Path) -> None:
    try:
        same = output.resolve() == source.resolve()
    except OSError:
        same = False
    if same:
        raise OutputError(f"{output}: the output is also the input; choose another --output")


def describe(report: BatchReport) -> dict[str, Any]:
    """The report as JSON-ready numbers (bench and tests)."""
    return {"engine": report.engine, "inputs": report.inputs, "written": report.written,
            "failed": report.failed, "skipped": report.skipped, "seconds": round(report.seconds, 3),
            "documents_per_s": round(report.documents_per_s, 3), "target_words_per_s": round(report.words_per_s, 1)}
