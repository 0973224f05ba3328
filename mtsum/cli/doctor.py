"""``mtsum doctor``: versions, devices, the model cache and what is missing.

Presentation only: the probes are in :mod:`mtsum.doctor`.
"""

from __future__ import annotations

import click

from mtsum.cli.options import device_option, format_option, models_option
from mtsum.render import reports
from mtsum.render.json import json_document


@click.command("doctor")
@models_option
@device_option
@format_option
def doctor(models_path: str | None, device: str | None, fmt: str) -> None:
    """Report versions, devices, the model cache and what is missing."""
    from mtsum.doctor import collect_report

    report = collect_report(models_path, device=device)
    click.echo(json_document(report) if fmt == "json" else reports.doctor_report(report))
