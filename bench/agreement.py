"""How faithfully CTranslate2 reproduces transformers float32: identical outputs and chrF.

The full-size random-weight bench models cannot show it: their near-uniform logits
under a pinned length decode every input to one repeated token, so any two backends
"agree". This section uses the tiny repos laid out like the real ones
(tests/fixtures/real_layout.py: peaked random logits, the real configs and decoding
settings, Marian capped at 64 tokens) on the bench's German inputs and English
paragraphs, through mtsum's own backends and ``mtsum.models.fidelity.compare`` (what
``mtsum models verify`` reports). Random weights leave no margin between top tokens,
so int8's figures here are a floor; on trained models rounding flips far fewer.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

from build_models import REPO, BuiltModels
from measure import english_paragraphs, fixed_length_segments
from options import Options
from sections import GERMAN_SEED

log = logging.getLogger("bench")


def bench_agreement(opts: Options, built: BuiltModels, device: str) -> dict[str, Any]:
    sys.path.insert(0, str(REPO / "tests" / "fixtures"))
    from real_layout import build_real_layout, write_models_yaml

    from mtsum.backends import create_backend
    from mtsum.backends.convert import convert_model
    from mtsum.config import load_models_config
    from mtsum.models.fidelity import compare

    root = opts.workdir / "real-layout"
    folders = {hub_id: root / hub_id.split("/")[1] for hub_id in
               ("Helsinki-NLP/opus-mt-sv-en", "Helsinki-NLP/opus-mt-de-en", "sshleifer/distilbart-cnn-12-6")}
    if not all((f / "pytorch_model.bin").is_file() for f in folders.values()):
        folders = build_real_layout(root)
    config = load_models_config(write_models_yaml(folders, root / "models.yaml"))
    os.environ["MTSUM_CACHE_DIR"] = str(opts.workdir / "agreement-cache")
    words = GERMAN_SEED.read_text(encoding="utf-8").split()
    rows, exact = [], []
    for name, spec, task in (("opus-mt-de-en", config.translation["de"], "translation"),
                             ("distilbart-cnn-12-6", config.summarization, "summarization")):
        reference_backend = create_backend(spec, task, backend="transformers", device=device)
        if task == "translation":
            texts = fixed_length_segments(reference_backend.count_tokens, words, opts.input_tokens - 1, 64)
            settings = {**reference_backend.generation_settings(), "max_length": 64}
        else:
            paras = english_paragraphs(3000)
            texts = [" ".join(paras[i:i + 3]) for i in range(0, min(len(paras), 24), 3)]
            settings = reference_backend.generation_settings()
        reference = reference_backend.generate(texts, settings)
        for compute_type in ("float32", "int8"):
            convert_model(spec, compute_type)
            backend = create_backend(spec, task, backend="ctranslate2", device=device, compute_type=compute_type)
            found = compare(("ctranslate2", backend.compute_type), backend.generate(texts, settings),
                            ("transformers", "float32"), reference)
            if compute_type == "float32":
                exact.append(found.identical_share)
            rows.append([name, settings.get("num_beams"), f"ctranslate2 {found.compute_type}", found.against,
                         found.inputs, f"{100 * found.identical_share:.0f} %", found.chrf])
            log.info("agreement %s %s: %d/%d identical, chrF %.1f", name, found.compute_type, found.identical,
                     found.inputs, found.chrf)
    note = (__doc__ or "").split("\n\n", 1)[1].replace("\n", " ").strip()
    return {"note": note, "headers": ["model", "num_beams", "backend", "against", "outputs", "identical", "chrF"],
            "rows": rows, "ratio": min(exact), "want": 1.0}
