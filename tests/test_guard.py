"""The hallucination guard's detection: a table of real-looking outputs and their verdicts."""

from __future__ import annotations

import pytest

from mtsum.guard import GuardThresholds, check

SRC_SV = "Regeringen vill höja skatten på cigaretter från och med nästa år."
SRC_DE = "Die Regierung will die Steuer auf Zigaretten im nächsten Jahr erhöhen."
GOOD = "The government wants to raise the tax on cigarettes from next year."

CASES = [
    # (id, source, output, expected reason)
    ("good-sv", SRC_SV, GOOD, None),
    ("good-de", SRC_DE, GOOD, None),
    ("poor-loop", SRC_SV, "The poor, poor, poor, poor, poor, poor, poor, poor, poor, poor", "repetition"),
    ("bigram-loop", SRC_DE, "He said that it is, it is, it is, it is, it is, it is", "repetition"),
    ("trigram-loop", SRC_SV, "in the city in the city in the city in the city", "repetition"),
    ("emphasis-is-fine", "Det var mycket, mycket, mycket kallt i går kväll.",
     "It was very, very, very cold last night.", None),
    ("source-repeats-too", "Ha ha ha ha ha ha, sade han och gick sin väg.", "Ha ha ha ha ha ha, he said and left.",
     None),
    ("much-too-long", SRC_SV, GOOD + " And the opposition said a lot of other things about it. " * 3, "length_ratio"),
    ("much-too-short", SRC_DE, "The.", "length_ratio"),
    ("empty", SRC_DE, "", "length_ratio"),
    ("short-source-not-judged", "Ja.", "Yes, indeed, certainly.", None),
    ("cyrillic-output", SRC_SV, "Правительство хочет повысить налог на сигареты.", "wrong_script"),
    ("cjk-output", SRC_DE, "政府希望从明年起提高香烟税。政府希望从明年起提高香烟税", "wrong_script"),
    ("a-russian-name-is-fine", "Putin sade att Ryssland vill köpa robotar.", "Putin said that Russia wants missiles.",
     None),
    ("cyrillic-source-may-stay", "Путин сказал, что Россия хочет ракеты.", "Путин said Russia wants missiles.", None),
]


@pytest.mark.parametrize(("source", "output", "reason"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_check(source: str, output: str, reason: str | None) -> None:
    assert check(source, output) == reason


def test_thresholds_change_the_verdict() -> None:
    loop = "very very very cold"
    assert check("Det var väldigt kallt.", loop) is None
    assert check("Det var väldigt kallt.", loop, thresholds=GuardThresholds(min_repeats=3)) == "repetition"
    assert check(SRC_SV, GOOD, thresholds=GuardThresholds(max_length_ratio=0.5)) == "length_ratio"


def test_target_script() -> None:
    assert check(SRC_SV, "Правительство хочет повысить налог на сигареты.", target_script="Cyrillic") is None
    assert check("Путин сказал, что Россия хочет ракеты.", GOOD, target_script="Cyrillic") == "wrong_script"
