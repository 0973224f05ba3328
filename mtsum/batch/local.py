"""``--engine local``: every stage in this process, documents sharing batches through
:meth:`~mtsum.pipeline.core.Pipeline.translate_prepared` (the engine of ``translate_many``)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from mtsum.batch.records import Item
from mtsum.batch.stages import Entry, Plan, prepare_entry, process

if TYPE_CHECKING:
    from mtsum.io.signals import StopWatch


def run_local(items: Sequence[Item], plan: Plan, done: Mapping[str, str], stop: StopWatch | None = None
              ) -> Iterator[tuple[str, dict[str, Any] | None]]:
    """Yields ``(status, record)`` for every item, as each is finished. A stop signal is
    checked before each document is prepared (``stop``), besides wherever it lands."""
    pipeline = plan.pipeline()

    def entries() -> Iterator[Entry]:  # each document is prepared just before its window needs it
        for item in items:
            if stop is not None:
                stop.check()
            yield prepare_entry(pipeline, plan, item, done)

    yield from process(pipeline, plan, entries(), stop=stop)
