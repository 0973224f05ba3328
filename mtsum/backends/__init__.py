"""Model backends, chosen by name through a lazy registry (sacrebleu-style).

Choosing ``ctranslate2`` imports only ctranslate2 (never torch); choosing
``transformers`` imports torch and transformers on first use. ``auto`` takes
CTranslate2 where the package is installed and a converted model exists, else
transformers.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING

from ..errors import ConfigError

if TYPE_CHECKING:
    from ..config import ModelSpec
    from .base import Backend

# name -> (module, class); modules are imported only when their backend is chosen.
_REGISTRY = {
    "transformers": ("mtsum.backends.hf", "TransformersBackend"),
    "ctranslate2": ("mtsum.backends.ct2", "CTranslate2Backend"),
}
BACKEND_NAMES = ("auto", *_REGISTRY)


def backend_class(name: str) -> type[Backend]:
    """The class registered under ``name`` (imports its module).

    Raises:
        ConfigError: no backend of that name.
    """
    try:
        module, cls = _REGISTRY[name]
    except KeyError:
        raise ConfigError(f"unknown backend '{name}': use {', '.join(BACKEND_NAMES)}") from None
    return getattr(importlib.import_module(module), cls)


def ctranslate2_installed() -> bool:
    return importlib.util.find_spec("ctranslate2") is not None


def choose_backend(spec: ModelSpec, requested: str | None = None, compute_type: str | None = None) -> str:
    """Resolve ``auto`` (flag > models.yaml ``backend`` > auto) to a registered name."""
    name = requested if requested not in (None, "auto") else (spec.backend or "auto")
    if name != "auto":
        if name not in _REGISTRY:
            raise ConfigError(f"unknown backend '{name}': use {', '.join(BACKEND_NAMES)}")
        return name
    if ctranslate2_installed():
        from .convert import find_converted

        if find_converted(spec, compute_type or spec.compute_type) is not None:
            return "ctranslate2"
    return "transformers"


def create_backend(spec: ModelSpec, task: str, *, backend: str | None = None, device: str | None = None,
                   offline: bool | None = None, compute_type: str | None = None) -> Backend:
    """A backend for ``spec`` (nothing is loaded until first use).

    Raises:
        ConfigError: unknown backend name.
    """
    name = choose_backend(spec, backend, compute_type)
    return backend_class(name)(spec, task, device, offline=offline, compute_type=compute_type)
