"""Translation backends: one batch method each; the pipeline owns everything else.

As in argos-translate, "already English" is a backend (IdentityTranslator), not an
``if`` in the pipeline.
"""

from __future__ import annotations

import logging
import sys
from abc import ABC, abstractmethod
from typing import Any

from .config import ModelSpec

log = logging.getLogger(__name__)


class Translator(ABC):
    """Translates a batch of segments from one language to English."""

    source: str

    @abstractmethod
    def translate_batch(self, segments: list[str]) -> list[str]:
        """Translate ``segments`` (each within :attr:`max_input_tokens`), same order."""

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    @property
    def max_input_tokens(self) -> int:
        return 1_000_000

    def describe(self) -> dict[str, Any]:
        """Model id and revision, recorded in every result."""
        return {"model": None, "revision": None}


class IdentityTranslator(Translator):
    """English in, English out."""

    def __init__(self, source: str = "en") -> None:
        self.source = source

    def translate_batch(self, segments: list[str]) -> list[str]:
        return list(segments)


class MarianTranslator(Translator):
    """A Helsinki-NLP opus-mt (MarianMT) model through transformers, loaded on first use."""

    def __init__(self, spec: ModelSpec, source: str, device: str, batch_size: int = 16,
                 offline: bool | None = None, progress: bool = False) -> None:
        self.spec = spec
        self.source = source
        self.device = device
        self.batch_size = max(1, batch_size)
        self.offline = offline
        self.progress = progress
        self._loaded = None

    @property
    def loaded(self):
        if self._loaded is None:
            from .models import load_seq2seq

            self._loaded = load_seq2seq(self.spec, "marian", self.device, offline=self.offline)
        return self._loaded

    def count_tokens(self, text: str) -> int:
        # Counted with the </s> the tokenizer appends. verbose=False: measuring an
        # over-long sentence (to cut it) is not feeding it to the model.
        return len(self.loaded.tokenizer(text, add_special_tokens=True, verbose=False)["input_ids"])

    @property
    def max_input_tokens(self) -> int:
        if self.spec.max_input_tokens:
            return self.spec.max_input_tokens
        loaded = self.loaded
        limits = [loaded.model.config.max_position_embeddings]
        tok_max = getattr(loaded.tokenizer, "model_max_length", None)
        if isinstance(tok_max, int) and tok_max < 100_000:
            limits.append(tok_max)
        return min(limits)

    def generation_settings(self) -> dict[str, Any]:
        """The model's own generation config with models.yaml's overrides applied."""
        cfg = self.loaded.model.generation_config.to_diff_dict()
        keep = {"num_beams", "max_length", "max_new_tokens", "length_penalty", "no_repeat_ngram_size",
                "early_stopping", "do_sample", "repetition_penalty", "min_length"}
        settings = {k: v for k, v in cfg.items() if k in keep}
        settings.update(self.spec.generation)
        return settings

    def describe(self) -> dict[str, Any]:
        info = {"model": self.spec.model, "revision": self.spec.revision}
        if self._loaded is not None:
            info["revision"] = self._loaded.revision
            info["generation"] = self.generation_settings()
        return info

    def translate_batch(self, segments: list[str]) -> list[str]:
        import torch

        if not segments:
            return []
        loaded = self.loaded
        tokenizer, model = loaded.tokenizer, loaded.model
        # Sorting by length keeps padding, and so wasted compute, small.
        order = sorted(range(len(segments)), key=lambda i: len(segments[i]), reverse=True)
        out: list[str] = [""] * len(segments)
        batches = [order[i:i + self.batch_size] for i in range(0, len(order), self.batch_size)]
        bar = None
        if self.progress and sys.stderr.isatty():
            from tqdm import tqdm

            bar = tqdm(total=len(segments), desc=f"translating {self.source}", unit="seg", file=sys.stderr)
        with torch.inference_mode():
            for batch in batches:
                texts = [segments[i] for i in batch]
                enc = tokenizer(texts, return_tensors="pt", padding=True).to(loaded.device)
                generated = model.generate(**enc, **self.spec.generation)
                decoded = tokenizer.batch_decode(generated, skip_special_tokens=True)
                for i, text in zip(batch, decoded):
                    out[i] = text.strip()
                if bar is not None:
                    bar.update(len(batch))
        if bar is not None:
            bar.close()
        return out
