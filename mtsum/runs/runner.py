"""The per-input loop: read every input, run them through one ``process`` step, write
each outcome as soon as it exists, and keep going when one input fails.

``process`` receives all documents at once, so an engine can batch across them; it
yields ``(document, outcome)`` pairs in any order — the Document objects it was
given — where an outcome is a result or the :class:`~mtsum.errors.MtsumError` that
stopped that one document (one pair per document; a document it never yields is
simply not written). An error it
*raises* concerns the whole run and stops it (after discarding what is unfinished).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

from mtsum.errors import MtsumError
from mtsum.io.inputs import Document, read_input
from mtsum.io.signals import StopWatch
from mtsum.runs.attempt import attempt
from mtsum.runs.sinks import Sink

log = logging.getLogger(__name__)

Outcome = Any  # a result object, or the MtsumError that failed its document
Process = Callable[[list[Document]], Iterator[tuple[Document, Outcome]]]
Render = Callable[[Any], Iterable[str]]
OnError = Callable[[str, MtsumError], None]


@dataclass
class RunReport:
    """What a run did; ``exit_code`` is the worst code seen (0: everything written)."""

    inputs: int = 0
    written: int = 0
    failed: list[tuple[str, MtsumError]] = field(default_factory=list)
    exit_code: int = 0


def run_inputs(paths: Sequence[str], process: Process, sink: Sink, render: Render, *,
               input_format: str = "auto", on_error: OnError | None = None,
               handle_signals: bool = True) -> RunReport:
    """Read ``paths``, run the readable ones through ``process``, write each result.

    A per-input failure (unreadable input, unsupported language, a model missing for
    that input's language) is passed to ``on_error`` and counted; the others go on.
    With ``handle_signals``, SIGINT/SIGTERM raise :class:`~mtsum.errors.Interrupted`
    (exit 130/143) and the sink keeps only finished files; a stop whose exception a
    library swallowed is acted on after the document that was being processed.

    Raises:
        MtsumError: an error that concerns the whole run (bad registry, bad device),
            an output that cannot be written, or Interrupted.
    """
    report = RunReport(inputs=len(paths))

    def failed(name: str, exc: MtsumError) -> None:
        report.failed.append((name, exc))
        report.exit_code = max(report.exit_code, exc.exit_code)
        if on_error is not None:
            on_error(name, exc)

    committed = False
    stop = StopWatch()  # never set without handle_signals: its checks then pass
    with stop.watching() if handle_signals else nullcontext():
        try:
            docs: list[Document] = []
            index: dict[int, int] = {}
            for i, path in enumerate(paths):
                doc = attempt(lambda path=path: read_input(path, input_format))
                if isinstance(doc, MtsumError):
                    failed(path, doc)
                    continue
                index[id(doc)] = i
                docs.append(doc)
            stop.check()
            if docs:
                for doc, outcome in process(docs):
                    if isinstance(outcome, MtsumError):
                        failed(doc.name, outcome)
                    else:
                        sink.write(_position(doc, index, docs), doc.name, render(outcome))
                        report.written += 1
                    stop.check()
            committed = True
        finally:
            sink.close(commit=committed)
    return report


def _position(doc: Document, index: dict[int, int], docs: list[Document]) -> int:
    """The input position of ``doc``: by identity, else (a process that made new
    Document objects) by the first equal document."""
    if id(doc) in index:
        return index[id(doc)]
    for known in docs:
        if known == doc:
            return index[id(known)]
    raise ValueError(f"process yielded a document it was not given: {doc.name}")


def per_document(work: Callable[[Document], Any]) -> Process:
    """A ``process`` that calls ``work(doc)`` on each document in turn, yielding a
    per-input MtsumError as that document's outcome instead of raising it."""

    def process(docs: list[Document]) -> Iterator[tuple[Document, Outcome]]:
        for doc in docs:
            yield doc, attempt(lambda doc=doc: work(doc))

    return process

