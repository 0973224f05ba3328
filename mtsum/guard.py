"""The hallucination guard: notice degenerate translations, retry them, mark what stays bad.

OPUS-MT models, fed noisy input, can loop ("poor, poor, poor, …" up to the length
limit), stop after a word, or answer in another script. Each output is checked;
a flagged segment is translated again with decoding that discourages loops, then in
shorter pieces; if it is still flagged it is kept (never dropped) and marked.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from typing import Any

from .translate import Translation, Translator, TranslatorWrapper

_WORD = re.compile(r"\w+", re.UNICODE)
_CLAUSE = re.compile(r"(?<=[,;:])\s+")


@dataclass(frozen=True)
class GuardThresholds:
    """When an output counts as degenerate (models.yaml ``guard:`` overrides them)."""

    enabled: bool = True
    max_ngram: int = 4  # n-grams up to this length are checked for loops
    max_repeats: int = 4  # an n-gram repeated back to back this often is a loop
    min_ratio: float = 0.2  # output/input length (characters) below this is degenerate
    max_ratio: float = 3.0  # ... and above this
    ratio_min_chars: int = 20  # shorter inputs are not judged on length
    min_latin_share: float = 0.5  # share of letters in Latin script the English output must have
    retry_no_repeat_ngram_size: int = 3
    retry_repetition_penalty: float = 1.3


def check(source: str, output: str, thresholds: GuardThresholds = GuardThresholds()) -> str | None:
    """Why ``output`` looks degenerate as a translation of ``source``, or None."""
    words = [w.lower() for w in _WORD.findall(output)]
    if _looping(words, thresholds.max_ngram, thresholds.max_repeats):
        return "repetition"
    if len(source) >= thresholds.ratio_min_chars:
        ratio = len(output) / len(source)
        if ratio < thresholds.min_ratio or ratio > thresholds.max_ratio:
            return "length_ratio"
    letters = [ch for ch in output if ch.isalpha()]
    if len(letters) >= 4:
        latin = sum(1 for ch in letters if ch < "\u0250")
        if latin / len(letters) < thresholds.min_latin_share:
            return "wrong_script"
    return None


def _looping(words: list[str], max_n: int, max_repeats: int) -> bool:
    for n in range(1, max_n + 1):
        run = 1
        for i in range(n, len(words) - n + 1, 1):
            if words[i:i + n] == words[i - n:i]:
                run += 1
                if run >= max_repeats:
                    return True
                continue
            run = 1
    return False


class GuardedTranslator(TranslatorWrapper):
    """Checks the inner translator's outputs; retries flagged ones with safer decoding."""

    def __init__(self, inner: Translator, thresholds: GuardThresholds | None = None) -> None:
        super().__init__(inner)
        self.thresholds = thresholds or GuardThresholds()

    def cache_key(self) -> str:
        blob = json.dumps([self.inner.cache_key(), asdict(self.thresholds)], sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:32]

    def describe(self) -> dict[str, Any]:
        return {**self.inner.describe(), "guard": asdict(self.thresholds)}

    def translate(self, segments: list[str], **overrides: Any) -> list[Translation]:
        outputs = self.inner.translate(segments, **overrides)
        if not self.thresholds.enabled:
            return outputs
        t = self.thresholds
        bad = [i for i, (s, o) in enumerate(zip(segments, outputs)) if check(s, o.text, t)]
        if not bad:
            return outputs
        safer = {**overrides, "no_repeat_ngram_size": t.retry_no_repeat_ngram_size,
                 "repetition_penalty": t.retry_repetition_penalty}
        retried = self.inner.translate([segments[i] for i in bad], **safer)
        result = list(outputs)
        still: list[int] = []
        for i, out in zip(bad, retried):
            result[i] = Translation(out.text, retried=True)
            if check(segments[i], out.text, t):
                still.append(i)
        for i in still:
            result[i] = self._in_pieces(segments[i], result[i], safer)
        return result

    def _in_pieces(self, segment: str, best: Translation, settings: dict[str, Any]) -> Translation:
        """Shorter inputs loop less: translate the clauses one by one, else keep and mark."""
        pieces = [p for p in _CLAUSE.split(segment) if p.strip()]
        if len(pieces) > 1:
            joined = " ".join(o.text for o in self.inner.translate(pieces, **settings))
            if check(segment, joined, self.thresholds) is None:
                return Translation(joined, retried=True)
        return Translation(best.text, flag=check(segment, best.text, self.thresholds), retried=True)
