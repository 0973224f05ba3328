"""One document's failure is that document's, never the run's: the one place the
run loops (``run_inputs``, the digest, both batch engines) turn an error into a
per-document outcome.

A stop signal is the run's: :class:`~mtsum.errors.Interrupted` is a BaseException,
so it passes every ``except Exception``, and one that a library caught and wrapped in
its own error is found in the chain and raised again (:func:`reraise_stop`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from mtsum.errors import Interrupted, MtsumError
from mtsum.io.names import shown

log = logging.getLogger(__name__)
T = TypeVar("T")


def attempt(work: Callable[[], T], *, name: str = "", doing: str = "", whole_run_errors: bool = True,
            unexpected: bool = False) -> T | Exception:
    """``work()``, or the error that failed this one document, returned instead of raised.

    ``whole_run_errors``: an MtsumError that is not ``per_input`` (a bad registry, a bad
    device) concerns the whole run and is raised; False returns it too (a batch records
    even a missing model per document, and tries again next run). ``unexpected``: any
    other Exception is returned as well (a bug in a library must not stop an overnight
    run), with a warning naming ``name`` and what was being done (``doing``).

    Raises:
        Interrupted: a stop signal, even one wrapped in another error.
        MtsumError: one that concerns the whole run (see ``whole_run_errors``).
        Exception: any other, unless ``unexpected``.
    """
    try:
        return work()
    except MtsumError as exc:
        reraise_stop(exc)
        if whole_run_errors and not exc.per_input:
            raise
        return exc
    except Exception as exc:
        if not unexpected:
            raise
        reraise_stop(exc)
        log.warning("%s: unexpected %s while %s: %s", name, type(exc).__name__, doing, shown(exc))
        return exc


def reraise_stop(exc: BaseException) -> None:
    """Raise the Interrupted found in ``exc``'s chain (``__cause__``/``__context__``), if any."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, Interrupted):
            raise cause
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
