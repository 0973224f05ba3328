"""``mtsum clean`` and ``mtsum detect``: a look at the input before any model, a result per input."""

from __future__ import annotations

from typing import Any

import click

from mtsum.cli.inputs import run_paths
from mtsum.cli.options import input_format_option, output_option, paths_argument, source_option
from mtsum.render import documents


@click.command()
@paths_argument
@output_option
@click.option("--format", "fmt", type=click.Choice(["text", "json", "marked"]), default="text",
              show_default=True,
              help="text: the kept text; marked: every paragraph marked T (headline), + (kept) or "
                   "- (removed, with reason and rule); json: see README.")
@source_option
@input_format_option
@click.pass_context
def clean(ctx: click.Context, paths: tuple[str, ...], output: str | None, fmt: str, source: str,
          input_format: str) -> None:
    """Show what cleaning keeps of each input (PATH, or - for stdin), untranslated.

    The same cleaning as translate --clean and summarize, with no model: a quick look
    before a long run, or a check of your own rules (MTSUM_RULES_DIR).
    """
    from mtsum.pipeline.prepare import clean_document
    from mtsum.runs import per_document

    run_paths(ctx, paths, per_document(lambda doc: clean_document(doc, source)),
              lambda result: documents.cleaning(result, fmt), output=output,
              suffix=documents.CLEANING_SUFFIXES[fmt], headers=fmt != "json" and len(paths) > 1,
              input_format=input_format)


@click.command()
@paths_argument
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def detect(ctx: click.Context, paths: tuple[str, ...], fmt: str) -> None:
    """Print the language of each input: path, language code, confidence.

    Any language is reported; only sv, de and en can be translated.
    """
    from mtsum.detect import detect_language
    from mtsum.runs import per_document

    def render(item: tuple[str, Any]) -> Any:
        return documents.detection(*item, fmt)

    run_paths(ctx, paths, per_document(lambda doc: (doc.name, detect_language(doc.text))), render)
