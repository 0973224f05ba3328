"""Tests for mtsum.extractive: TextRank sentence selection, no model, no torch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mtsum.errors import ConfigError, InputError
from mtsum.extractive import ExtractiveSummarizer, textrank_scores
from mtsum.summarize import SummaryOutput
from mtsum.text.segment import split_sentences

ROOT = Path(__file__).resolve().parent.parent

# A translation-like English article (the pipeline hands the summarizer cleaned
# English paragraphs).
ARTICLE = [
    "The Russian Defence Ministry is buying millions of rockets and artillery shells from "
    "North Korea, according to US intelligence. The purchase shows that sanctions and export "
    "controls are hurting the supply of the Russian army.",
    "US officials said Russia is likely to keep buying military equipment from North Korea. "
    "The report comes shortly after Washington confirmed that Moscow bought drones from Iran. "
    "According to the White House, the drones from Iran have had technical problems.",
    "North Korea denied the reports and called them slander. Pyongyang said it has never "
    "exported rockets or artillery shells to Russia and has no plans to do so.",
    "The weather in the capital was mild on Tuesday.",
]


def sentences_of(paragraphs: list[str]) -> list[str]:
    return [s for p in paragraphs for s in split_sentences(p, "en")]


def positions(summary: str, paragraphs: list[str]) -> list[int]:
    """Index of each summary sentence in the input; fails unless each is an input sentence."""
    source = sentences_of(paragraphs)
    picked = split_sentences(summary, "en")
    assert all(s in source for s in picked), picked
    return [source.index(s) for s in picked]


LIMITS = [
    # (summarize kwargs, expected sentence count or None, word cap or None)
    ({}, 3, None),
    ({"max_sentences": 1}, 1, None),
    ({"max_sentences": 5}, 5, None),
    ({"max_sentences": 100}, len(sentences_of(ARTICLE)), None),
    ({"max_words": 30}, None, 30),
    ({"max_length": 40}, None, 30),  # 40 tokens ~ 30 words
    ({"max_sentences": 2, "max_words": 1000}, 2, None),
]


@pytest.mark.parametrize(("kwargs", "n_sentences", "word_cap"), LIMITS)
def test_summary_is_input_sentences_in_order(kwargs: dict[str, int], n_sentences: int | None,
                                             word_cap: int | None) -> None:
    out = ExtractiveSummarizer().summarize(ARTICLE, **kwargs)
    found = positions(out.summary, ARTICLE)
    assert found == sorted(found) and len(set(found)) == len(found)
    if n_sentences is not None:
        assert len(found) == n_sentences == out.settings["selected"]
    if word_cap is not None:
        assert 0 < len(out.summary.split()) <= word_cap
        assert out.settings["max_words"] == word_cap


def test_output_records_settings_and_is_json_ready() -> None:
    out = ExtractiveSummarizer().summarize(ARTICLE, max_sentences=2)
    assert isinstance(out, SummaryOutput)
    assert (out.chunks, out.rounds) == (1, 0)
    assert out.model == {"model": "textrank", "revision": None}
    assert out.settings == {
        "summarizer": "extractive", "algorithm": "textrank", "similarity": "tfidf-cosine",
        "damping": 0.85, "max_sentences": 2, "max_words": None, "min_words": 0,
        "sentences": len(sentences_of(ARTICLE)), "selected": 2,
    }
    json.dumps(out.to_dict())


def test_deterministic() -> None:
    runs = {ExtractiveSummarizer().summarize(ARTICLE).summary for _ in range(3)}
    assert len(runs) == 1


def test_central_sentences_beat_the_outlier() -> None:
    out = ExtractiveSummarizer().summarize(ARTICLE, max_sentences=3)
    assert "weather" not in out.summary
    assert "North Korea" in out.summary


def test_ties_go_to_the_earlier_sentence() -> None:
    # Four interchangeable sentences: every score is equal.
    paragraphs = ["Alpha beta gamma. Alpha beta delta.", "Alpha beta epsilon. Alpha beta zeta."]
    out = ExtractiveSummarizer().summarize(paragraphs, max_sentences=2)
    assert out.summary == "Alpha beta gamma. Alpha beta delta."


def test_repeated_sentence_is_selected_once() -> None:
    paragraphs = ["Russia bought rockets from North Korea.", "Russia bought rockets from North Korea.",
                  "North Korea denied that Russia bought rockets."]
    out = ExtractiveSummarizer().summarize(paragraphs, max_sentences=2)
    assert out.summary.count("Russia bought rockets from North Korea.") == 1


def test_top_sentence_is_kept_even_over_the_word_budget() -> None:
    out = ExtractiveSummarizer().summarize(ARTICLE, max_words=2)
    assert len(split_sentences(out.summary, "en")) == 1


def test_min_length_adds_sentences_beyond_the_default_count() -> None:
    short = ExtractiveSummarizer().summarize(ARTICLE)
    longer = ExtractiveSummarizer().summarize(ARTICLE, min_length=120)  # >= 90 words
    assert len(longer.summary.split()) >= 90 > len(short.summary.split())
    positions(longer.summary, ARTICLE)


@pytest.mark.parametrize("paragraphs", [["One lonely sentence."], ["One lonely sentence.", "  "]])
def test_single_sentence(paragraphs: list[str]) -> None:
    assert ExtractiveSummarizer().summarize(paragraphs).summary == "One lonely sentence."


@pytest.mark.parametrize(("paragraphs", "kwargs", "error"), [
    ([], {}, InputError),
    (["", "   "], {}, InputError),
    (ARTICLE, {"max_sentences": 0}, ConfigError),
    (ARTICLE, {"max_words": 0}, ConfigError),
])
def test_bad_input(paragraphs: list[str], kwargs: dict[str, int], error: type[Exception]) -> None:
    with pytest.raises(error):
        ExtractiveSummarizer().summarize(paragraphs, **kwargs)


@pytest.mark.parametrize(("sentences", "expected"), [
    ([], []),
    (["Only one."], [1.0]),
    (["Cats purr.", "Dogs bark."], [0.5, 0.5]),  # no shared terms: uniform
])
def test_textrank_scores_small_cases(sentences: list[str], expected: list[float]) -> None:
    assert textrank_scores(sentences) == pytest.approx(expected)


def test_textrank_scores_form_a_distribution() -> None:
    scores = textrank_scores(sentences_of(ARTICLE))
    assert sum(scores) == pytest.approx(1.0)
    assert min(scores) > 0


def test_long_article_is_fast_enough() -> None:
    paragraphs = [f"Sentence {i} says Russia bought item {i % 17} from North Korea in week {i % 5}."
                  for i in range(1500)]
    out = ExtractiveSummarizer().summarize(paragraphs, max_sentences=3)
    assert len(positions(out.summary, paragraphs)) == 3


def test_works_offline_without_torch_or_a_model() -> None:
    code = (
        "import json, sys\n"
        "from mtsum.extractive import ExtractiveSummarizer\n"
        "out = ExtractiveSummarizer().summarize(json.loads(sys.argv[1]))\n"
        "heavy = sorted({'torch', 'transformers', 'huggingface_hub'} & set(sys.modules))\n"
        "assert not heavy, heavy\n"
        "print(out.summary)\n"
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
           "MTSUM_MODELS": str(ROOT / "does-not-exist.yaml")}
    done = subprocess.run([sys.executable, "-c", code, json.dumps(ARTICLE)], env=env, cwd=ROOT,
                          capture_output=True, text=True, check=True)
    positions(done.stdout.strip(), ARTICLE)
