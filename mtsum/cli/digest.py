"""``mtsum digest``: new articles translated, summarized and grouped into one English digest.

Presentation only: the work is in :mod:`mtsum.digest`.
"""

from __future__ import annotations

from typing import Any

import click

from mtsum.cli.logs import log, run_logging
from mtsum.cli.options import pipeline_options, pipeline_settings, summarizer_option


@click.command("digest")
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Folder for digest.md/.html/.json/.xml and translations/ (not an input folder).")
@click.option("--format", "formats", default="md,html,json,atom", show_default=True,
              help="Comma-separated: md, html, json, atom (digest.xml, an Atom feed).")
@click.option("--force", is_flag=True,
              help="Write into an --out folder that holds files mtsum did not write.")
@summarizer_option
@click.option("--since", default=None,
              help="Only files modified since: a date (2024-01-31), a time (2024-01-31T06:00) or an age (36h, 1d).")
@click.option("--title", default=None, help="Digest title (default: News digest).")
@click.option("--state", "state_path", type=click.Path(dir_okay=False), default=None,
              help="SQLite state (default: MTSUM_STATE, else digest.sqlite3 in the user data folder).")
@click.option("--rebuild", is_flag=True, help="Ignore the state: process every article again.")
@click.option("--threshold", type=click.FloatRange(0, 1, min_open=True), default=None,
              help="Story grouping: TF-IDF cosine similarity at which articles share a story [default: 0.15].")
@click.option("--wait", type=float, default=0.0, show_default=True,
              help="Seconds to wait for another digest using the same state or --out (-1: for ever); "
                   "then exit 75.")
@click.option("--log-file", type=click.Path(), default=None,
              help="Append a timestamped log here (also with --quiet).")
@click.option("-q", "--quiet", is_flag=True,
              help="Nothing on stdout or stderr unless something failed (for cron).")
@pipeline_options
@click.pass_context
def digest(ctx: click.Context, inputs: tuple[str, ...], out_dir: str, formats: str, force: bool,
           summarizer: str, since: str | None, title: str | None, state_path: str | None, rebuild: bool,
           threshold: float | None, wait: float, log_file: str | None, quiet: bool, source: str,
           device: str | None, batch_size: int | None, models_path: str | None,
           offline: bool | None, **engine: Any) -> None:
    """Translate, summarize and group new articles into one English digest.

    INPUT: files, folders (searched recursively for .txt, .html, .htm) or globs.
    Articles already in the state with the same content and models are not processed
    again; a killed run resumes where it stopped. Prints "N new, M unchanged, K failed";
    exit 4 if some articles failed, 2 if --out or the state cannot be used (checked
    before anything is read), 75 if another digest holds the state or --out.
    """
    from mtsum.digest import DEFAULT_STORY_THRESHOLD, build_digest, parse_since
    from mtsum.errors import ArticlesFailedError
    from mtsum.pipeline.core import Pipeline

    quiet = quiet or bool(ctx.obj.get("quiet"))
    when = parse_since(since) if since else None
    run_logging(ctx, quiet, log_file)
    settings = pipeline_settings(ctx, engine, source=source, device=device, batch_size=batch_size,
                                 offline=offline)
    # The digest draws one bar over the articles (on a terminal only); the engine's bars
    # over each article's sentences would only flicker under it.
    settings.progress = False
    report = build_digest(
        inputs, out_dir, formats=formats.split(","), summarizer=summarizer, since=when, title=title,
        state_path=state_path, rebuild=rebuild, pipeline=Pipeline(models_path, settings),
        story_threshold=DEFAULT_STORY_THRESHOLD if threshold is None else threshold, wait=wait, force=force,
        progress=not quiet, log_file=log_file,
    )
    log.debug("digest took %.2f s", report.seconds)
    failed = bool(report.failed)
    if failed or not quiet:
        click.echo(report.summary_line)
    if log_file:
        log.info("%s", report.summary_line)
    ctx.exit(ArticlesFailedError.exit_code if failed else 0)
