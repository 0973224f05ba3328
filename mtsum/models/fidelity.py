"""How faithfully each backend a user has reproduces float32 transformers: the agreement
part of ``mtsum models verify``.

A few built-in sentences (and, for the summarizer, two paragraphs) are decoded with the
model's own settings by every backend and compute type on disk. Each is compared with
the float32 reference: the share of token-identical outputs and corpus chrF. In float32
the backends decode alike (docs/models.md), so a float32 conversion must agree exactly;
int8 and float16 differ by rounding, which on the real models leaves chrF high. A
conversion below :data:`MIN_CHRF` is flagged: it is not faithful, whatever its speed.
Each conversion's last agreement is kept beside it (``mtsum-agreement.json``).
"""

from __future__ import annotations

import dataclasses
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mtsum.backends import create_backend, ctranslate2_installed
from mtsum.backends.convert import AGREEMENT_FILE, find_conversion, list_conversions, recorded
from mtsum.backends.hub import locate
from mtsum.config import ModelSpec
from mtsum.errors import ConfigError, MtsumError
from mtsum.io.atomic import write_atomic

__all__ = ["AGREEMENT_FILE", "MIN_CHRF", "PROBES", "Agreement", "agreement", "compare", "recorded"]

log = logging.getLogger(__name__)

# A conversion with rounding (int8, float16) must stay this close to float32 (chrF, 0-100).
MIN_CHRF = 80.0
# Marian outputs are capped so a probe stays quick even on a model that loops.
_MAX_NEW_TOKENS = 64

PROBES = {
    "sv": [
        "Regeringen presenterade i dag en ny budget för skolan.",
        "Polisen uppger att två personer har gripits efter branden i hamnen.",
        "Enligt SMHI väntas kraftigt regn i norra Sverige under helgen.",
        "Priset på el steg med 12 procent i december jämfört med året innan.",
        "– Vi är mycket glada över beslutet, säger kommunens ordförande.",
        "Mötet hölls i Stockholm den 3 mars 2024.",
    ],
    "de": [
        "Die Regierung hat heute einen neuen Haushalt für die Schulen vorgestellt.",
        "Nach Angaben der Polizei wurden zwei Menschen bei dem Brand im Hafen verletzt.",
        "Der Deutsche Wetterdienst erwartet am Wochenende starken Regen in Bayern.",
        "Die Strompreise stiegen im Dezember um 12 Prozent im Vergleich zum Vorjahr.",
        "„Wir freuen uns sehr über die Entscheidung“, sagte der Bürgermeister.",
        "Das Treffen fand am 3. März 2024 in Berlin statt.",
    ],
    "en": [
        "The city council approved a plan on Tuesday to build three new bridges over the river. Work is "
        "expected to start next spring and take four years. The council said the bridges would cut commuting "
        "times and ease traffic in the old town.",
        "Police said two people were arrested after a fire destroyed three warehouses in the harbour on "
        "Sunday night. No one was injured. The fire brigade needed six hours to bring the blaze under control, "
        "and investigators are still looking for the cause.",
    ],
}


@dataclass
class Agreement:
    """One backend and compute type against the float32 reference, on the probe inputs."""

    backend: str
    compute_type: str
    against: str  # the reference, e.g. "transformers float32"
    inputs: int
    identical: int
    identical_share: float
    chrf: float
    faithful: bool
    warning: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def agreement(spec: ModelSpec, device: str | None = "cpu", *, offline: bool | None = None) -> list[Agreement]:
    """Agreement of every backend and compute type on disk for ``spec`` with float32.

    Empty when fewer than two can run (nothing to compare). Never downloads.

    Raises:
        MtsumError: a backend fails to load or run (verify reports it as a failure).
    """
    task = "translation" if spec.name.startswith("translation.") else "summarization"
    lang = spec.name.split(".", 1)[1] if task == "translation" else "en"
    texts = PROBES.get(lang, PROBES["en"])
    runs = []
    for name, ct in _candidates(spec):
        backend = create_backend(spec, task, backend=name, device=device, offline=offline, compute_type=ct)
        try:
            backend.compute_type  # noqa: B018  (float16 weights on a CPU: not runnable here)
        except ConfigError:
            continue
        runs.append(backend)
    if len(runs) < 2:
        return []
    outputs = {}
    for backend in runs:
        settings = backend.generation_settings()
        if task == "translation":
            settings = settings.replace(max_new_tokens=_MAX_NEW_TOKENS)  # wins over max_length on both
        outputs[(backend.name, backend.compute_type)] = backend.generate(texts, settings)
    reference_key = next(iter(outputs))
    reference = outputs[reference_key]
    found = [compare(key, outs, reference_key, reference) for key, outs in outputs.items() if key != reference_key]
    for item in found:
        if item.backend == "ctranslate2":
            _record(spec, item)
    return found


def _candidates(spec: ModelSpec) -> list[tuple[str, str | None]]:
    """(backend, compute type) pairs that can run here, the float32 reference first."""
    pairs: list[tuple[str, str | None]] = []
    try:
        path, _ = locate(spec, download=False)
        if any((path / w).is_file() for w in ("model.safetensors", "pytorch_model.bin")):
            pairs.append(("transformers", "float32"))
    except MtsumError:
        pass
    if ctranslate2_installed():
        stored = sorted({str(m.get("compute_type")) for m in list_conversions(spec)},
                        key=lambda ct: ct != "float32")  # a float32 conversion can be the reference
        for ct in stored:
            meta = find_conversion(spec, ct)  # of the source's current revision
            if meta is not None and meta.get("compute_type") == ct:
                pairs.append(("ctranslate2", ct))
    return pairs


def compare(key: tuple[str, str], outputs: list[str], ref_key: tuple[str, str], reference: list[str]) -> Agreement:
    """``outputs`` of (backend, compute type) ``key`` against ``reference``, those of ``ref_key``."""
    import sacrebleu

    identical = sum(a == b for a, b in zip(outputs, reference))
    chrf = round(float(sacrebleu.corpus_chrf(outputs, [reference]).score), 1)
    exact = key[1] == "float32" and ref_key[1] == "float32"
    faithful = identical == len(reference) if exact else chrf >= MIN_CHRF
    item = Agreement(backend=key[0], compute_type=key[1], against=f"{ref_key[0]} {ref_key[1]}",
                     inputs=len(reference), identical=identical,
                     identical_share=round(identical / len(reference), 3), chrf=chrf, faithful=faithful)
    if not faithful:
        item.warning = (
            f"{key[0]} {key[1]} differs from {item.against} beyond "
            + ("float noise: float32 must decode token for token alike; re-run `mtsum models convert --force`"
               if exact else f"rounding (chrF {chrf} < {MIN_CHRF}); prefer a float32 or float16 conversion, "
               "or --backend transformers"))
    return item


def _record(spec: ModelSpec, item: Agreement) -> None:
    """Keep the agreement beside its conversion, for `models list` and `auto` to read."""
    meta = find_conversion(spec, item.compute_type)
    if meta is None:
        return
    try:
        write_atomic(Path(meta["path"]) / AGREEMENT_FILE, json.dumps(item.to_dict(), indent=2) + "\n")
    except OSError as exc:  # a read-only cache: the report still stands
        log.warning("could not record the agreement of %s in %s: %s", spec.name, meta["path"], exc)
