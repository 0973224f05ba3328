"""``mtsum models``: list, pull, verify and convert the models in the registry (models.yaml).

Presentation only: the work is in :mod:`mtsum.models.manage`.
"""

from __future__ import annotations

import sys

import click

from mtsum.cli.logs import log
from mtsum.cli.options import device_option, format_option, models_option, offline_option
from mtsum.render import reports
from mtsum.render.json import json_document


@click.group("models")
def models() -> None:
    """List, download and check the models in the registry (models.yaml)."""


@models.command("list")
@models_option
@format_option
def list_(models_path: str | None, fmt: str) -> None:
    """Show each configured model, whether it is on disk, its size and formats.

    Looks at local files only: never contacts the hub.
    """
    from mtsum.config import load_models_config
    from mtsum.models.manage import list_models

    statuses = list_models(load_models_config(models_path))
    if fmt == "json":
        click.echo(json_document([s.to_dict() for s in statuses]))
        return
    click.echo(reports.models_list(statuses))
    for note in reports.models_list_notes(statuses):
        click.echo(note, err=True)


@models.command("pull")
@click.argument("names", nargs=-1)
@models_option
@click.option("--to", "to", type=click.Path(file_okay=False), default=None,
              help="Write a self-contained folder (models + models.yaml) to copy to "
                   "a machine without network.")
@click.option("--revision", default=None,
              help="Pull this hub commit/branch/tag instead of the configured one (one NAME).")
@click.option("--convert/--no-convert", "convert", default=None,
              help="Also convert for the fast CTranslate2 backend and check it against float32 "
                   "(default: when ctranslate2 is installed; not with --to).")
@offline_option
@format_option
@click.pass_context
def pull(ctx: click.Context, names: tuple[str, ...], models_path: str | None,
         to: str | None, revision: str | None, convert: bool | None, offline: bool | None,
         fmt: str) -> None:
    """Download the configured models (all, or NAMEs such as sv, de, summarization).

    Models already in the Hugging Face cache are not downloaded again; with --to
    they are copied from the cache, without network.
    """
    from mtsum.config import load_models_config
    from mtsum.models.manage import pull_models

    obj = ctx.obj or {}
    progress = sys.stderr.isatty() and not obj.get("quiet")
    if progress and "show_progress_bars" in obj:
        obj["show_progress_bars"]()  # main() hides the hub's bars; a pull is where they belong
    report = pull_models(load_models_config(models_path), list(names), to=to,
                         progress=progress, revision=revision, offline=offline, convert=convert)
    for c in report.converted:
        if c.message:
            log.warning("%s: %s", c.name, c.message)
    if fmt == "json":
        click.echo(json_document(report.to_dict()))
        return
    click.echo(reports.pull_report(report))


@models.command("verify")
@click.argument("names", nargs=-1)
@models_option
@device_option
@offline_option
@format_option
def verify(names: tuple[str, ...], models_path: str | None, device: str | None,
           offline: bool | None, fmt: str) -> None:
    """Load each model and run one short generation; exit 3 if any fails.

    Never downloads: a model that is not on disk is reported with the fix.
    """
    from mtsum.config import load_models_config
    from mtsum.errors import ModelUnavailableError
    from mtsum.models.manage import verify_models

    results = verify_models(load_models_config(models_path), device=device,
                            names=list(names), offline=offline)
    click.echo(json_document([r.to_dict() for r in results]) if fmt == "json" else reports.verify_report(results))
    for r in results:
        for a in r.agreement:
            if a["warning"]:
                log.warning("%s: %s", r.name, a["warning"])
    failed = [r for r in results if not r.ok]
    if failed:
        raise ModelUnavailableError(
            f"{len(failed)} of {len(results)} model(s) failed verification: "
            f"{', '.join(r.name for r in failed)} (see the report above)"
        )


@models.command("convert")
@click.argument("names", nargs=-1)
@models_option
@click.option("--compute-type", "compute_type", default="int8", show_default=True,
              help="Weights to store: int8, int8_float16, int8_float32, int8_bfloat16, int16, float16, "
                   "bfloat16 or float32.")
@click.option("--force", is_flag=True, help="Convert again even if an up-to-date conversion exists.")
@offline_option
@format_option
def convert(names: tuple[str, ...], models_path: str | None, compute_type: str, force: bool,
            offline: bool | None, fmt: str) -> None:
    """Convert the configured models (all, or NAMEs) for the CTranslate2 backend.

    Needs `pip install 'mtsum[fast]'`. Conversions are kept in mtsum's cache folder,
    keyed by model, revision and compute type; `--backend auto` then uses them.
    """
    from mtsum.config import load_models_config
    from mtsum.models.manage import convert_models

    done = convert_models(load_models_config(models_path), list(names), compute_type,
                          offline=offline, force=force)
    if fmt == "json":
        click.echo(json_document([m.to_dict() for m in done]))
        return
    click.echo(reports.convert_report(done))
