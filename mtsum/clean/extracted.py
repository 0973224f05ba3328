"""Cleaning after an HTML extraction: only the steps that pay for themselves.

Trafilatura's extraction (:mod:`mtsum.io.html`) is the starting point of the HTML
path. Each step after it was measured alone (``scripts/eval_html.py --steps``,
README "Cleaning accuracy"), chosen on the dev pages, and checked on held-out ones:

- the rules (ads, share bars, newsletter boxes) stay: on the dev pages they drop
  most of the English boilerplate trafilatura leaves (0.815 to 0.951, in-sample), and
  held out they cost no article text (recall within 0.001);
- repeated paragraphs and captions go: no effect on the dev pages, and held out they
  removed article text (code lines a tutorial repeats, a caption's sentence): token
  recall 0.951 to 0.937 on the readability pages. A translation translates a repeat
  once anyway;
- the page header above the headline goes: on an extraction it is the article's
  kicker and lead, not a menu (dev German keep 0.964 to 0.960);
- putting back page lines the extraction missed (:mod:`mtsum.clean.restore`) goes:
  held out it brought back more menus and teasers than article text (token precision
  0.900 to 0.830 on article-extraction, 0.866 to 0.838 on the German fundus pages).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from mtsum.clean.cleaner import CleanResult, Removal, clean_paragraphs, normalize_paragraph

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

    Raises ConfigError when a rules file is unreadable or malformed.
    """
    result = clean_paragraphs(paragraphs, language, extracted=True)
    undone = {r.index for r in result.removed if step_of(r) not in steps}
    if not undone:
        return result
    texts = dict(zip(result.kept_indices, result.paragraphs))
    for i in undone:
        texts[i] = normalize_paragraph(paragraphs[i])
    body = sorted(texts)
    return dataclasses.replace(
        result,
        paragraphs=[texts[i] for i in body],
        kept_indices=body,
        removed=[r for r in result.removed if r.index not in undone],
    )
