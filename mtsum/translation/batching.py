"""Batching in one place, for every model: sort by length, cut by a token budget, back off on OOM.

Padding makes a batch cost about ``len(batch) * longest``; sorting by length keeps
that close to the real token count, and a budget on it (rather than a fixed item
count) lets short headlines go 64 at a time while long sentences go a few at a time.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence
from typing import TypeVar

from mtsum.errors import BackendOOMError

log = logging.getLogger(__name__)
T = TypeVar("T")

DEFAULT_MAX_BATCH_TOKENS = 4096
DEFAULT_BATCH_SIZE = 32


def plan_batches(lengths: Sequence[int], max_tokens: int, max_items: int) -> list[list[int]]:
    """Indices of the inputs grouped into batches, longest first.

    A batch holds at most ``max_items`` inputs and at most ``max_tokens`` padded tokens
    (items x longest); an input longer than the budget goes alone.
    """
    if max_tokens < 1 or max_items < 1:
        raise ValueError("batch limits must be positive")
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    batches: list[list[int]] = []
    current: list[int] = []
    longest = 0
    for i in order:
        size = max(1, lengths[i])
        if current and (len(current) >= max_items or max(longest, size) * (len(current) + 1) > max_tokens):
            batches.append(current)
            current, longest = [], 0
        current.append(i)
        longest = max(longest, size)
    if current:
        batches.append(current)
    return batches


def run_batched(items: Sequence[str], lengths: Sequence[int], fn: Callable[[list[str]], list[T]], *,
                max_tokens: int = DEFAULT_MAX_BATCH_TOKENS, max_items: int = DEFAULT_BATCH_SIZE,
                progress: str | None = None, workers: int = 1) -> list[T]:
    """``fn`` over token-budgeted batches of ``items``; results in input order.

    ``workers`` is how many batches ``fn`` decodes in parallel (CTranslate2's CPU
    workers): each call then carries that many batches' worth, and the backend gives
    each worker a whole batch. Split any thinner, a worker's batch is too small to
    keep its core busy (bench/results.md, *CTranslate2 profile*).

    When ``fn`` raises :class:`BackendOOMError`, the item cap drops to half that batch
    and everything not yet done is re-planned under it (down to single items); nothing
    is dropped, and the new effective size is logged. ``progress`` names a tqdm bar
    shown on a terminal only.
    """
    out: list[T | None] = [None] * len(items)
    bar = None
    if progress and sys.stderr.isatty() and items:
        from tqdm import tqdm

        bar = tqdm(total=len(items), desc=progress, unit="seg", file=sys.stderr, leave=False)
    max_tokens, max_items = max_tokens * max(1, workers), max_items * max(1, workers)
    pending = plan_batches(lengths, max_tokens, max_items)
    try:
        while pending:
            batch = pending.pop(0)
            try:
                results = fn([items[i] for i in batch])
            except BackendOOMError:
                if len(batch) == 1:
                    raise
                max_items = max(1, len(batch) // 2)
                log.warning("out of memory on a batch of %d; continuing with at most %d per batch",
                            len(batch), max_items)
                rest = [i for b in [batch, *pending] for i in b]
                pending = [[rest[j] for j in b]
                           for b in plan_batches([lengths[i] for i in rest], max_tokens, max_items)]
                continue
            for i, result in zip(batch, results, strict=True):
                out[i] = result
            if bar is not None:
                bar.update(len(batch))
    finally:
        if bar is not None:
            bar.close()
    return out  # type: ignore[return-value]
