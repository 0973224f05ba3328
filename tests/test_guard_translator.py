"""The hallucination guard around a translator: flagged outputs are retried, then marked."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from mtsum.config import GuardThresholds
from mtsum.pipeline.core import Pipeline, Settings
from mtsum.translation.guard import GuardedTranslator
from mtsum.translation.translator import Translation, Translator


class Looping(Translator):
    """Loops on every segment unless asked not to repeat, like OPUS-MT on noisy input."""

    source = "de"

    def __init__(self, fixable: bool) -> None:
        self.fixable = fixable
        self.calls: list[dict] = []

    def translate(self, segments: list[str], **overrides: object) -> list[Translation]:
        self.calls.append(dict(overrides))
        if overrides.get("no_repeat_ngram_size") and self.fixable:
            return [Translation(f"a fine translation of {s}") for s in segments]
        return [Translation("poor, " * 12) for _ in segments]


def test_a_loop_is_retried_with_safer_decoding() -> None:
    inner = Looping(fixable=True)
    out = GuardedTranslator(inner).translate(["Der arme Mann ging nach Hause."])
    assert out[0].text.startswith("a fine translation") and out[0].flag is None and out[0].retried
    assert inner.calls[1]["no_repeat_ngram_size"] == 3


def test_a_loop_that_stays_is_kept_and_marked() -> None:
    inner = Looping(fixable=False)
    out = GuardedTranslator(inner).translate(["Der arme Mann, der müde war, ging nach Hause."])
    assert out[0].flag == "repetition" and out[0].text.startswith("poor, poor")
    assert len(inner.calls) == 3  # first try, safer decoding, clause by clause


def test_guard_settings_change_the_cache_key() -> None:
    inner = Looping(fixable=True)
    assert GuardedTranslator(inner).cache_key() != GuardedTranslator(inner, GuardThresholds(min_repeats=9)).cache_key()


def test_tiny_models_repetition_is_flagged_retried_and_shown_in_json(tiny_models: Path, seeds: dict) -> None:
    from mtsum.config import load_models_config

    # The tiny random models stutter ("ha ha ha"); a strict threshold makes that a loop.
    config = dataclasses.replace(load_models_config(tiny_models), guard=GuardThresholds(min_repeats=2))
    pipeline = Pipeline(config, Settings(cache=False))
    result = pipeline.translate(seeds["de"].read_text(encoding="utf-8"))
    data = json.loads(json.dumps(result.to_dict()))
    flagged = [f for p in data["paragraphs"] for f in p["flagged"]]
    assert data["stats"]["flagged_segments"] == len(flagged) > 0
    assert {f["reason"] for f in flagged} <= {"repetition", "length_ratio", "wrong_script"}
    assert all(p["translation"] for p in data["paragraphs"])  # kept, never dropped
    assert data["models"]["de"]["guard"]["min_repeats"] == 2


class Counting(Translator):
    """Records the token counts each call was given; loops where the first word is 'loop'."""

    source = "sv"

    def __init__(self) -> None:
        self.counts: list[list[int] | None] = []

    def translate(self, segments: list[str], token_counts: list[int] | None = None,
                  **overrides: object) -> list[Translation]:
        self.counts.append(token_counts)
        looping = not overrides and any(s.startswith("loop") for s in segments)
        return [Translation("poor, " * 12 if looping and s.startswith("loop") else s) for s in segments]


TOKEN_COUNTS = [
    # (segments, counts given, counts each inner call receives)
    (["ett", "två"], None, [None]),
    (["ett", "två"], [1, 2], [[1, 2]]),
    (["ett", "loop loop loop", "tre"], [1, 3, 1], [[1, 3, 1], [3]]),  # the retry gets its segment's count
]


@pytest.mark.parametrize(("segments", "given", "received"), TOKEN_COUNTS)
def test_token_counts_pass_through_the_guard(segments: list[str], given: list[int] | None,
                                             received: list[list[int] | None]) -> None:
    inner = Counting()
    GuardedTranslator(inner).translate(segments, token_counts=given)
    assert inner.counts[:len(received)] == received


def test_given_token_counts_are_not_counted_again(tiny_models: Path) -> None:
    from mtsum.backends import create_backend
    from mtsum.config import load_models_config
    from mtsum.translation.translator import ModelTranslator

    backend = create_backend(load_models_config(tiny_models).translation["sv"], "translation",
                             backend="transformers", device="cpu")
    segments = ["Hej världen.", "En mening till."]
    counts = [backend.count_tokens(s) for s in segments]
    expected = ModelTranslator(backend, "sv").translate(segments)
    backend.count_tokens = lambda text: pytest.fail("counted again")  # type: ignore[method-assign]
    assert ModelTranslator(backend, "sv").translate(segments, token_counts=counts) == expected
