"""``mtsum translate`` and ``mtsum summarize``: articles in, English out, a result per input."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import click

from mtsum.cli.inputs import run_paths
from mtsum.cli.logs import log
from mtsum.cli.options import (
    batch_size_option,
    device_option,
    engine_options,
    input_format_option,
    models_option,
    offline_option,
    output_option,
    paths_argument,
    pipeline_settings,
    source_option,
    summarizer_option,
)
from mtsum.errors import MtsumError
from mtsum.render import documents


@click.command()
@paths_argument
@output_option
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text",
              show_default=True, help="json: one object per input, one per line (see README).")
@source_option
@device_option
@batch_size_option
@models_option
@click.option("--dedupe/--no-dedupe", default=False, show_default=True,
              help="Leave repeated paragraphs out of the output (default: faithful, every paragraph).")
@click.option("--clean/--no-clean", default=False, show_default=True,
              help="Drop boilerplate, captions and duplicates before translating (as summarize does).")
@input_format_option
@offline_option
@engine_options
@click.pass_context
def translate(ctx: click.Context, paths: tuple[str, ...], output: str | None, fmt: str, source: str,
              device: str | None, batch_size: int | None, models_path: str | None, dedupe: bool,
              clean: bool, input_format: str, offline: bool | None, **engine: Any) -> None:
    """Translate Swedish or German news (PATH, or - for stdin) to English.

    English paragraphs pass through untranslated; repeated segments are translated once,
    and several inputs share batches.
    """
    from mtsum.pipeline.core import Pipeline

    pipeline = Pipeline(models_path, pipeline_settings(ctx, engine, source=source, device=device,
                                                       batch_size=batch_size, dedupe=dedupe, offline=offline))

    def process(docs: list[Any]) -> Iterator[tuple[Any, Any]]:
        for doc, result in pipeline.translate_many(docs, clean=clean):
            if not isinstance(result, MtsumError):
                s = result.stats
                log.info("%s: %s, %d paragraphs, %d of %d segments translated (%d cached) in %.1f s",
                         doc.name, result.source_language, s.paragraphs, s.segments_translated,
                         s.segments, s.cache_hits, s.seconds)
            yield doc, result

    run_paths(ctx, paths, process, lambda result: documents.translation(result, fmt), output=output,
              suffix=".en" + documents.SUFFIXES[fmt], headers=fmt == "text" and len(paths) > 1,
              input_format=input_format)


@click.command()
@paths_argument
@output_option
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text",
              show_default=True, help="text: title and summary; json: one object per input, per line.")
@summarizer_option
@click.option("--max-length", type=click.IntRange(min=1), default=None,
              help="Longest summary, in model tokens (default: the model's own setting).")
@click.option("--min-length", type=click.IntRange(min=0), default=None,
              help="Shortest summary, in model tokens.")
@source_option
@device_option
@batch_size_option
@models_option
@input_format_option
@offline_option
@engine_options
@click.pass_context
def summarize(ctx: click.Context, paths: tuple[str, ...], output: str | None, fmt: str, summarizer: str,
              max_length: int | None, min_length: int | None, source: str, device: str | None,
              batch_size: int | None, models_path: str | None, input_format: str,
              offline: bool | None, **engine: Any) -> None:
    """Clean, translate and summarize articles (PATH, or - for stdin).

    Navigation, ads, bylines, captions and repeated paragraphs are removed before
    translation; long articles are summarized in chunks, never truncated.
    """
    from mtsum.pipeline.core import Pipeline

    pipeline = Pipeline(models_path, pipeline_settings(ctx, engine, source=source, device=device,
                                                       batch_size=batch_size, offline=offline))

    def process(docs: list[Any]) -> Iterator[tuple[Any, Any]]:
        for doc, result in pipeline.summarize_many(docs, summarizer, max_length=max_length,
                                                   min_length=min_length):
            if not isinstance(result, MtsumError):
                s = result.stats
                log.info("%s: %s, %d of %d paragraphs kept, %d chunk(s), %.1f s", doc.name,
                         result.source_language, s.kept_paragraphs, s.paragraphs, s.chunks, s.seconds)
            yield doc, result

    run_paths(ctx, paths, process, lambda result: documents.summary(result, fmt), output=output,
              suffix=".summary" + documents.SUFFIXES[fmt], headers=fmt == "text" and len(paths) > 1,
              input_format=input_format)
