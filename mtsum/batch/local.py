"""``--engine local``: every stage in this process, documents sharing batches through
:meth:`~mtsum.pipeline.Pipeline.translate_prepared` (the engine of ``translate_many``)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from .records import Item
from .stages import Plan, prepare_entry, process


def run_local(items: Sequence[Item], plan: Plan, done: Mapping[str, str]
              ) -> Iterator[tuple[str, dict[str, Any] | None]]:
    """Yields ``(status, record)`` for every item, as each is finished."""
    pipeline = plan.pipeline()
    # A generator: each document is prepared just before its window needs it.
    entries = (prepare_entry(pipeline, plan, item, done) for item in items)
    yield from process(pipeline, plan, entries)
