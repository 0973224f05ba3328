"""How the per-document commands (detect, translate, clean, summarize) run: every input
through the library, each result rendered to stdout, one file or a folder of files."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import click

from mtsum.cli.errors import input_error_reporter


def run_paths(ctx: click.Context, paths: tuple[str, ...], process: Any,
              render: Callable[[Any], Iterable[str]], *, output: str | None = None, suffix: str = "",
              headers: bool = False, input_format: str = "auto") -> None:
    """Check the output, run every input through ``process``, exit with the worst code.

    A failed input is one stderr line; the others go on (see :func:`mtsum.runs.run_inputs`).
    """
    from mtsum.runs import open_sink, run_inputs

    sink = open_sink(output, paths, suffix, headers=headers)
    report = run_inputs(paths, process, sink, render, input_format=input_format,
                        on_error=input_error_reporter(ctx))
    ctx.exit(report.exit_code)
