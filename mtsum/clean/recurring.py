"""What cleaning keeps of the lines it has seen, because lines recur.

The pages of one site in a digest or a batch share their menus, footers and cookie
banners (and scripts/html_restore.py reads a page twice); what a line's text alone decides (its features, its
duplicate fingerprint) is therefore computed once. Values are shared: never mutate one.
"""

from __future__ import annotations

from typing import Generic, TypeVar

__all__ = ["Kept", "forget_lines"]

V = TypeVar("V")

_every: list[Kept] = []


class Kept(Generic[V]):
    """Values by text, kept until they weigh more than *limit*, then all forgotten at once.

    All at once rather than least recently used: pages come site by site, and a dict
    lookup is all a hit costs in the per-line loops. The caller says what a value
    weighs (its text's characters, its words), so a run of long pages stays bounded.
    Not locked: threads that race compute a line twice or miscount a weight, which
    costs time, never a wrong value.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.values: dict[str, V] = {}  # look up here; add with :meth:`add`
        self.weight = 0
        _every.append(self)

    def add(self, text: str, value: V, weight: int) -> V:
        if self.weight > self.limit:
            self.clear()
        self.values[text] = value
        self.weight += weight
        return value

    def clear(self) -> None:
        self.values.clear()  # the same dict: a caller's loop may hold it
        self.weight = 0


def forget_lines() -> None:
    """Forget every line seen so far (scripts/eval_clean.py times each page as if it came first)."""
    for kept in _every:
        kept.clear()
