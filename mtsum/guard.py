"""The hallucination guard: degenerate translations are noticed, retried, and marked if they stay bad.

OPUS-MT models on noisy input sometimes loop ("poor, poor, poor, …" up to the length
limit) or emit another script. :func:`check` detects it from the source and the
output text, with thresholds from the ``guard:`` section of models.yaml;
:class:`GuardedTranslator` wraps any translator: a flagged segment is translated
again with decoding that discourages loops, then clause by clause; if it is still
flagged it is kept (never dropped) and marked.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import asdict, dataclass, fields
from typing import Any

from .translate import Translation, Translator, TranslatorWrapper

REASONS = ("repetition", "wrong_script", "length_ratio")
_WORD = re.compile(r"\w+", re.UNICODE)
_CLAUSE = re.compile(r"(?<=[,;:])\s+")
# Decoding for the second try: no repeated trigram, repeated tokens made less likely.
RETRY_SETTINGS = {"no_repeat_ngram_size": 3, "repetition_penalty": 1.3}


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


class GuardedTranslator(TranslatorWrapper):
    """Checks the inner translator's outputs; retries flagged ones with safer decoding."""

    def __init__(self, inner: Translator, thresholds: GuardThresholds | None = None,
                 target_script: str = "Latin") -> None:
        super().__init__(inner)
        self.thresholds = thresholds or GuardThresholds()
        self.target_script = target_script

    def _check(self, source: str, output: str) -> str | None:
        return check(source, output, self.target_script, self.thresholds)

    def cache_key(self) -> str:
        blob = json.dumps([self.inner.cache_key(), asdict(self.thresholds), RETRY_SETTINGS], sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:32]

    def describe(self) -> dict[str, Any]:
        return {**self.inner.describe(), "guard": asdict(self.thresholds)}

    def translate(self, segments: list[str], **overrides: Any) -> list[Translation]:
        outputs = self.inner.translate(segments, **overrides)
        bad = [i for i, (s, o) in enumerate(zip(segments, outputs)) if self._check(s, o.text)]
        if not bad:
            return outputs
        safer = {**overrides, **RETRY_SETTINGS}
        result = list(outputs)
        for i, out in zip(bad, self.inner.translate([segments[i] for i in bad], **safer)):
            result[i] = Translation(out.text, retried=True)
            if self._check(segments[i], out.text):
                result[i] = self._in_pieces(segments[i], out, safer)
        return result

    def _in_pieces(self, segment: str, best: Translation, settings: dict[str, Any]) -> Translation:
        """Shorter inputs loop less: translate the clauses one by one, else keep and mark."""
        pieces = [p for p in _CLAUSE.split(segment) if p.strip()]
        if len(pieces) > 1:
            joined = " ".join(o.text for o in self.inner.translate(pieces, **settings))
            if self._check(segment, joined) is None:
                return Translation(joined, retried=True)
        return Translation(best.text, flag=self._check(segment, best.text), retried=True)
