"""The hallucination guard's detection: a table of real-looking outputs and their verdicts."""

from __future__ import annotations

import random

import pytest

from mtsum.translation.guard import GuardThresholds, check

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

# Loops inside one word: a short piece repeated with no space, often up to max_length.
IN_WORD_CASES = [
    ("pon-loop", SRC_SV, "The " + "pon" * 40, "repetition"),
    ("iv-loop", SRC_DE, "ivivivivivivivi", "repetition"),
    ("one-letter-loop", SRC_SV, "aaaaaaaaaaaaaaaa", "repetition"),
    ("abc-loop", SRC_DE, "abcabcabcabcabcabc", "repetition"),
    ("glued-to-a-word", SRC_SV, "Theponponponponpon government wants to raise the tax.", "repetition"),
    ("after-a-good-start", SRC_DE, GOOD[:-1] + "ivivivivivivivivivivivivivivivivivivivivi", "repetition"),
    ("six-letter-piece-any-case", SRC_DE, "The Regierregierregierregierregier wants it.", "repetition"),
    ("longer-than-in-source", "Ponponponponpon, sade barnet.", "Ponponponponponponponponponpon, said the child.",
     "repetition"),
    ("source-loops-in-word-too", "Ponponponponponpon, sade barnet.", "Ponponponponponpon, said the child.", None),
    ("four-repeats-under-threshold", "Det var så.", "Theponponponpon.", None),
    ("seven-letter-piece-too-long", "Det var så.", "abcdefg" * 5, None),
    ("compound-de", "Der Donaudampfschifffahrtsgesellschaftskapitän kam an.",
     "The Donaudampfschifffahrtsgesellschaftskapitän arrived.", None),
    ("long-compound-de", "Das Rindfleischetikettierungsüberwachungsaufgabenübertragungsgesetz fiel.",
     "The Rindfleischetikettierungsüberwachungsaufgabenübertragungsgesetz was repealed.", None),
    ("triple-letter", "Die Schifffahrt auf dem Rhein ruht.", "Schifffahrt on the Rhine is at a standstill.", None),
    ("mississippi", "Floden Mississippi svämmade över.", "The Mississippi River flooded.", None),
    ("numbers", "Budgeten är 1000000000 kronor för 2024-2025.", "The budget is 1000000000 kronor for 2024-2025.",
     None),
    ("url", "Läs mer på https://www.svt.se/nyheter/inrikes/aaa-1000000.",
     "Read more at https://www.svt.se/nyheter/inrikes/aaa-1000000.", None),
    ("hahaha", "Hon skrattade högt åt skämtet.", "She laughed, hahaha, at the joke.", None),
    ("lalala", "Hon sjöng en sång.", "She sang lalala.", None),
    ("ellipsis-is-no-word", "Och sedan ... ingenting alls.", "And then ...... nothing at all.", None),
]


@pytest.mark.parametrize(("source", "output", "reason"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_check(source: str, output: str, reason: str | None) -> None:
    assert check(source, output) == reason


@pytest.mark.parametrize(("source", "output", "reason"), [c[1:] for c in IN_WORD_CASES],
                         ids=[c[0] for c in IN_WORD_CASES])
def test_check_loops_inside_a_word(source: str, output: str, reason: str | None) -> None:
    assert check(source, output) == reason


def test_long_inputs_finish() -> None:
    # 100 KB words that would make a backreference regex backtrack; linear passes finish.
    assert check(SRC_SV, "ab" * 50_000) == "repetition"
    assert check(SRC_SV, "a" * 99_999 + "b") == "repetition"
    rng = random.Random(0)
    word = "".join(rng.choice("abcdefgh") for _ in range(100_000))
    assert check(word, word) is None
    assert check(SRC_SV * 1500, GOOD * 1500) is None


def test_thresholds_change_the_verdict() -> None:
    loop = "very very very cold"
    assert check("Det var väldigt kallt.", loop) is None
    assert check("Det var väldigt kallt.", loop, thresholds=GuardThresholds(min_repeats=3)) == "repetition"
    assert check(SRC_SV, GOOD, thresholds=GuardThresholds(max_length_ratio=0.5)) == "length_ratio"
    assert check("Hon skrattade.", "She laughed, hahaha.", thresholds=GuardThresholds(min_char_repeats=3)) == (
        "repetition")
    assert check("Det var så.", "abcdefg" * 5, thresholds=GuardThresholds(max_char_period=7)) == "repetition"


def test_target_script() -> None:
    assert check(SRC_SV, "Правительство хочет повысить налог на сигареты.", target_script="Cyrillic") is None
    assert check("Путин сказал, что Россия хочет ракеты.", GOOD, target_script="Cyrillic") == "wrong_script"
