"""Spotting degenerate translations: repetition loops, absurd lengths, the wrong script.

OPUS-MT models on noisy input sometimes loop ("poor, poor, poor, …" up to the length
limit) or emit another script; this module only *detects* it, from the source and
the output text, with thresholds from the ``guard:`` section of models.yaml. It is
pure Python with no model: the retry and the marking happen around the translators.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, fields

REASONS = ("repetition", "wrong_script", "length_ratio")
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class GuardThresholds:
    """When an output counts as degenerate; defaults suit Marian sv/de→en sentences."""

    # An n-gram of up to this many words repeated back to back...
    max_ngram: int = 4
    # ...this many times or more (and more often than in the source) is a loop.
    min_repeats: int = 4
    # Output/source length in characters outside [min, max] is suspicious...
    min_length_ratio: float = 0.3
    max_length_ratio: float = 3.0
    # ...but only for sources at least this long: short segments vary too much.
    min_source_chars: int = 20
    # Below this share of letters in the target script the output is in the wrong
    # script (judged only with at least ``min_letters`` letters).
    min_script_share: float = 0.5
    min_letters: int = 10

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))


def check(source: str, output: str, target_script: str = "Latin",
          thresholds: GuardThresholds | None = None) -> str | None:
    """The reason ``output`` looks degenerate as a translation of ``source``, or None.

    Reasons, in the order they are tested: ``"repetition"``, ``"wrong_script"``,
    ``"length_ratio"``. ``target_script`` is a Unicode script name (Latin, Cyrillic…).
    """
    t = thresholds or GuardThresholds()
    if _repeats(output, t.max_ngram) >= t.min_repeats and _repeats(output, t.max_ngram) > _repeats(
            source, t.max_ngram):
        return "repetition"
    share = _script_share(output, target_script, t.min_letters)
    if share is not None and share < t.min_script_share:
        source_share = _script_share(source, target_script, t.min_letters)
        # A source that is itself mostly in another script (a Cyrillic quote) may be echoed.
        if source_share is None or source_share >= t.min_script_share:
            return "wrong_script"
    src_len = len(source.strip())
    if src_len >= t.min_source_chars:
        ratio = len(output.strip()) / src_len
        if not t.min_length_ratio <= ratio <= t.max_length_ratio:
            return "length_ratio"
    return None


def _repeats(text: str, max_ngram: int) -> int:
    """The longest run of one n-gram (n ≤ max_ngram) repeated back to back, in words."""
    words = [w.lower() for w in _WORD.findall(text)]
    best = 1 if words else 0
    for n in range(1, max_ngram + 1):
        # compare each word with the one n positions earlier: a run of k repeats of an
        # n-gram is (k - 1) * n consecutive matches — one linear pass per n.
        run = 0
        for i in range(n, len(words)):
            run = run + 1 if words[i] == words[i - n] else 0
            best = max(best, 1 + run // n)
    return best


def _script_share(text: str, script: str, min_letters: int) -> float | None:
    letters = [ch for ch in text if ch.isalpha()]
    if len(letters) < min_letters:
        return None
    prefix = script.upper()
    return sum(unicodedata.name(ch, "").startswith(prefix) for ch in letters) / len(letters)
