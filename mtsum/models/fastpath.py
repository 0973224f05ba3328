"""The fast path by default: ``mtsum models pull`` converts what it pulled to CTranslate2
(when the ``fast`` extra is installed) and measures the conversion's agreement with
float32 at once, so ``--backend auto`` runs CTranslate2 from the next command on, and
only where the conversion is faithful (:func:`mtsum.backends.backend_choice`).
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from typing import Any

from mtsum.config import ModelSpec
from mtsum.errors import MtsumError

log = logging.getLogger(__name__)


@dataclass
class FastPath:
    """What converting one pulled model did, and how faithful the conversion is."""

    name: str
    compute_type: str
    action: str  # "converted", "exists" or "failed"
    path: str | None = None
    faithful: bool | None = None  # None: nothing to compare with (transformers cannot run it)
    chrf: float | None = None
    identical_share: float | None = None
    message: str | None = None  # why it failed, or what auto will do instead

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def default_compute_type(spec: ModelSpec) -> str:
    """models.yaml's ``compute_type``, else int8 on CPU and int8_float16 where CUDA is present."""
    if spec.compute_type:
        return spec.compute_type
    import ctranslate2

    return "int8_float16" if ctranslate2.get_cuda_device_count() > 0 else "int8"


def convert_pulled(specs: list[ModelSpec], *, offline: bool | None = None) -> list[FastPath]:
    """Convert each spec's model (already on disk) and record its agreement with float32.

    A failure is reported in the result, never raised: the pull itself succeeded, and
    transformers still runs the model.
    """
    from mtsum.backends.convert import convert_model, find_conversion
    from mtsum.models.fidelity import agreement

    done = []
    for spec in specs:
        compute_type = default_compute_type(spec)
        item = FastPath(name=spec.name, compute_type=compute_type, action="converted")
        try:
            existed = find_conversion(spec, compute_type)
            path = convert_model(spec, compute_type, offline=offline)
            item.path = str(path)
            if existed is not None and existed.get("path") == str(path):
                item.action = "exists"
            found = [a for a in agreement(spec, None, offline=offline)
                     if a.backend == "ctranslate2" and a.compute_type == compute_type]
            if found:
                a = found[0]
                item.faithful, item.chrf, item.identical_share = a.faithful, a.chrf, a.identical_share
                if not a.faithful:
                    item.message = f"{a.warning}; --backend auto keeps transformers for this model"
        except MtsumError as exc:
            item.action, item.message = "failed", str(exc)
            log.warning("%s: converting to CTranslate2 failed, transformers will run it: %s", spec.name, exc)
        done.append(item)
    return done
