"""One backend configuration, measured in a process of its own (so peak RSS is its own).

    python bench/backend_child.py '{"yaml": ..., "key": "de", "backend": "ctranslate2", ...}'

Prints one JSON line: generated tokens, timed runs, model load time, peak RSS. Goes
through mtsum's own backend (``create_backend`` → ``generate``), tokenization included;
only the counting of generated tokens reaches inside it.
"""

from __future__ import annotations

import json
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

# A sibling module: Python puts this script's folder first on sys.path.
from measure import counting_generate, english_paragraphs, fill_to, fixed_length_segments, take_tokens, timed

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # mtsum from this checkout, installed or not
GERMAN_SEED = HERE.parent / "seeds" / "002_0f3c6a1bb88a79ad.txt"


class CountingTranslator:
    """Wraps a ``ctranslate2.Translator``: records how many tokens each hypothesis has."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.tokens = 0
        self.lengths: set[int] = set()

    def __getattr__(self, name: str) -> Any:  # num_translators and the rest: the real translator's
        return getattr(self.real, name)

    def translate_batch(self, *args: Any, **kwargs: Any) -> Any:
        results = self.real.translate_batch(*args, **kwargs)
        for r in results:
            self.lengths.add(len(r.hypotheses[0]))
            self.tokens += len(r.hypotheses[0])
        return results


def gpu_memory_mb(device: str) -> float | None:
    """GPU memory this process holds after the timed runs (both backends keep their
    allocator's blocks, so this is their peak), from nvidia-smi: CTranslate2 has no torch."""
    import os
    import subprocess

    try:
        out = subprocess.run(["nvidia-smi", "--query-compute-apps=pid,used_memory", "--format=csv,noheader,nounits"],
                             capture_output=True, text=True, check=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    used = [float(mb) for pid, mb in (line.split(",") for line in out.splitlines() if "," in line)
            if int(pid) == os.getpid()]
    return sum(used) if used else None


def inputs(backend: Any, cfg: dict[str, Any]) -> list[str]:
    """``cfg["inputs"]`` distinct texts of exactly ``cfg["input_tokens"]`` model tokens."""
    text_tokens = cfg["input_tokens"] - (1 if cfg["key"] != "bart" else 2)  # </s>; <s> and </s>
    if cfg["key"] != "bart":
        words = GERMAN_SEED.read_text(encoding="utf-8").split()
        return fixed_length_segments(backend.count_tokens, words, text_tokens, cfg["inputs"])
    out = []
    paras = english_paragraphs(6 * cfg["input_tokens"])
    for i in range(cfg["inputs"]):
        rotated = paras[i:] + paras[:i]  # a different text each time
        text = " ".join(take_tokens([" ".join(rotated)], backend.count_tokens, text_tokens))
        out.append(fill_to(text, backend.count_tokens, text_tokens))
    return out


def main() -> None:
    cfg = json.loads(sys.argv[1])
    t0 = time.perf_counter()
    from mtsum.backends import create_backend
    from mtsum.config import load_models_config

    config = load_models_config(cfg["yaml"])
    spec = config.summarization if cfg["key"] == "bart" else config.translation_spec(cfg["key"])
    task = "summarization" if cfg["key"] == "bart" else "translation"
    backend = create_backend(spec, task, backend=cfg["backend"], device=cfg["device"],
                             compute_type=cfg["compute_type"])
    t1 = time.perf_counter()
    hf = backend.name == "transformers"
    # What makes the model ready: from_pretrained + .to(device), or loading model.bin.
    _ = backend.loaded if hf else backend.translator  # type: ignore[attr-defined]
    t2 = time.perf_counter()
    texts = inputs(backend, cfg)
    n = cfg["new_tokens"]
    settings = {**backend.generation_settings(), "num_beams": cfg["beams"], "min_new_tokens": n,
                "max_new_tokens": n}
    # What mtsum's batcher hands the backend per call: one batch per worker (CTranslate2's
    # CPU workers; transformers has one).
    batch = cfg["batch"] * backend.parallel_batches

    def run() -> None:
        for i in range(0, len(texts), batch):
            backend.generate(texts[i:i + batch], settings)

    backend.generate(texts[:batch], settings)  # warm-up: one batch of this shape, untimed
    if hf:
        with counting_generate(backend.loaded.model) as record:  # type: ignore[attr-defined]
            timing, _ = timed(run, cfg["device"], cfg["repeats"], warmup=0)
        tokens, lengths = record.tokens // cfg["repeats"], sorted(record.new_tokens)
    else:
        counter = CountingTranslator(backend.translator)  # type: ignore[attr-defined]
        backend._translator = counter  # type: ignore[attr-defined]  # count what the product generates
        timing, _ = timed(run, cfg["device"], cfg["repeats"], warmup=0)
        tokens, lengths = counter.tokens // cfg["repeats"], sorted(counter.lengths)
    med = statistics.median(timing.times)
    gpu_mb = gpu_memory_mb(backend.device) if backend.device.startswith("cuda") else None
    outputs = [o for i in range(0, len(texts), batch) for o in backend.generate(texts[i:i + batch], settings)]
    print(json.dumps({
        "outputs": outputs,  # what the run produced (bench/threads.py compares layouts)
        **{k: cfg[k] for k in ("key", "backend", "beams", "batch", "inputs", "input_tokens", "new_tokens")},
        "workers": backend.parallel_batches,
        "compute_type": backend.compute_type, "device": backend.device, "target_tokens": tokens,
        "new_token_lengths": lengths, "tokens_per_s": tokens / med, "import_s": t1 - t0, "load_s": t2 - t1,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "gpu_mb": gpu_mb,
        **timing.to_dict(),
    }))


if __name__ == "__main__":
    main()
