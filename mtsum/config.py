"""The model registry: reading and validating models.yaml.

Precedence for the registry file: ``--models PATH`` > ``MTSUM_MODELS`` > the
models.yaml packaged with mtsum. Everything is resolved at call time so tests and
users can change the environment without re-importing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError, UnconfiguredLanguageError

SUPPORTED_SOURCES = ("sv", "de")
_GENERATION_KEYS = {
    "num_beams", "max_length", "min_length", "max_new_tokens", "min_new_tokens",
    "length_penalty", "no_repeat_ngram_size", "early_stopping", "do_sample",
    "repetition_penalty", "num_return_sequences", "temperature", "top_k", "top_p",
}
_SPEC_KEYS = {"model", "revision", "generation", "max_input_tokens"}


@dataclass(frozen=True)
class ModelSpec:
    """One configured model: where it comes from and how to decode with it."""

    name: str  # registry key, e.g. "translation.sv" or "summarization"
    model: str  # hub id, or an absolute local directory
    revision: str | None = None
    generation: dict[str, Any] = field(default_factory=dict)
    max_input_tokens: int | None = None
    local: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model, "revision": self.revision}


@dataclass(frozen=True)
class ModelsConfig:
    """The parsed registry file."""

    path: Path
    translation: dict[str, ModelSpec]
    summarization: ModelSpec | None

    def translation_spec(self, language: str) -> ModelSpec:
        """The translation model for ``language``; raises ConfigError if none is configured."""
        try:
            return self.translation[language]
        except KeyError:
            raise UnconfiguredLanguageError(
                f"{self.path}: no translation model configured for '{language}' "
                f"(add translation.{language}.model)"
            ) from None

    def all_specs(self) -> list[ModelSpec]:
        specs = list(self.translation.values())
        if self.summarization is not None:
            specs.append(self.summarization)
        return specs


def default_models_path() -> Path:
    """The models.yaml shipped inside the package."""
    return Path(__file__).with_name("models.yaml")


def resolve_models_path(path: str | os.PathLike[str] | None = None) -> Path:
    """Flag > MTSUM_MODELS > packaged default."""
    if path:
        return Path(path)
    env = os.environ.get("MTSUM_MODELS")
    if env:
        return Path(env)
    return default_models_path()


def load_models_config(path: str | os.PathLike[str] | None = None) -> ModelsConfig:
    """Read and validate a models.yaml.

    Raises:
        ConfigError: the file is missing, not YAML, or a key is malformed; the
            message names the file and the key.
    """
    import yaml  # small, but only needed here

    cfg_path = resolve_models_path(path)
    try:
        raw = yaml.safe_load(cfg_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"models file not found: {cfg_path} (check --models or MTSUM_MODELS)"
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{cfg_path}: not valid YAML: {exc}".replace("\n", " ")) from None
    except OSError as exc:
        raise ConfigError(f"cannot read models file {cfg_path}: {exc.strerror}") from None

    if not isinstance(raw, dict):
        raise ConfigError(f"{cfg_path}: expected a mapping with 'translation' and 'summarization'")
    unknown = set(raw) - {"translation", "summarization"}
    if unknown:
        raise ConfigError(f"{cfg_path}: unknown top-level key(s): {', '.join(sorted(unknown))}")

    base = cfg_path.resolve().parent
    translation_raw = raw.get("translation")
    if not isinstance(translation_raw, dict) or not translation_raw:
        raise ConfigError(f"{cfg_path}: 'translation' must map language codes to models")
    translation = {
        str(lang): _parse_spec(entry, f"translation.{lang}", cfg_path, base)
        for lang, entry in translation_raw.items()
    }
    summ_raw = raw.get("summarization")
    summarization = (
        None if summ_raw is None else _parse_spec(summ_raw, "summarization", cfg_path, base)
    )
    return ModelsConfig(path=cfg_path, translation=translation, summarization=summarization)


def _parse_spec(entry: Any, key: str, cfg_path: Path, base: Path) -> ModelSpec:
    if isinstance(entry, str):  # shorthand: `sv: Helsinki-NLP/opus-mt-sv-en`
        entry = {"model": entry}
    if not isinstance(entry, dict):
        raise ConfigError(f"{cfg_path}: '{key}' must be a mapping with a 'model' key")
    unknown = set(entry) - _SPEC_KEYS
    if unknown:
        raise ConfigError(
            f"{cfg_path}: unknown key(s) under '{key}': {', '.join(sorted(unknown))} "
            f"(allowed: {', '.join(sorted(_SPEC_KEYS))})"
        )
    model = entry.get("model")
    if not isinstance(model, str) or not model.strip():
        raise ConfigError(f"{cfg_path}: '{key}.model' must be a hub id or a local path")
    revision = entry.get("revision")
    if revision is not None and not isinstance(revision, (str, int)):
        raise ConfigError(f"{cfg_path}: '{key}.revision' must be a string")
    generation = entry.get("generation") or {}
    if not isinstance(generation, dict):
        raise ConfigError(f"{cfg_path}: '{key}.generation' must be a mapping")
    bad = set(generation) - _GENERATION_KEYS
    if bad:
        raise ConfigError(
            f"{cfg_path}: unknown generation setting(s) under '{key}.generation': "
            f"{', '.join(sorted(bad))}"
        )
    max_in = entry.get("max_input_tokens")
    if max_in is not None and (not isinstance(max_in, int) or max_in < 8):
        raise ConfigError(f"{cfg_path}: '{key}.max_input_tokens' must be an integer >= 8")

    model, local = _resolve_model_location(model.strip(), base)
    return ModelSpec(
        name=key,
        model=model,
        revision=None if revision is None or local else str(revision),
        generation=dict(generation),
        max_input_tokens=max_in,
        local=local,
    )


def _resolve_model_location(model: str, base: Path) -> tuple[str, bool]:
    """Decide whether ``model`` is a local directory or a hub id.

    Explicit paths (``/``, ``./``, ``../``, ``~``) are always local, so a typo in a
    path is reported as a missing path rather than as an unknown hub repo.
    """
    expanded = Path(model).expanduser()
    if model.startswith(("/", "./", "../", "~", ".\\", "..\\")) or expanded.is_absolute():
        return str((base / expanded).resolve()), True
    candidate = base / model
    if candidate.is_dir():
        return str(candidate.resolve()), True
    return model, False
