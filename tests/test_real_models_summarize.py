"""The real summarizer (sshleifer/distilbart-cnn-12-6) on a translation-like article.

Needs the model from the Hugging Face hub (or its local cache): run with --network.
"""

from __future__ import annotations

import pytest

from mtsum.backends import create_backend
from mtsum.config import ModelSpec
from mtsum.summarization.bart import BartSummarizer, summarize_paragraphs

pytestmark = pytest.mark.network

MODEL = "sshleifer/distilbart-cnn-12-6"

# What opus-mt-sv-en makes of the BLT article (seeds/000), cleaned: English paragraphs.
ARTICLE = [
    "The Russian Ministry of Defence is about to buy large quantities of rockets and other "
    "military equipment from North Korea, according to US intelligence.",
    "That the Kremlin is turning to the isolated dictatorship is a sign that the Russian "
    "military continues to suffer badly from supply problems, partly as a result of export "
    "controls and sanctions, according to a US official.",
    "According to sources within US intelligence, Russia is likely to continue buying "
    "equipment from North Korea in the future as well.",
    "The information comes shortly after the Biden administration confirmed that Moscow had "
    "bought drones from Iran to be used on the battlefield in Ukraine. According to the White "
    "House, however, the drones have had technical problems.",
    "Plans for a so-called referendum on joining Russia in the occupied Kherson region have "
    "been paused, a Russian-installed official said, citing the security situation.",
]


@pytest.fixture(scope="module")
def summarizer() -> BartSummarizer:
    return BartSummarizer(create_backend(ModelSpec(name="summarization", model=MODEL, revision="main"),
                                         "summarization", backend="transformers", device="cpu"))


def test_distilbart_summary_mentions_the_story(summarizer: BartSummarizer) -> None:
    out = summarize_paragraphs(ARTICLE, summarizer)
    assert out.summary.strip()
    assert (out.chunks, out.rounds) == (1, 0)
    assert "North Korea" in out.summary or "Russia" in out.summary
    assert out.model["model"] == MODEL and out.model["revision"]  # the resolved commit
    assert out.settings["num_beams"] >= 1 and out.settings["max_input_tokens"] == 1022


def test_distilbart_long_article_is_map_reduced(summarizer: BartSummarizer) -> None:
    # ~60 paragraphs of distinct numbered text: several 1022-token chunks.
    paragraphs = [
        f"{p} In update number {i}, officials repeated the account given on day {i}."
        for i in range(12) for p in ARTICLE
    ]
    out = summarize_paragraphs(paragraphs, summarizer, max_length=60, min_length=10)
    assert out.chunks > 1 and out.rounds >= 1
    assert out.summary.strip()
    assert out.settings["max_length"] == 60
