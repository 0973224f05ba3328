"""Translations already made in this run, so identical segments cost nothing twice.

Scoped to one Pipeline (a run): a digest of a folder where agencies repeat the same
paragraph across articles translates it once.
"""

from __future__ import annotations


class SegmentCache:
    """Maps (model key, segment) to its translation."""

    def __init__(self) -> None:
        self._store: dict[tuple[str, str], str] = {}

    def get(self, model_key: str, segment: str) -> str | None:
        return self._store.get((model_key, segment))

    def put(self, model_key: str, segment: str, translation: str) -> None:
        self._store[(model_key, segment)] = translation

    def __len__(self) -> int:
        return len(self._store)
