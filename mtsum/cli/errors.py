"""The one place where an exception becomes what the user sees.

An ``mtsum.errors`` exception is one line, ``mtsum: error: <message>``, on stderr and the
exit code its class documents (2 bad input or settings, 3 model unavailable, 4 some
articles failed, 75 state locked, 130/143 interrupted); anything else is exit 1 with a
hint to re-run with ``--debug``, which also prints the traceback.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from typing import Any

import click

from mtsum.errors import Interrupted, MtsumError


class ErrorMappingGroup(click.Group):
    """The ``mtsum`` group: maps whatever a command raises to one stderr line and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (MtsumError, Interrupted) as exc:
            fail(ctx, exc, exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("mtsum: interrupted", err=True)
            ctx.exit(130)
        except Exception as exc:
            fail(ctx, exc, 1, unexpected=True)


def _debug(ctx: click.Context) -> bool:
    return bool(ctx.obj and ctx.obj.get("debug"))


def _message(exc: BaseException) -> str:
    # One line, whatever the message holds: scripts read the last stderr line.
    return str(exc).replace("\n", " ")


def fail(ctx: click.Context, exc: BaseException, code: int, unexpected: bool = False) -> None:
    """Print ``exc`` as one line (and its traceback with --debug), then exit with ``code``."""
    if _debug(ctx):
        traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
    msg = _message(exc) or type(exc).__name__
    if unexpected:
        msg = f"unexpected {type(exc).__name__}: {msg} (re-run with --debug for details)"
    click.echo(f"mtsum: error: {msg}", err=True)
    ctx.exit(code)


def input_error_reporter(ctx: click.Context) -> Callable[[str, MtsumError], None]:
    """The runner's ``on_error``: one stderr line per failed input (and a traceback with --debug);
    the run goes on with the other inputs."""

    def report(name: str, exc: MtsumError) -> None:
        if _debug(ctx):
            traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
        click.echo(f"mtsum: error: {_message(exc)}", err=True)

    return report
