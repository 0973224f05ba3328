"""Cleaning: what of a page is the article, before it is translated.

:func:`clean_paragraphs` is the entry point (:mod:`mtsum.clean.cleaner`); every way in
returns one :class:`CleanResult` (:mod:`mtsum.clean.result`). The work is split by
concern, and the modules depend one way (cleaner → decide → line_model → features →
words):

- :mod:`~mtsum.clean.duplicates` finds repeated paragraphs (exact, near, contained);
- :mod:`~mtsum.clean.rules` reads the YAML rules (``data/rules/*.yaml``, a user's
  rules folder) and matches them;
- :mod:`~mtsum.clean.features` describes each line (length, function words, links,
  jusText classes, the main text block) and gives the hand-written verdicts, with the
  stoplists and site vocabulary of :mod:`~mtsum.clean.words`;
- :mod:`~mtsum.clean.line_model` holds the learned line model (``data/line_model.json``)
  and its feature matrix; :mod:`~mtsum.clean.decide` weighs a page's lines with it;
- :mod:`~mtsum.clean.headline` picks the headline (``data/headline_model.json``);
- :mod:`~mtsum.clean.extracted` cleans an HTML extraction with the steps that pay there;
- :mod:`~mtsum.clean.recurring` keeps what is known of lines already seen.

Importing this package loads no model and no numpy; the models load on first use.
"""

from mtsum.clean.cleaner import clean_paragraphs, line_scores, normalize_paragraph
from mtsum.clean.result import CleanResult, Removal, Stripped
from mtsum.clean.rules import RULES_DIR_ENV, Rule, load_rules

__all__ = [
    "RULES_DIR_ENV",
    "CleanResult",
    "Removal",
    "Rule",
    "Stripped",
    "clean_paragraphs",
    "line_scores",
    "load_rules",
    "normalize_paragraph",
]
