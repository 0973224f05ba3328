"""Every environment variable mtsum reads, and the values its options allow, in one place.

Each function reads the environment when it is called, never at import, so a test (or a
long-lived process) can change a variable and see it take effect. Precedence everywhere is
flag > ``MTSUM_*`` variable > models.yaml > default: callers pass the flag's value first
and fall back on these.

| variable | meaning |
|---|---|
| ``MTSUM_MODELS`` | models.yaml to use instead of the packaged one |
| ``MTSUM_DEVICE`` | auto, cpu, cuda, cuda:N |
| ``MTSUM_BACKEND`` | auto, transformers, ctranslate2 |
| ``MTSUM_BATCH_SIZE`` / ``MTSUM_MAX_BATCH_TOKENS`` | batching caps |
| ``MTSUM_THREADS`` | CTranslate2 threads: N, or WxT workers x threads |
| ``MTSUM_CACHE`` | translation cache file, or ``off`` |
| ``MTSUM_CACHE_MAX_MB`` | translation cache size bound |
| ``MTSUM_CACHE_DIR`` | mtsum's cache folder (translations, conversions) |
| ``MTSUM_STATE`` | the digest's SQLite state |
| ``MTSUM_RULES_DIR`` | a folder of user cleaning rules |
| ``HF_HUB_OFFLINE`` / ``TRANSFORMERS_OFFLINE`` | never contact the hub |
"""

from __future__ import annotations

import os
from pathlib import Path

from mtsum.errors import ConfigError

#: ``--backend`` values; ``auto`` picks CTranslate2 where a faithful conversion exists.
BACKENDS = ("auto", "transformers", "ctranslate2")
#: Languages with a translation model (models.yaml keys).
SOURCE_LANGUAGES = ("sv", "de")
#: ``--source`` values: a translated language, English (passed through), or detection.
SOURCES = ("auto", *SOURCE_LANGUAGES, "en")

MODELS = "MTSUM_MODELS"
DEVICE = "MTSUM_DEVICE"
BACKEND = "MTSUM_BACKEND"
BATCH_SIZE = "MTSUM_BATCH_SIZE"
MAX_BATCH_TOKENS = "MTSUM_MAX_BATCH_TOKENS"
THREADS = "MTSUM_THREADS"
CACHE = "MTSUM_CACHE"
CACHE_MAX_MB = "MTSUM_CACHE_MAX_MB"
CACHE_DIR = "MTSUM_CACHE_DIR"
STATE = "MTSUM_STATE"
RULES_DIR = "MTSUM_RULES_DIR"
_OFFLINE = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
_TRUE = {"1", "true", "yes", "on"}


def env(name: str) -> str:
    """The variable's value, stripped; empty when unset."""
    return os.environ.get(name, "").strip()


def env_path(name: str) -> Path | None:
    """The variable as a path (``~`` expanded), or None when unset or empty."""
    value = env(name)
    return Path(value).expanduser() if value else None


def positive_int(name: str, value: object, *, variable: str, default: int) -> int:
    """``value`` (a flag), else the variable, else ``default``, as an integer ≥ 1.

    Raises ConfigError naming the setting for anything else.
    """
    if value is None:
        value = env(variable) or default
    try:
        number = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise ConfigError(f"{name.replace('_', ' ')} must be a positive integer, got '{value}'") from None
    if number < 1:
        raise ConfigError(f"{name.replace('_', ' ')} must be a positive integer, got {number}")
    return number


def backend(value: str | None = None) -> str:
    """``--backend`` > ``MTSUM_BACKEND`` > auto. Raises ConfigError for an unknown name."""
    name = value or env(BACKEND) or "auto"
    if name not in BACKENDS:
        raise ConfigError(f"unknown backend '{name}': use {', '.join(BACKENDS)}")
    return name


def device(value: str | None = None) -> str:
    """``--device`` > ``MTSUM_DEVICE`` > auto, lower-cased (validated by backends.devices)."""
    return (value or env(DEVICE) or "auto").strip().lower()


def hub_offline(value: bool | None = None) -> bool:
    """``--offline/--online`` > HF_HUB_OFFLINE / TRANSFORMERS_OFFLINE > online."""
    if value is not None:
        return value
    return any(env(var).lower() in _TRUE for var in _OFFLINE)


def cache_dir() -> Path:
    """mtsum's cache folder (not created here): ``MTSUM_CACHE_DIR`` > the platform's user
    cache directory (``~/.cache/mtsum`` on Linux). Translations and conversions live there."""
    path = env_path(CACHE_DIR)
    if path is not None:
        return path
    import platformdirs

    return Path(platformdirs.user_cache_dir("mtsum", appauthor=False))


def state_path() -> Path:
    """``MTSUM_STATE``, else ``digest.sqlite3`` in the user data directory."""
    path = env_path(STATE)
    if path is not None:
        return path
    from platformdirs import user_data_path

    return user_data_path("mtsum", appauthor=False) / "digest.sqlite3"
