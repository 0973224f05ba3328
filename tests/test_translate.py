"""The translation pipeline on tiny local models (output is gibberish: check structure)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

import mtsum
from mtsum.errors import ConfigError, ModelUnavailableError, UnsupportedLanguageError
from mtsum.pipeline.core import Pipeline

ENGLISH_QUOTE = ("We have never exported weapons to Russia and we have no plans to do so in the future, "
                 "the ministry said in a statement published on Thursday.")
GERMAN = ("Die USA vermuten zudem, dass ein Waffendeal Russlands mit dem Iran kurz vor einem Abschluss steht. "
          "Man sei jedoch besorgt, dass die Verhandlungen weiter vorangetrieben werden.")


def test_german_seed(tiny_models: Path, seeds: dict) -> None:
    result = mtsum.translate_text(seeds["de"].read_text(encoding="utf-8"), models=tiny_models)
    assert result.source_language == "de"
    assert result.stats.paragraphs == 8 == len(result.paragraphs)
    assert result.stats.unique_segments < result.stats.segments
    assert result.stats.segments_translated == result.stats.unique_segments
    assert [p.duplicate_of for p in result.paragraphs] == [None, None, None, None, 1, 2, 3, None]
    assert [p.index for p in result.paragraphs] == list(range(8))
    # A repeated paragraph gets exactly the translation of its first occurrence.
    assert result.paragraphs[4].translation == result.paragraphs[1].translation
    assert set(result.models) == {"de"} and result.models["de"]["model"].endswith("tiny-opus-mt-de-en")


@pytest.mark.parametrize("key", ["sv", "sv2"])
def test_swedish_seeds(tiny_models: Path, seeds: dict, key: str) -> None:
    text = seeds[key].read_text(encoding="utf-8")
    result = mtsum.translate_text(text, models=tiny_models)
    assert result.source_language == "sv"
    assert len(result.paragraphs) == len(mtsum.split_paragraphs(text))
    assert all(p.translation for p in result.paragraphs)


def test_english_paragraph_passes_through(tiny_models: Path) -> None:
    text = f"{GERMAN}\n\n{ENGLISH_QUOTE}\n\n{GERMAN} Noch ein Satz dazu."
    result = mtsum.translate_text(text, models=tiny_models)
    assert [p.language for p in result.paragraphs] == ["de", "en", "de"]
    assert result.paragraphs[1].translation == ENGLISH_QUOTE
    assert result.source_language == "de"


def test_english_document_needs_no_model(tmp_path: Path) -> None:
    registry = tmp_path / "models.yaml"
    registry.write_text("translation:\n  sv: {model: ./missing}\n")
    result = mtsum.translate_text(f"{ENGLISH_QUOTE}\n\n{ENGLISH_QUOTE}", models=registry)
    assert result.source_language == "en"
    assert [p.translation for p in result.paragraphs] == [ENGLISH_QUOTE] * 2
    assert result.stats.segments == 0 and result.models == {}


def test_segments_are_translated_once_per_run(tiny_models: Path, seeds: dict) -> None:
    pipeline = Pipeline(tiny_models)
    text = seeds["de"].read_text(encoding="utf-8")
    first = pipeline.translate(text)
    second = pipeline.translate(text)
    assert first.stats.segments_translated == first.stats.unique_segments
    assert second.stats.segments_translated == 0
    assert [p.translation for p in first.paragraphs] == [p.translation for p in second.paragraphs]


def test_dedupe_drops_repeats_from_output(tiny_models: Path, seeds: dict) -> None:
    result = mtsum.translate_text(seeds["de"].read_text(encoding="utf-8"), models=tiny_models, dedupe=True)
    assert len(result.output_paragraphs(dedupe=True)) == 5
    assert result.text.count("\n\n") == 4
    assert len(result.to_dict()["paragraphs"]) == 5


def test_forced_source_skips_detection(tiny_models: Path) -> None:
    result = mtsum.translate_text(GERMAN, source="de", models=tiny_models)
    assert result.language_confidence is None and result.settings["source"] == "de"


def test_unsupported_language(tiny_models: Path) -> None:
    danish = ("Regeringen har besluttet at hæve skatten på cigaretter fra næste år, "
              "og det har fået mange til at reagere kraftigt på de sociale medier.")
    with pytest.raises(UnsupportedLanguageError, match="'da'"):
        mtsum.translate_text(danish, models=tiny_models)


def test_numbers_pass_through_untranslated(tiny_models: Path) -> None:
    result = mtsum.translate_text(f"{GERMAN}\n\n2023 – 2024", models=tiny_models)
    assert result.paragraphs[1].translation == "2023 – 2024"


def test_overlong_sentence_is_split_not_truncated(tiny_models: Path) -> None:
    pipeline = Pipeline(tiny_models)
    clause = "die Regierung hat neue Sanktionen gegen Russland beschlossen"
    sentence = "Berlin meldet, " + ", ".join([clause] * 120) + "."
    translator = pipeline.translator("de")
    assert translator.count_tokens(sentence) > translator.max_input_tokens
    messages: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: messages.append(record.getMessage())  # type: ignore[method-assign]
    hf_logger = logging.getLogger("transformers")  # does not propagate: listen to it directly
    hf_logger.addHandler(handler)
    try:
        pieces = pipeline.segments(sentence, "de")
        result = pipeline.translate(sentence)
    finally:
        hf_logger.removeHandler(handler)
    assert not [m for m in messages if "longer than" in m or "truncat" in m.lower()]
    assert len(pieces) > 1
    assert all(translator.count_tokens(p) <= translator.max_input_tokens for p in pieces)
    assert " ".join(pieces) == sentence
    assert result.stats.segments == len(pieces)


def test_settings_and_revisions_recorded(tiny_models: Path) -> None:
    result = mtsum.translate_text(GERMAN, models=tiny_models, batch_size=3, device="cpu")
    data = result.to_dict()
    assert data["settings"]["batch_size"] == 3 and data["settings"]["device"] == "cpu"
    assert set(data["models"]["de"]) >= {"model", "revision"}
    assert set(data["stats"]) == {"paragraphs", "segments", "unique_segments", "segments_translated",
                                  "cache_hits", "flagged_segments", "seconds"}


@pytest.mark.parametrize("batch_size", [1, 2, 64])
def test_batch_size_does_not_change_structure(tiny_models: Path, seeds: dict, batch_size: int) -> None:
    result = mtsum.translate_text(seeds["de"].read_text(encoding="utf-8"), models=tiny_models,
                                  batch_size=batch_size)
    assert len(result.paragraphs) == 8 and all(p.translation for p in result.paragraphs)


def test_missing_model_path(tmp_path: Path) -> None:
    registry = tmp_path / "models.yaml"
    registry.write_text("translation:\n  de: {model: ./not-there}\n")
    with pytest.raises(ModelUnavailableError, match="does not exist"):
        mtsum.translate_text(GERMAN, models=registry)


def test_uncached_hub_model_offline_fails_fast(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from huggingface_hub import constants

    # huggingface_hub reads HF_HUB_CACHE at import time; the module attribute is what
    # snapshot_download consults on each call, so point that at an empty folder.
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "cache"))
    registry = tmp_path / "models.yaml"
    registry.write_text("translation:\n  de: {model: Helsinki-NLP/opus-mt-de-en}\n")
    with pytest.raises(ModelUnavailableError, match="mtsum models pull"):
        mtsum.translate_text(GERMAN, models=registry, device="cpu", offline=True)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"device": "gpu"}, "unknown device"),
    ({"batch_size": 0}, "batch size"),
    ({"source": "fr"}, "unknown source language"),
])
def test_bad_settings(tiny_models: Path, kwargs: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        mtsum.translate_text(GERMAN, models=tiny_models, **kwargs)


def test_too_short_to_tell_says_so(tiny_models: Path) -> None:
    with pytest.raises(UnsupportedLanguageError, match="language unclear") as err:
        mtsum.translate_text("A", models=tiny_models)
    assert "--source" in str(err.value)


def test_german_paragraph_in_english_article_is_translated(tiny_models: Path) -> None:
    english = [f"{ENGLISH_QUOTE} The statement was read out by {who} on national television."
               for who in ("a spokesman", "the minister", "an official")]
    text = "\n\n".join([english[0], english[1], GERMAN, english[2]])
    result = mtsum.translate_text(text, models=tiny_models)
    assert result.source_language == "en"
    assert [p.language for p in result.paragraphs] == ["en", "en", "de", "en"]
    assert set(result.models) == {"de"}
    forced = mtsum.translate_text(text, models=tiny_models, source="en")
    assert [p.language for p in forced.paragraphs] == ["en"] * 4 and forced.models == {}
