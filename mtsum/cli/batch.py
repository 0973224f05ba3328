"""``mtsum batch``: a corpus to one record per input, resumable, locally or on Ray.

Presentation only: the work is in :mod:`mtsum.batch`.
"""

from __future__ import annotations

from typing import Any

import click

from mtsum.cli.logs import keep_file_only_records_off_stderr, log, run_logging
from mtsum.cli.options import pipeline_options, pipeline_settings


@click.command("batch")
@click.argument("input_path", metavar="INPUT", type=click.Path(exists=True))
@click.option("-o", "--output", required=True, type=click.Path(),
              help="Records go here: .jsonl (JSON Lines) or .parquet. An existing OUT is resumed.")
@click.option("--engine", type=click.Choice(["local", "ray"]), default="local", show_default=True,
              help="local: this process; ray: a Ray Data pipeline (pip install 'mtsum[ray]').")
@click.option("--ray-address", default=None,
              help="Ray cluster to join (auto: the one `ray start` made here; default: RAY_ADDRESS, "
                   "else a Ray instance for this run).")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Ray model workers (default: one per GPU share, else all CPUs but one).")
@click.option("--num-gpus-per-worker", type=click.FloatRange(min=0), default=None,
              help="GPUs per Ray model worker, e.g. 0.5 for two per GPU (default: 1 with --device cuda, else 0).")
@click.option("--task", type=click.Choice(["translate", "summarize", "both"]), default="translate",
              show_default=True, help="summarize/both clean the articles first, as `mtsum summarize` does.")
@click.option("--summarizer", type=click.Choice(["bart", "extractive"]), default="bart", show_default=True)
@click.option("--text-field", default="text", show_default=True, help="JSON Lines: the field holding the text.")
@click.option("--id-field", default="id", show_default=True, help="JSON Lines: the field holding the id.")
@click.option("--chunk-size", type=click.IntRange(min=1), default=64, show_default=True,
              help="Each record is committed to OUT's journal as it finishes; it is fsynced every this "
                   "many records (with --engine ray also the documents per model call, at most 32).")
@click.option("--force", is_flag=True,
              help="Replace an existing OUT that mtsum did not write (it is refused otherwise).")
@click.option("--log-file", type=click.Path(), default=None,
              help="Append a timestamped log here, with a progress line every --log-every documents.")
@click.option("--log-every", type=click.IntRange(min=1), default=25, show_default=True,
              help="With --log-file: a progress line every this many documents (and one at the end).")
@pipeline_options
@click.pass_context
def batch(ctx: click.Context, input_path: str, output: str, engine: str, ray_address: str | None,
          workers: int | None, num_gpus_per_worker: float | None, task: str, summarizer: str,
          text_field: str, id_field: str, chunk_size: int, force: bool, log_file: str | None,
          log_every: int, source: str, device: str | None, batch_size: int | None,
          models_path: str | None, offline: bool | None, **options: Any) -> None:
    """Translate (and summarize) a corpus: INPUT is a folder of .txt/.html files or a
    JSON Lines file ({"id": ..., "text": ...} per line).

    One record per input is written to OUT; a bad input is recorded with its error
    and the run goes on; a rerun skips what OUT already holds. The last stderr line
    gives the counts and the throughput; a progress bar is drawn on a terminal.
    An existing OUT that mtsum did not write is refused (exit 2) unless --force.
    """
    from mtsum.batch import run_batch

    run_logging(ctx, bool(ctx.obj.get("quiet")), log_file)  # the same log file setup as digest's
    if log_file:  # progress lines and the last line go to the log; stderr has the bar and its own line
        keep_file_only_records_off_stderr(ctx)
    settings = pipeline_settings(ctx, options, source=source, device=device, batch_size=batch_size,
                                 offline=offline)
    report = run_batch(
        input_path, output, engine=engine, models=models_path, settings=settings,
        task=task, summarizer=summarizer, text_field=text_field, id_field=id_field, workers=workers,
        num_gpus_per_worker=num_gpus_per_worker, ray_address=ray_address, chunk_size=chunk_size, force=force,
        log_every=log_every if log_file else None)
    click.echo(f"mtsum: {report.summary_line()}", err=True)
    if log_file:
        log.info("%s", report.summary_line(), extra={"log_file_only": True})
    ctx.exit(report.exit_code)
