"""Checking that the configured models work (``mtsum models verify``) and converting them
for CTranslate2 (``mtsum models convert``)."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mtsum.backends import backend_class, create_backend
from mtsum.backends.convert import check_compute_type, convert_model, list_conversions, read_metadata
from mtsum.backends.devices import requested_device
from mtsum.backends.hub import locate
from mtsum.config import ModelsConfig
from mtsum.errors import MtsumError
from mtsum.models.listing import dir_size
from mtsum.models.select import select_specs

# One short input per model kind for `verify`: enough to exercise tokenizer,
# encoder and decoder, small enough to take a second on CPU.
_VERIFY_INPUTS = {
    "sv": "Regeringen presenterade i dag en ny budget för skolan.",
    "de": "Die Regierung hat heute einen neuen Haushalt für die Schulen vorgestellt.",
    "en": (
        "The city council approved a plan on Tuesday to build three new bridges over the "
        "river. Work is expected to start next spring and take four years. The council said "
        "the bridges would cut commuting times and ease traffic in the old town."
    ),
}


@dataclass
class ConvertedModel:
    """What ``convert_models`` did for one model."""

    name: str
    model: str
    revision: str | None
    compute_type: str
    action: str  # "converted" or "exists" (an up-to-date conversion was already there)
    path: str
    size_bytes: int
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)



@dataclass
class VerifyResult:
    """One model loaded and run once (or why it could not be)."""

    name: str
    model: str
    ok: bool
    seconds: float
    device: str
    backend: str | None = None
    compute_type: str | None = None
    output: str | None = None  # the model's output for the probe input
    error: str | None = None  # exception class name
    message: str | None = None  # what went wrong and how to fix it
    # every other backend / compute type on disk against float32 (mtsum.models.fidelity.Agreement)
    agreement: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)



def convert_models(config: ModelsConfig, names: list[str] | tuple[str, ...] | None = None,
                   compute_type: str = "int8", *, offline: bool | None = None,
                   force: bool = False) -> list[ConvertedModel]:
    """Convert every (or every named) model to CTranslate2 with ``compute_type`` weights.

    Models are taken from disk (or fetched, as ``translate`` would); an up-to-date
    conversion is reused unless ``force``.

    Raises:
        ConfigError: an unknown name or compute type.
        MissingDependencyError: ctranslate2 is not installed.
        ModelUnavailableError: a model is not on disk and cannot be fetched, or its
            conversion failed (ModelLoadError).
    """
    check_compute_type(compute_type)
    done: list[ConvertedModel] = []
    for spec in select_specs(config, names):
        start = time.perf_counter()
        before = {m["path"] for m in list_conversions(spec)}
        path = convert_model(spec, compute_type, offline=offline, force=force)
        meta = read_metadata(path) or {}
        fresh = force or str(path) not in before
        done.append(ConvertedModel(
            name=spec.name, model=spec.model, revision=meta.get("revision"), compute_type=compute_type,
            action="converted" if fresh else "exists", path=str(path), size_bytes=dir_size(path),
            seconds=round(time.perf_counter() - start, 3)))
    return done


def verify_models(config: ModelsConfig, device: str | None = "cpu", *,
                  names: list[str] | tuple[str, ...] | None = None,
                  offline: bool | None = None, backend: str | None = None,
                  compute_type: str | None = None, agreement: bool = True) -> list[VerifyResult]:
    """Load every (or every named) model with its backend and run one short generation;
    then, with ``agreement``, compare every backend and compute type on disk with float32
    (:func:`mtsum.models.fidelity.agreement`).

    Nothing is downloaded: a model that is not on disk is reported as failed with
    the fix. Failures are results, not exceptions, so one report covers all models.

    Raises:
        ConfigError: an unknown name, backend or a malformed device.
    """
    from mtsum.models.fidelity import agreement as model_agreement  # sacrebleu, only with agreement

    requested_device(device)
    if backend not in (None, "auto"):
        backend_class(backend)  # an unknown name fails here, once
    results = []
    for spec in select_specs(config, names):
        start = time.perf_counter()
        result = VerifyResult(name=spec.name, model=spec.model, ok=False, seconds=0.0,
                              device=device or "auto")
        translation = spec.name.startswith("translation.")
        try:
            engine = create_backend(spec, "translation" if translation else "summarization", backend=backend,
                                    device=device, offline=offline, compute_type=compute_type)
            result.backend = engine.name
            if engine.name == "transformers":
                locate(spec, offline=offline, download=False)  # never download while verifying
            # Resolved only once a model is on disk: "auto" imports torch (seconds),
            # and a machine with nothing pulled should get its answer at once.
            result.device, result.compute_type = engine.device, engine.compute_type
            lang = spec.name.split(".", 1)[1] if translation else "en"
            result.output = engine.generate([_VERIFY_INPUTS.get(lang, _VERIFY_INPUTS["en"])],
                                            _probe_settings(engine.generation_settings()))[0]
            result.ok = True
            if agreement:
                result.agreement = [a.to_dict() for a in model_agreement(spec, device, offline=offline)]
        except MtsumError as exc:  # ModelUnavailableError, ModelLoadError, ConfigError (no CUDA)…
            result.error, result.message = type(exc).__name__, str(exc)
        except Exception as exc:
            result.error = type(exc).__name__
            result.message = (f"generation failed with {spec.model}: {exc} "
                              "(re-run `mtsum models pull`, or check the model is a "
                              "MarianMT/BART checkpoint)")
        result.seconds = round(time.perf_counter() - start, 3)
        results.append(result)
    return results


def _probe_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """One greedy, short generation: the model's settings capped so verify stays quick."""
    quick = {k: v for k, v in settings.items() if k not in ("min_new_tokens", "max_length")}
    # min_length 0: the model's own (distilbart's 56) would outlast the 32-token cap.
    return {**quick, "num_beams": 1, "max_new_tokens": 32, "min_length": 0, "do_sample": False}
