"""The model registry: reading and validating models.yaml, and the value types it holds.

Precedence for the registry file: ``--models PATH`` > ``MTSUM_MODELS`` > the
models.yaml packaged with mtsum. Everything is resolved at call time so tests and
users can change the environment without re-importing.

This module sits at the bottom of the model layer: it imports only :mod:`mtsum.errors`
and :mod:`mtsum.settings`, and the backends, translators and summarizers import it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mtsum import settings
from mtsum.errors import ConfigError, UnconfiguredLanguageError

# Each generation setting: (kind, lowest, highest, strictly above lowest). Checked when
# the file is read, so "num_beams: four" fails at once instead of after loading a model.
_GENERATION_RULES: dict[str, tuple[str, float | None, float | None, bool]] = {
    "num_beams": ("int", 1, None, False),
    "max_length": ("int", 1, None, False),
    "min_length": ("int", 0, None, False),
    "max_new_tokens": ("int", 1, None, False),
    "min_new_tokens": ("int", 0, None, False),
    "no_repeat_ngram_size": ("int", 0, None, False),
    "num_return_sequences": ("int", 1, None, False),
    "top_k": ("int", 0, None, False),
    "length_penalty": ("number", None, None, False),
    "repetition_penalty": ("number", 0, None, True),
    "temperature": ("number", 0, None, True),
    "top_p": ("number", 0, 1, True),
    "do_sample": ("bool", None, None, False),
    "early_stopping": ("bool_or_never", None, None, False),
}
# The decoding settings mtsum understands, reads from models.yaml, records in results
# and maps onto each backend. One list for the whole package.
GENERATION_KEYS = tuple(_GENERATION_RULES)
_GUARD_RULES: dict[str, tuple[str, float | None, float | None, bool]] = {
    "max_ngram": ("int", 1, None, False),
    "min_repeats": ("int", 2, None, False),
    "max_char_period": ("int", 1, None, False),
    "min_char_repeats": ("int", 2, None, False),
    "min_length_ratio": ("number", 0, None, False),
    "max_length_ratio": ("number", 0, None, True),
    "min_source_chars": ("int", 0, None, False),
    "min_script_share": ("number", 0, 1, False),
    "min_letters": ("int", 0, None, False),
}
_SPEC_KEYS = {"model", "revision", "generation", "max_input_tokens", "backend", "compute_type"}


@dataclass(frozen=True)
class GuardThresholds:
    """When an output counts as degenerate (models.yaml's ``guard:`` section); the
    defaults suit Marian sv/de→en sentences. Used by :mod:`mtsum.translation.guard`."""

    # An n-gram of up to this many words repeated back to back...
    max_ngram: int = 4
    # ...this many times or more (and more often than in the source) is a loop.
    min_repeats: int = 4
    # Inside one word, a piece of up to this many letters repeated back to back...
    max_char_period: int = 6
    # ...this many times or more (and more often than in the source) is a loop too:
    # real words stop well below ("Schifffahrt" 3, "hahaha" 3, "Mississippi" 2).
    min_char_repeats: int = 5
    # Output/source length in characters outside [min, max] is suspicious...
    min_length_ratio: float = 0.3
    max_length_ratio: float = 3.0
    # ...but only for sources at least this long: short segments vary too much.
    min_source_chars: int = 20
    # Below this share of letters in the target script the output is in the wrong
    # script (judged only with at least ``min_letters`` letters).
    min_script_share: float = 0.5
    min_letters: int = 10


@dataclass(frozen=True, eq=False)
class GenerationOptions(Mapping[str, Any]):
    """Decoding settings (GENERATION_KEYS), resolved once per model: the model's own
    generation config with models.yaml's ``generation`` on top.

    A read-only mapping in resolution order, because results record it as a JSON object
    whose key order is part of the byte-identical output (and of translation cache keys).
    A value of None in an override means "unset the model's own value" (an explicit
    ``max_length`` must beat the model's ``max_new_tokens``); :meth:`recorded` leaves
    such entries out.
    """

    pairs: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def resolve(cls, model_defaults: Mapping[str, Any], configured: Mapping[str, Any]) -> GenerationOptions:
        """The model's own settings with models.yaml's on top; unset (None) values dropped."""
        merged = {**model_defaults, **configured}
        return cls(tuple((k, v) for k, v in merged.items() if v is not None))

    def replace(self, **overrides: Any) -> GenerationOptions:
        """These options with ``overrides`` on top: a key already set keeps its place, a new
        one goes last (as a dict update does); None values are kept (see the class doc)."""
        merged = {**dict(self.pairs), **overrides}
        return GenerationOptions(tuple(merged.items()))

    def recorded(self) -> dict[str, Any]:
        """The settings as results record them: a plain dict, unset values left out."""
        return {k: v for k, v in self.pairs if v is not None}

    def __getitem__(self, key: str) -> Any:
        for k, v in self.pairs:
            if k == key:
                return v
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return (k for k, _ in self.pairs)

    def __len__(self) -> int:
        return len(self.pairs)

    def __hash__(self) -> int:
        return hash(self.pairs)

    def __repr__(self) -> str:
        return f"GenerationOptions({dict(self.pairs)!r})"


@dataclass(frozen=True)
class ModelSpec:
    """One configured model: where it comes from and how to decode with it."""

    name: str  # registry key, e.g. "translation.sv" or "summarization"
    model: str  # hub id, or an absolute local directory
    revision: str | None = None
    generation: dict[str, Any] = field(default_factory=dict)
    max_input_tokens: int | None = None
    local: bool = False
    backend: str | None = None  # None: auto
    compute_type: str | None = None  # None: the backend's default for the device


@dataclass(frozen=True)
class ModelsConfig:
    """The parsed registry file."""

    path: Path
    translation: dict[str, ModelSpec]
    summarization: ModelSpec | None
    guard: GuardThresholds = field(default_factory=GuardThresholds)

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
    env = settings.env(settings.MODELS)
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
        raw = yaml.load(cfg_path.read_text(encoding="utf-8"), Loader=_strict_loader())  # a SafeLoader
    except FileNotFoundError:
        raise ConfigError(
            f"models file not found: {cfg_path} (check --models or MTSUM_MODELS)"
        ) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{cfg_path}: not UTF-8 text (undecodable byte at offset {exc.start}); "
                          "save it as UTF-8") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{cfg_path}: not valid YAML: {exc}".replace("\n", " ")) from None
    except OSError as exc:
        raise ConfigError(f"cannot read models file {cfg_path}: {exc.strerror}") from None

    if not isinstance(raw, dict):
        raise ConfigError(f"{cfg_path}: expected a mapping with 'translation' and 'summarization'")
    unknown = set(raw) - {"translation", "summarization", "guard"}
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
    return ModelsConfig(path=cfg_path, translation=translation, summarization=summarization,
                        guard=_parse_guard(raw.get("guard"), cfg_path))


def _parse_guard(raw: Any, cfg_path: Path) -> GuardThresholds:
    if raw is None:
        return GuardThresholds()
    if not isinstance(raw, dict):
        raise ConfigError(f"{cfg_path}: 'guard' must be a mapping of thresholds")
    unknown = set(raw) - set(_GUARD_RULES)
    if unknown:
        raise ConfigError(f"{cfg_path}: unknown key(s) under 'guard': {', '.join(sorted(map(str, unknown)))} "
                          f"(allowed: {', '.join(_GUARD_RULES)})")
    for key, value in raw.items():
        _check_value(value, _GUARD_RULES[key], f"guard.{key}", cfg_path)
    return GuardThresholds(**raw)


def _check_value(value: Any, rule: tuple[str, float | None, float | None, bool], key: str, cfg_path: Path) -> None:
    """Type and range of one setting; the message names the file, the key and the value."""
    kind, low, high, strict = rule
    if kind in ("bool", "bool_or_never"):
        if isinstance(value, bool) or (kind == "bool_or_never" and value == "never"):
            return
        raise ConfigError(f"{cfg_path}: '{key}' must be true or false"
                          f"{' or never' if kind == 'bool_or_never' else ''}, got {value!r}")
    is_int = isinstance(value, int) and not isinstance(value, bool)  # YAML's true is not a number
    ok_type = is_int if kind == "int" else is_int or isinstance(value, float)
    what = "an integer" if kind == "int" else "a number"
    if low is not None and high is not None:
        what += f" {'above' if strict else 'from'} {low} to {high}"
    elif low is not None:
        what += f" {'>' if strict else '>='} {low}"
    in_range = ok_type and value == value and not (  # value == value rejects NaN
        (low is not None and (value <= low if strict else value < low)) or (high is not None and value > high))
    if not in_range:
        raise ConfigError(f"{cfg_path}: '{key}' must be {what}, got {value!r}")


def _strict_mapping(loader: Any, node: Any, deep: bool = False) -> dict[Any, Any]:
    """PyYAML keeps the last of two equal keys without a word; a typo'd duplicate
    (two ``sv:`` entries) would silently win, so it is an error here."""
    import yaml

    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            first = seen.get(key)
        except TypeError:  # an unhashable key: let PyYAML report it
            continue
        if first is not None:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (first on line {first})", key_node.start_mark)
        seen[key] = key_node.start_mark.line + 1
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


def _strict_loader() -> Any:
    import yaml

    class StrictLoader(yaml.SafeLoader):
        pass

    StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _strict_mapping)
    return StrictLoader


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
    bad = set(generation) - set(GENERATION_KEYS)
    if bad:
        raise ConfigError(
            f"{cfg_path}: unknown generation setting(s) under '{key}.generation': "
            f"{', '.join(sorted(map(str, bad)))}"
        )
    for name, value in generation.items():
        _check_value(value, _GENERATION_RULES[name], f"{key}.generation.{name}", cfg_path)
    low, high = generation.get("min_length"), generation.get("max_length")
    if low is not None and high is not None and low > high:
        raise ConfigError(f"{cfg_path}: '{key}.generation.min_length' ({low}) is above max_length ({high})")
    max_in = entry.get("max_input_tokens")
    if max_in is not None and (not isinstance(max_in, int) or max_in < 8):
        raise ConfigError(f"{cfg_path}: '{key}.max_input_tokens' must be an integer >= 8")

    backend = entry.get("backend")
    if backend is not None and backend not in settings.BACKENDS:
        raise ConfigError(f"{cfg_path}: '{key}.backend' must be one of {', '.join(settings.BACKENDS)}, "
                          f"got {backend!r}")
    compute_type = entry.get("compute_type")
    if compute_type is not None and not isinstance(compute_type, str):
        raise ConfigError(f"{cfg_path}: '{key}.compute_type' must be a string such as int8 or float16")

    model, local = _resolve_model_location(model.strip(), base)
    return ModelSpec(
        name=key,
        model=model,
        revision=None if revision is None or local else str(revision),
        generation=dict(generation),
        max_input_tokens=max_in,
        local=local,
        backend=None if backend in (None, "auto") else backend,
        compute_type=compute_type,
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
