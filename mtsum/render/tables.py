"""Plain-text building blocks of the reports: aligned columns and human-readable sizes."""

from __future__ import annotations


def human_size(n: float) -> str:
    """Decimal units: ``512 B``, ``1.5 KB``, ``300.0 MB``, ``1.2 GB`` (GB at most)."""
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n} B"


def table(rows: list[list[str]]) -> str:
    """Left-aligned columns two spaces apart; the last column is never padded."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    return "\n".join("  ".join([*(c.ljust(w) for c, w in zip(r, widths)), r[-1]]).rstrip()
                     for r in rows)
