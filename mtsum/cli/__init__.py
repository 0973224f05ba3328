"""The ``mtsum`` command line: parse options, call the library, print what render/ makes of it.

Only this package imports click. One module per command group:

| module | commands |
|---|---|
| ``run`` | translate, summarize |
| ``clean`` | clean, detect |
| ``digest`` | digest |
| ``batch`` | batch |
| ``models`` | models list / pull / verify / convert |
| ``cache`` | cache stats / clear |
| ``eval`` | eval translate / summarize |
| ``doctor`` | doctor |

``options`` holds the shared options, ``errors`` maps library errors to one stderr line and
their exit code, ``logs`` the ``mtsum`` logger's handlers, ``quiet`` keeps transformers and
huggingface_hub quiet, ``inputs`` runs the per-document commands. Heavy imports stay inside
the commands: ``import mtsum.cli`` and ``mtsum --help`` load no model library.
"""

from __future__ import annotations

import logging
import signal

import click

from mtsum import settings
from mtsum.cli import quiet
from mtsum.cli.batch import batch
from mtsum.cli.cache import cache
from mtsum.cli.clean import clean, detect
from mtsum.cli.digest import digest
from mtsum.cli.doctor import doctor
from mtsum.cli.errors import ErrorMappingGroup
from mtsum.cli.eval import eval_
from mtsum.cli.logs import setup_logging
from mtsum.cli.models import models
from mtsum.cli.run import summarize, translate

__all__ = ["main"]


@click.group(cls=ErrorMappingGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logs.")
@click.option("-q", "--quiet", "quiet_", is_flag=True, help="Only errors on stderr.")
@click.version_option(package_name="mtsum")
@click.pass_context
def main(ctx: click.Context, debug: bool, quiet_: bool) -> None:
    """Read Swedish or German news in English: detect, translate, clean, summarize.

    \b
    Exit codes: 0 success, 1 unexpected error, 2 usage error or bad input
    (missing/empty/binary file, unsupported language, bad models.yaml, an output
    path that cannot be written), 3 model not available (not cached and not
    reachable, or a missing model path), 4 some articles failed (digest),
    75 another digest holds the state or --out, 130/143 interrupted (SIGINT/SIGTERM).
    """
    # `mtsum ... | head` must end quietly, not with a BrokenPipeError traceback.
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    ctx.obj = {"debug": debug, "quiet": quiet_}
    setup_logging(logging.DEBUG if debug else logging.ERROR if quiet_ else logging.INFO)
    if not debug:
        # transformers/huggingface_hub chatter is noise for users; --debug shows it. A user's
        # own TRANSFORMERS_VERBOSITY / HF_HUB_DISABLE_PROGRESS_BARS wins, as it always did.
        if not settings.env("TRANSFORMERS_VERBOSITY"):
            ctx.call_on_close(quiet.transformers_errors_only())
        show_progress_bars = quiet.hide_progress_bars()
        ctx.obj["show_progress_bars"] = show_progress_bars  # `models pull` wants them back
        ctx.call_on_close(show_progress_bars)


for command in (translate, summarize, clean, detect, digest, batch, models, cache, eval_, doctor):
    main.add_command(command)
