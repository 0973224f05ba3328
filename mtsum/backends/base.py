"""The one interface every model backend implements, for translation and summarization alike.

A backend owns a model, its tokenizer and its device; it knows how many tokens a text
is, how long an input may be, and how to run *one* batch through ``generate``.
Batching, caching, guarding and summarizing are built around it elsewhere, once.
"""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar

from ..config import ModelSpec

TASKS = ("translation", "summarization")


class Backend(ABC):
    """A sequence-to-sequence model behind one batch method.

    ``task`` is ``translation`` (MarianMT) or ``summarization`` (BART). Subclasses load
    lazily: constructing a backend costs nothing, the first call that needs the model
    loads it.
    """

    name: ClassVar[str]

    def __init__(self, spec: ModelSpec, task: str, device: str | None = None, *,
                 offline: bool | None = None, compute_type: str | None = None) -> None:
        if task not in TASKS:
            raise ValueError(f"unknown task {task!r}")
        self.spec = spec
        self.task = task
        self.requested_device = device
        self.offline = offline
        self.requested_compute_type = compute_type or spec.compute_type

    @abstractmethod
    def count_tokens(self, text: str) -> int:
        """Tokens ``text`` takes as model input, special tokens not counted."""

    @property
    @abstractmethod
    def max_input_tokens(self) -> int:
        """How many text tokens one input may hold (special tokens already subtracted)."""

    @abstractmethod
    def generate(self, texts: list[str], settings: Mapping[str, Any]) -> list[str]:
        """Run one batch; returns one output per text, same order.

        Raises:
            BackendOOMError: the device ran out of memory for this batch.
        """

    @abstractmethod
    def default_settings(self) -> dict[str, Any]:
        """The model's own decoding settings (its generation config), GENERATION_KEYS only."""

    @property
    @abstractmethod
    def device(self) -> str:
        """The device that runs (resolved: never ``auto``)."""

    @property
    @abstractmethod
    def compute_type(self) -> str:
        """The numeric type that runs: ``float32``, ``int8``, ``float16``…"""

    @property
    @abstractmethod
    def revision(self) -> str | None:
        """The resolved hub commit, or a fingerprint of a local folder's files."""

    def generation_settings(self) -> dict[str, Any]:
        """Effective decoding settings: the model's own, with models.yaml's on top."""
        settings = self.default_settings()
        settings.update(self.spec.generation)
        return {k: v for k, v in settings.items() if v is not None}

    def describe(self) -> dict[str, Any]:
        """What produced a result: recorded in every result's ``models``."""
        return {
            "model": self.spec.model,
            "revision": self.revision,
            "backend": self.name,
            "compute_type": self.compute_type,
            "device": self.device,
            "generation": self.generation_settings(),
        }

    def cache_key(self) -> str:
        """Everything that changes the output, hashed: a translation cached under this key is
        only ever served again by the same model, revision, backend, precision and settings."""
        d = self.describe()
        d.pop("device")  # the same model gives the same text on CPU and GPU (up to fp noise)
        blob = json.dumps(d, sort_keys=True, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()[:32]
