"""Resuming: which ids an earlier run of the same command already finished.

A record counts as done when it has no error and was made with the same run key
(registry, models, task and settings: see :func:`mtsum.batch.stages.run_key`); the
item is then skipped if its content hash is unchanged. Failed records are tried
again: a model that was missing may be there now, and a truly bad input fails fast.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def completed(records: Iterable[dict[str, Any]], run_key: str) -> dict[str, str]:
    """``id -> content hash`` of the records finished under ``run_key`` (the last one wins)."""
    done: dict[str, str] = {}
    for rec in records:
        rec_id = rec.get("id")
        if rec_id is None:
            continue
        if rec.get("error") is None and rec.get("run_key") == run_key and rec.get("content_hash"):
            done[str(rec_id)] = rec["content_hash"]
        else:
            done.pop(str(rec_id), None)  # a newer failed or different record replaces it
    return done
