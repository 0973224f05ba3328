"""Model backends, chosen by name through a lazy registry (sacrebleu-style).

Choosing ``ctranslate2`` imports only ctranslate2 (never torch); choosing
``transformers`` imports torch and transformers on first use. ``auto`` takes
CTranslate2 where the package is installed and a converted model exists, else
transformers.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
from typing import TYPE_CHECKING, Any

from mtsum.errors import ConfigError
from mtsum.settings import BACKENDS

if TYPE_CHECKING:
    from mtsum.backends.base import Backend
    from mtsum.config import ModelSpec

log = logging.getLogger(__name__)

# name -> (module, class); modules are imported only when their backend is chosen.
# One entry per name in mtsum.settings.BACKENDS but ``auto`` (tests/test_backends.py checks).
_REGISTRY = {
    "transformers": ("mtsum.backends.hf", "TransformersBackend"),
    "ctranslate2": ("mtsum.backends.ct2", "CTranslate2Backend"),
}


def backend_class(name: str) -> type[Backend]:
    """The class registered under ``name`` (imports its module).

    Raises:
        ConfigError: no backend of that name.
    """
    try:
        module, cls = _REGISTRY[name]
    except KeyError:
        raise ConfigError(f"unknown backend '{name}': use {', '.join(BACKENDS)}") from None
    return getattr(importlib.import_module(module), cls)


def ctranslate2_installed() -> bool:
    return importlib.util.find_spec("ctranslate2") is not None


def choose_backend(spec: ModelSpec, requested: str | None = None, compute_type: str | None = None) -> str:
    """Resolve ``auto`` (flag > models.yaml ``backend`` > auto) to a registered name."""
    return backend_choice(spec, requested, compute_type)[0]


_WARNED: set[str] = set()


def backend_choice(spec: ModelSpec, requested: str | None = None,
                   compute_type: str | None = None, *, warn: bool = True) -> tuple[str, str]:
    """``(backend name, why)``: ``auto`` takes CTranslate2 where it is installed and a
    conversion exists whose recorded agreement with float32 (``mtsum models verify``,
    or ``models pull``) is faithful; an unfaithful one is passed over, with one warning
    per process unless ``warn`` is off (listing models explains instead)."""
    name, why, _ = _choose(spec, requested, compute_type, warn)
    return name, why


def _choose(spec: ModelSpec, requested: str | None, compute_type: str | None,
            warn: bool) -> tuple[str, str, dict[str, Any] | None]:
    """:func:`backend_choice`, plus the conversion ``auto`` found for CTranslate2 (so that
    the backend does not locate the model and look for it a second time)."""
    name = requested if requested not in (None, "auto") else (spec.backend or "auto")
    if name != "auto":
        if name not in _REGISTRY:
            raise ConfigError(f"unknown backend '{name}': use {', '.join(BACKENDS)}")
        return name, "asked for" if requested not in (None, "auto") else "set in models.yaml", None
    if not ctranslate2_installed():
        return "transformers", "auto: CTranslate2 is not installed (pip install 'mtsum[fast]')", None
    from mtsum.backends.convert import find_conversion, recorded

    meta = find_conversion(spec, compute_type or spec.compute_type)
    if meta is None:
        return "transformers", "auto: no CTranslate2 conversion (`mtsum models convert`)", None
    agreement = recorded(meta["path"])
    if agreement is not None and not agreement.get("faithful", True):
        why = (f"auto: the CTranslate2 {meta.get('compute_type')} conversion disagrees with float32 "
               f"(chrF {agreement.get('chrf')}, {agreement.get('identical')}/{agreement.get('inputs')} identical)")
        if warn and spec.name not in _WARNED:
            _WARNED.add(spec.name)
            log.warning("%s: %s; using transformers (see `mtsum models verify`)", spec.name, why[6:])
        return "transformers", why, None
    checked = "faithful to float32" if agreement is not None else "agreement not measured yet"
    return "ctranslate2", f"auto: CTranslate2 {meta.get('compute_type')} conversion, {checked}", meta


def create_backend(spec: ModelSpec, task: str, *, backend: str | None = None, device: str | None = None,
                   offline: bool | None = None, compute_type: str | None = None) -> Backend:
    """A backend for ``spec`` (nothing is loaded until first use).

    Raises:
        ConfigError: unknown backend name.
    """
    name, _, conversion = _choose(spec, backend, compute_type, True)
    extra = {"conversion": conversion} if conversion is not None else {}
    return backend_class(name)(spec, task, device, offline=offline, compute_type=compute_type, **extra)
