"""models.yaml: precedence, path resolution, validation messages."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from mtsum.config import GenerationOptions, default_models_path, load_models_config
from mtsum.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent


def test_packaged_registry_matches_repo_root() -> None:
    assert default_models_path().read_text() == (ROOT / "models.yaml").read_text()


def test_default_registry() -> None:
    cfg = load_models_config()
    assert cfg.translation["sv"].model == "Helsinki-NLP/opus-mt-sv-en"
    assert cfg.translation["de"].model == "Helsinki-NLP/opus-mt-de-en"
    assert cfg.summarization is not None and cfg.summarization.model == "sshleifer/distilbart-cnn-12-6"
    assert not cfg.translation["sv"].local


def test_env_and_flag_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env_file = tmp_path / "env.yaml"
    env_file.write_text("translation:\n  sv: {model: org/env-model}\n")
    flag_file = tmp_path / "flag.yaml"
    flag_file.write_text("translation:\n  sv: {model: org/flag-model}\n")
    monkeypatch.setenv("MTSUM_MODELS", str(env_file))
    assert load_models_config().translation["sv"].model == "org/env-model"
    assert load_models_config(flag_file).translation["sv"].model == "org/flag-model"


def test_relative_paths_resolve_against_the_file(tmp_path: Path) -> None:
    (tmp_path / "m" / "sv").mkdir(parents=True)
    cfg_file = tmp_path / "m" / "models.yaml"
    cfg_file.write_text("translation:\n  sv: {model: ./sv}\n  de: {model: ../missing-de}\n"
                        "summarization: sv\n")
    cfg = load_models_config(cfg_file)
    assert cfg.translation["sv"].model == str((tmp_path / "m" / "sv").resolve())
    assert cfg.translation["sv"].local
    assert cfg.translation["de"].local  # an explicit path stays a path even if missing
    assert cfg.summarization is not None and cfg.summarization.local  # existing dir, no ./


def test_generation_and_revision(tmp_path: Path) -> None:
    cfg_file = tmp_path / "models.yaml"
    cfg_file.write_text("translation:\n  de:\n    model: Helsinki-NLP/opus-mt-de-en\n"
                        "    revision: abc123\n    generation: {num_beams: 2, max_new_tokens: 64}\n")
    spec = load_models_config(cfg_file).translation["de"]
    assert spec.revision == "abc123"
    assert spec.generation == {"num_beams": 2, "max_new_tokens": 64}


BAD_FILES = [
    ("not yaml", "translation: [unclosed", "not valid YAML"),
    ("not a mapping", "- a\n- b\n", "expected a mapping"),
    ("no translation", "summarization: {model: x/y}\n", "'translation' must map"),
    ("unknown top key", "translation: {sv: a/b}\nsummarisation: {model: x}\n", "summarisation"),
    ("entry not mapping", "translation:\n  sv: [1, 2]\n", "'translation.sv' must be a mapping"),
    ("missing model", "translation:\n  sv: {revision: main}\n", "'translation.sv.model'"),
    ("unknown spec key", "translation:\n  sv: {model: a/b, modle: c}\n", "modle"),
    ("bad generation", "translation:\n  sv: {model: a/b, generation: {beams: 3}}\n", "beams"),
    ("generation not mapping", "translation:\n  sv: {model: a/b, generation: 3}\n", "generation' must be"),
    ("bad max_input_tokens", "translation:\n  sv: {model: a/b, max_input_tokens: two}\n", "max_input_tokens"),
]


@pytest.mark.parametrize(("name", "content", "message"), BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_malformed_registry_names_key_and_file(tmp_path: Path, name: str, content: str, message: str) -> None:
    cfg_file = tmp_path / "models.yaml"
    cfg_file.write_text(content)
    with pytest.raises(ConfigError) as err:
        load_models_config(cfg_file)
    assert message in str(err.value)
    assert str(cfg_file) in str(err.value)


def test_missing_registry_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="models file not found"):
        load_models_config(tmp_path / "nope.yaml")


def test_missing_language(tmp_path: Path) -> None:
    cfg_file = tmp_path / "models.yaml"
    cfg_file.write_text("translation:\n  sv: {model: a/b}\n")
    with pytest.raises(ConfigError, match=r"translation\.de\.model"):
        load_models_config(cfg_file).translation_spec("de")


def test_config_imports_only_errors_and_settings() -> None:
    """config is the bottom of the model layer: backends, translators and the guard import it."""
    import ast

    import mtsum.config

    tree = ast.parse(Path(mtsum.config.__file__).read_text(encoding="utf-8"))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    assert {m for m in imported if m.startswith("mtsum")} <= {"mtsum", "mtsum.errors", "mtsum.settings"}
    assert {a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module == "mtsum"
            for a in n.names} <= {"settings"}


GENERATION = [
    # (model defaults, models.yaml, overrides, recorded, passed to generate)
    ({"num_beams": 4, "max_length": 512}, {}, {}, {"num_beams": 4, "max_length": 512},
     {"num_beams": 4, "max_length": 512}),
    ({"num_beams": 4, "max_length": None}, {"min_length": 3, "num_beams": 2}, {},
     {"num_beams": 2, "min_length": 3}, {"num_beams": 2, "min_length": 3}),
    ({"num_beams": 4, "max_new_tokens": 9}, {}, {"max_length": 30, "max_new_tokens": None},
     {"num_beams": 4, "max_length": 30}, {"num_beams": 4, "max_new_tokens": None, "max_length": 30}),
    ({"num_beams": 1}, {}, {"no_repeat_ngram_size": 3}, {"num_beams": 1, "no_repeat_ngram_size": 3},
     {"num_beams": 1, "no_repeat_ngram_size": 3}),
]


@pytest.mark.parametrize(("defaults", "configured", "overrides", "recorded", "passed"), GENERATION)
def test_generation_options(defaults: dict, configured: dict, overrides: dict, recorded: dict, passed: dict) -> None:
    options = GenerationOptions.resolve(defaults, configured).replace(**overrides)
    # Key order is part of the JSON results (and of translation cache keys).
    assert list(options.recorded().items()) == list(recorded.items())
    assert list(options.items()) == list(passed.items())
    assert options == passed and hash(options) == hash(GenerationOptions.resolve(defaults, configured)
                                                        .replace(**overrides))
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.pairs = ()  # type: ignore[misc]
