"""The hallucination guard: degenerate translations are noticed, retried, and marked if they stay bad.

OPUS-MT models on noisy input sometimes loop ("poor, poor, poor, …" up to the length
limit, or inside one word: "ponponpon…") or emit another script. :func:`check`
detects it from the source and the output text, with thresholds from the ``guard:``
section of models.yaml; :class:`GuardedTranslator` wraps any translator: a flagged
segment is translated again with decoding that discourages loops, then clause by
clause; if it is still flagged it is kept (never dropped) and marked.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from mtsum.config import GuardThresholds
from mtsum.signature import json_key
from mtsum.translation.translator import (
    BatchReporting,
    OnBatch,
    Translation,
    Translator,
    TranslatorWrapper,
    counted,
)

__all__ = ["REASONS", "RETRY_SETTINGS", "GuardThresholds", "GuardedTranslator", "check"]

REASONS = ("repetition", "wrong_script", "length_ratio")
_WORD = re.compile(r"\w+", re.UNICODE)
# Letters only: runs of digits ("1000000000") are numbers, not a model stuttering.
_LETTERS = re.compile(r"[^\W\d_]+")
_CLAUSE = re.compile(r"(?<=[,;:])\s+")
# Decoding for the second try: no repeated trigram. (No repetition_penalty: in beam search
# transformers and CTranslate2 apply it at different points, and the backends must agree.)
RETRY_SETTINGS = {"no_repeat_ngram_size": 3}


def check(source: str, output: str, target_script: str = "Latin",
          thresholds: GuardThresholds | None = None) -> str | None:
    """The reason ``output`` looks degenerate as a translation of ``source``, or None.

    Reasons, in the order they are tested: ``"repetition"``, ``"wrong_script"``,
    ``"length_ratio"``. ``target_script`` is a Unicode script name (Latin, Cyrillic…).
    """
    t = thresholds or GuardThresholds()
    words = _repeats(output, t.max_ngram)
    if words >= t.min_repeats and words > _repeats(source, t.max_ngram):
        return "repetition"
    chars = _char_repeats(output, t.max_char_period)
    if chars >= t.min_char_repeats and chars > _char_repeats(source, t.max_char_period):
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
    return _longest_run([w.lower() for w in _WORD.findall(text)], max_ngram)


def _char_repeats(text: str, max_period: int) -> int:
    """The longest run of one piece of ≤ max_period letters repeated back to back in a word."""
    return max((_longest_run(w.lower(), max_period) for w in _LETTERS.findall(text)), default=0)


def _longest_run(items: Sequence[str], max_period: int) -> int:
    """How often one piece of up to ``max_period`` items repeats back to back, at most."""
    best = 1 if items else 0
    for n in range(1, max_period + 1):
        # compare each item with the one n positions earlier: a run of k repeats of an
        # n-piece is (k - 1) * n consecutive matches — one linear pass per n, where a
        # backreference regex could backtrack.
        run = 0
        for i in range(n, len(items)):
            run = run + 1 if items[i] == items[i - n] else 0
            best = max(best, 1 + run // n)
    return best


def _script_share(text: str, script: str, min_letters: int) -> float | None:
    letters = [ch for ch in text if ch.isalpha()]
    if len(letters) < min_letters:
        return None
    prefix = script.upper()
    return sum(unicodedata.name(ch, "").startswith(prefix) for ch in letters) / len(letters)


class GuardedTranslator(BatchReporting, TranslatorWrapper):
    """Checks the inner translator's outputs; retries flagged ones with safer decoding."""

    def __init__(self, inner: Translator, thresholds: GuardThresholds | None = None,
                 target_script: str = "Latin") -> None:
        super().__init__(inner)
        self.thresholds = thresholds or GuardThresholds()
        self.target_script = target_script

    def _check(self, source: str, output: str) -> str | None:
        return check(source, output, self.target_script, self.thresholds)

    def cache_key(self) -> str:
        # Every part is ASCII (a hex key, numbers), so this is the key earlier versions
        # wrote: translation caches on disk stay valid.
        return json_key([self.inner.cache_key(), asdict(self.thresholds), RETRY_SETTINGS])

    def describe(self) -> dict[str, Any]:
        return {**self.inner.describe(), "guard": asdict(self.thresholds)}

    def _run(self, segments: list[str], token_counts: list[int] | None, overrides: dict[str, Any],
             on_batch: OnBatch | None) -> list[Translation]:
        # each inner batch's trusted outputs are reported at once, the retried ones at the end
        if on_batch is None:
            outputs = self.inner.translate(segments, **counted(token_counts), **overrides)
        else:
            def trusted(sources: list[str], done: list[Translation]) -> None:
                good = [(s, o) for s, o in zip(sources, done) if not self._check(s, o.text)]
                if good:
                    on_batch([s for s, _ in good], [o for _, o in good])

            outputs = self.inner.translate_streaming(segments, trusted, **counted(token_counts))
        bad = [i for i, (s, o) in enumerate(zip(segments, outputs)) if self._check(s, o.text)]
        if not bad:
            return outputs
        safer = {**overrides, **RETRY_SETTINGS}
        result = list(outputs)
        retry_counts = None if token_counts is None else [token_counts[i] for i in bad]
        for i, out in zip(bad, self.inner.translate([segments[i] for i in bad], **counted(retry_counts), **safer)):
            result[i] = Translation(out.text, retried=True)
            if self._check(segments[i], out.text):
                result[i] = self._in_pieces(segments[i], out, safer)
        if on_batch is not None:
            on_batch([segments[i] for i in bad], [result[i] for i in bad])
        return result

    def _in_pieces(self, segment: str, best: Translation, settings: dict[str, Any]) -> Translation:
        """Shorter inputs loop less: translate the clauses one by one, else keep and mark."""
        pieces = [p for p in _CLAUSE.split(segment) if p.strip()]
        if len(pieces) > 1:
            joined = " ".join(o.text for o in self.inner.translate(pieces, **settings))
            if self._check(segment, joined) is None:
                return Translation(joined, retried=True)
        return Translation(best.text, flag=self._check(segment, best.text), retried=True)
