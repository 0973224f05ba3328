"""models.yaml is checked when it is read: generation values, encoding, duplicate keys, guard."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from mtsum.cli import main
from mtsum.config import GuardThresholds, load_models_config
from mtsum.errors import ConfigError

HEAD = "translation:\n  sv:\n    model: org/sv-en\n    generation:\n"

BAD_GENERATION = [
    # (setting as written, words in the message)
    ("num_beams: -3", "num_beams' must be an integer >= 1, got -3"),
    ("num_beams: four", "num_beams' must be an integer >= 1, got 'four'"),
    ("num_beams: 2.5", "got 2.5"),
    ("num_beams: true", "got True"),
    ("max_new_tokens: 0", "max_new_tokens' must be an integer >= 1"),
    ("no_repeat_ngram_size: -1", "no_repeat_ngram_size"),
    ("repetition_penalty: 0", "repetition_penalty' must be a number > 0"),
    ("temperature: hot", "temperature"),
    ("top_p: 1.5", "top_p' must be a number above 0 to 1"),
    ("length_penalty: [1]", "length_penalty' must be a number"),
    ("do_sample: 'yes'", "do_sample' must be true or false"),
    ("early_stopping: sometimes", "or never"),
    ("top_k: .nan", "top_k"),
]


@pytest.mark.parametrize(("setting", "words"), BAD_GENERATION, ids=[b[0] for b in BAD_GENERATION])
def test_bad_generation_value_is_reported_at_load(tmp_path: Path, setting: str, words: str) -> None:
    path = tmp_path / "models.yaml"
    path.write_text(HEAD + f"      {setting}\n")
    with pytest.raises(ConfigError) as caught:
        load_models_config(path)
    assert str(path) in str(caught.value) and "translation.sv.generation." in str(caught.value)
    assert words in str(caught.value)


GOOD_GENERATION = ["num_beams: 4", "length_penalty: -0.5", "early_stopping: never", "early_stopping: true",
                   "top_p: 1", "repetition_penalty: 1.2", "min_length: 0", "temperature: 0.7"]


@pytest.mark.parametrize("setting", GOOD_GENERATION)
def test_good_generation_values_load(tmp_path: Path, setting: str) -> None:
    path = tmp_path / "models.yaml"
    path.write_text(HEAD + f"      {setting}\n")
    key = setting.split(": ")[0]
    assert key in load_models_config(path).translation["sv"].generation


def test_min_above_max_length(tmp_path: Path) -> None:
    path = tmp_path / "models.yaml"
    path.write_text(HEAD + "      min_length: 50\n      max_length: 10\n")
    with pytest.raises(ConfigError, match="min_length"):
        load_models_config(path)


def test_bad_generation_value_exit_2_before_any_model_loads(tmp_path: Path, seeds: dict) -> None:
    path = tmp_path / "models.yaml"
    path.write_text("translation:\n  de:\n    model: ./nowhere\n    generation: {num_beams: -3}\n")
    result = CliRunner().invoke(main, ["translate", str(seeds["de"]), "--models", str(path)])
    assert result.exit_code == 2
    assert str(path) in result.stderr and "num_beams" in result.stderr and "-3" in result.stderr


def test_non_utf8_registry_is_a_message(tmp_path: Path, seeds: dict) -> None:
    path = tmp_path / "models.yaml"
    path.write_bytes("translation:\n  sv: {model: org/modell-för-svenska}\n".encode("latin-1"))
    result = CliRunner().invoke(main, ["translate", str(seeds["de"]), "--models", str(path)])
    assert result.exit_code == 2
    assert "not UTF-8" in result.stderr and str(path) in result.stderr and "unexpected" not in result.stderr


DUPLICATES = [
    ("translation:\n  sv: {model: a/b}\n  sv: {model: c/d}\n", "'sv'"),
    ("translation:\n  sv: {model: a/b, model: c/d}\n", "'model'"),
    ("translation:\n  sv: {model: a/b}\ntranslation:\n  de: {model: c/d}\n", "'translation'"),
]


@pytest.mark.parametrize(("text", "key"), DUPLICATES)
def test_duplicate_keys_are_reported(tmp_path: Path, text: str, key: str) -> None:
    path = tmp_path / "models.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_models_config(path)
    assert "duplicate key" in str(caught.value) and key in str(caught.value) and "line" in str(caught.value)


def test_guard_section(tmp_path: Path) -> None:
    path = tmp_path / "models.yaml"
    path.write_text("translation:\n  sv: org/sv-en\nguard:\n  min_repeats: 6\n  max_length_ratio: 2.5\n")
    guard = load_models_config(path).guard
    assert guard == GuardThresholds(min_repeats=6, max_length_ratio=2.5)
    path.write_text("translation:\n  sv: org/sv-en\n")
    assert load_models_config(path).guard == GuardThresholds()


@pytest.mark.parametrize(("section", "words"), [
    ("guard:\n  min_repeats: 1\n", "guard.min_repeats' must be an integer >= 2"),
    ("guard:\n  repeats: 3\n", "unknown key(s) under 'guard': repeats"),
    ("guard: 3\n", "'guard' must be a mapping"),
    ("guard:\n  min_script_share: 2\n", "guard.min_script_share"),
])
def test_bad_guard_section(tmp_path: Path, section: str, words: str) -> None:
    path = tmp_path / "models.yaml"
    path.write_text("translation:\n  sv: org/sv-en\n" + section)
    with pytest.raises(ConfigError) as caught:
        load_models_config(path)
    assert words in str(caught.value)


def test_packaged_registry_has_valid_guard_defaults() -> None:
    assert load_models_config().guard == GuardThresholds()
