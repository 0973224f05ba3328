"""Cleaning after an HTML extraction: only the steps that pay for themselves.

Trafilatura's extraction (:mod:`mtsum.io.html`) is the starting point of the HTML
path. Each cleaning step after it was measured alone (``scripts/eval_html.py --steps``),
chosen on the dev pages and checked on held-out ones (docs/ has the figures): the rules
(ads, share bars, newsletter boxes) stay; repeated paragraphs, captions and the page
header above the headline are put back, as they removed article text held out (a
translation translates a repeat once anyway). The page is cleaned once: every step
runs, as evidence for the headline, and the removals of the steps left out are undone
before the result is made (:func:`mtsum.clean.cleaner.clean_page`).
"""

from __future__ import annotations

from collections.abc import Sequence

from mtsum.clean.cleaner import clean_page
from mtsum.clean.result import CleanResult, Removal

__all__ = ["STEPS", "clean_extracted", "step_of"]

# The cleaning steps run over an extraction, by :func:`step_of` of their removals.
STEPS = frozenset({"rules"})


def step_of(removal: Removal) -> str:
    """The cleaning step that made *removal*: "duplicate", "caption", "above-headline"
    (the page header over the headline) or "rules" (a rule, or an empty line)."""
    if removal.reason in ("duplicate", "caption"):
        return removal.reason
    if removal.rule == "classifier:above-headline":
        return "above-headline"
    return "rules"


def clean_extracted(paragraphs: Sequence[str], language: str, steps: frozenset[str] = STEPS) -> CleanResult:
    """Clean an extractor's *paragraphs* in *language* with only the cleaning *steps*.

    Raises:
        ConfigError: a rules file is unreadable or malformed.
    """
    return clean_page(paragraphs, language, structure=False, undo=lambda r: step_of(r) not in steps)
