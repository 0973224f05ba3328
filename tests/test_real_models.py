"""The real Helsinki-NLP models on the seeds. Skipped unless run with --network
(`make test-network`), on a machine that can reach the Hugging Face hub."""

from __future__ import annotations

import pytest

import mtsum

pytestmark = pytest.mark.network


@pytest.fixture(scope="module")
def default_models() -> None:
    return None  # the packaged models.yaml: the real hub ids


@pytest.mark.parametrize(("key", "facts"), [
    ("sv", ["North Korea", "Russia", "Ukraine"]),
    ("de", ["North Korea", "missiles", "Kirby", "Iran"]),
    ("sv2", ["North Korea", "Russia", "Kirby"]),
])
def test_key_facts_survive_translation(seeds: dict, default_models: None, key: str, facts: list[str]) -> None:
    result = mtsum.translate_text(seeds[key].read_text(encoding="utf-8"), models=default_models)
    text = result.text
    for fact in facts:
        assert fact.lower() in text.lower(), f"{fact!r} missing from translation of {key}"
    assert result.models[result.source_language]["revision"]  # a resolved commit is recorded


def test_german_date_survives(seeds: dict) -> None:
    result = mtsum.translate_text(seeds["de"].read_text(encoding="utf-8"))
    assert "December 30, 2023" in result.text or "30 December 2023" in result.text


@pytest.mark.parametrize(("key", "facts"), [
    ("sv", ["North Korea"]),
    ("de", ["North Korea"]),
    ("sv2", ["North Korea"]),
])
def test_seeds_summarize_with_distilbart(seeds: dict, key: str, facts: list[str]) -> None:
    result = mtsum.summarize_text(seeds[key].read_text(encoding="utf-8"))
    assert result.summarizer == "bart" and result.stats.chunks == 1
    for fact in facts:
        assert fact.lower() in result.summary.lower()
    assert result.models["summarization"]["model"] == "sshleifer/distilbart-cnn-12-6"
    assert len(result.summary.split()) < sum(len(p.split()) for p in
                                             mtsum.split_paragraphs(seeds[key].read_text(encoding="utf-8")))
