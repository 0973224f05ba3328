"""Options shared by several commands, and the pipeline settings they make.

Choices come from :mod:`mtsum.settings`, where the allowed backends and sources are
listed once; defaults say which ``MTSUM_*`` variable applies when a flag is not given.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from mtsum.settings import BACKENDS, SOURCE_LANGUAGES, SOURCES

Decorator = Callable[[Any], Any]

paths_argument = click.argument("paths", nargs=-1, required=True, metavar="PATH...")
output_option = click.option(
    "-o", "--output", type=click.Path(), default=None,
    help="Write here instead of stdout; a directory (one file per input) when several inputs.")
models_option = click.option(
    "--models", "models_path", type=click.Path(dir_okay=False), default=None,
    help="Model registry (default: MTSUM_MODELS, else the packaged models.yaml).")
device_option = click.option(
    "--device", default=None, help="auto, cpu, cuda or cuda:N (default: MTSUM_DEVICE, else auto).")
offline_option = click.option(
    "--offline/--online", "offline", default=None,
    help="Never/allow contacting the Hugging Face hub (default: HF_HUB_OFFLINE).")
source_option = click.option(
    "--source", type=click.Choice(SOURCES), default="auto", show_default=True,
    help="Source language; anything but auto skips detection.")
batch_size_option = click.option(
    "--batch-size", type=click.IntRange(min=1), default=None,
    help="At most this many segments per model call (default: MTSUM_BATCH_SIZE, else 32).")
input_format_option = click.option(
    "--input-format", type=click.Choice(["auto", "text", "html"]), default="auto", show_default=True,
    help="auto: .html/.htm/.xhtml files and documents starting with <!DOCTYPE html> or <html> are HTML.")
format_option = click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
    help="Output format.")
summarizer_option = click.option(
    "--summarizer", type=click.Choice(["bart", "extractive"]), default="bart", show_default=True,
    help="extractive: ranked sentences of the article, no summarization model needed.")
#: ``mtsum eval translate --source``: a language with a translation model, or detection.
eval_source_option = click.option(
    "--source", type=click.Choice(["auto", *SOURCE_LANGUAGES]), default="auto",
    show_default=True, help="Source language of --src.")
cache_file_option = click.option(
    "--cache", "cache", type=click.Path(), default=None,
    help="Cache file (default: MTSUM_CACHE, else the user cache directory).")


def _apply(fn: Any, decorators: list[Decorator]) -> Any:
    """``decorators`` in the order they are listed in ``--help``."""
    for decorator in reversed(decorators):
        fn = decorator(fn)
    return fn


def engine_options(fn: Any) -> Any:
    """--backend, --compute-type, --max-batch-tokens and --cache/--no-cache (shared by the model commands)."""
    return _apply(fn, [
        click.option("--backend", type=click.Choice(BACKENDS), default=None,
                     help="auto (default; MTSUM_BACKEND): CTranslate2 where a converted model exists "
                          "and ctranslate2 is installed, else transformers."),
        click.option("--compute-type", default=None,
                     help="int8, int8_float16, float16, float32… (default: per model in models.yaml, "
                          "else the backend's default for the device)."),
        click.option("--max-batch-tokens", type=click.IntRange(min=1), default=None,
                     help="Padded tokens per model call (default: MTSUM_MAX_BATCH_TOKENS, else 4096)."),
        click.option("--cache", "cache", type=click.Path(), default=None,
                     help="Translation cache file (default: MTSUM_CACHE, else the user cache directory)."),
        click.option("--no-cache", "no_cache", is_flag=True, help="Neither read nor write the translation cache."),
    ])


def pipeline_options(fn: Any) -> Any:
    """Every option that builds a Pipeline: source, device, batch size, models, offline, engine."""
    return _apply(fn, [source_option, device_option, batch_size_option, models_option, offline_option,
                       engine_options])


def pipeline_settings(ctx: click.Context, engine: dict[str, Any], **kwargs: Any) -> Any:
    """A :class:`~mtsum.pipeline.core.Settings` from the engine options and ``kwargs``; progress
    bars unless ``--quiet``."""
    from mtsum.pipeline.core import Settings

    return Settings(backend=engine["backend"], compute_type=engine["compute_type"],
                    max_batch_tokens=engine["max_batch_tokens"],
                    cache=False if engine["no_cache"] else engine["cache"],
                    progress=not ctx.obj["quiet"], **kwargs)
