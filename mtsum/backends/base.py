"""The one interface every model backend implements, for translation and summarization alike.

A backend owns a model, its tokenizer and its device; it knows how many tokens a text
is, how long an input may be, and how to run *one* batch through ``generate``.
Batching, caching, guarding and summarizing are built around it elsewhere, once.

Counting tokens and the input limit need only the tokenizer and the model's small
files (:mod:`mtsum.backends.tokens`): a backend loads its weights on the first
``generate``, so preparing documents (and the batch engine's CPU stage) loads none.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from mtsum.config import GenerationOptions, ModelSpec
from mtsum.errors import ConfigError
from mtsum.signature import json_key

if TYPE_CHECKING:
    from mtsum.backends.tokens import Tokens

TASKS = ("translation", "summarization")
log = logging.getLogger(__name__)


def check_settings(settings: Mapping[str, Any], name: str) -> None:
    """Refuse decoding settings that have no exact counterpart in one backend (docs/models.md).

    transformers applies ``repetition_penalty`` to log-probabilities in beam search and
    CTranslate2 to the logits, so the two would choose different beams.
    """
    penalty = settings.get("repetition_penalty")
    beams = int(settings.get("num_beams") or 1)
    if penalty not in (None, 1, 1.0) and beams > 1 and not settings.get("do_sample"):
        raise ConfigError(
            f"{name}: repetition_penalty {penalty} with beam search (num_beams {beams}) decodes differently "
            "in transformers and CTranslate2; set num_beams: 1 with it, or use no_repeat_ngram_size instead")


def input_limit(spec: ModelSpec, positions: int, tokenizer_max: object, special_tokens: int) -> int:
    """Text tokens one input may hold: the model's positions (or the tokenizer's smaller
    ``model_max_length``; huge sentinel values mean unset), capped by models.yaml's
    ``max_input_tokens``, minus the special tokens the tokenizer adds."""
    limit = positions
    if isinstance(tokenizer_max, int) and 0 < tokenizer_max < limit:
        limit = tokenizer_max
    if spec.max_input_tokens is not None:
        if spec.max_input_tokens > limit:
            log.warning("%s: max_input_tokens %d exceeds the model's %d positions; using %d",
                        spec.name, spec.max_input_tokens, limit, limit)
        limit = min(spec.max_input_tokens, limit)
    return limit - special_tokens


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
        self._max_input_tokens: int | None = None
        self._options: GenerationOptions | None = None

    def count_tokens(self, text: str) -> int:
        """Tokens ``text`` takes as model input, special tokens not counted."""
        return self.tokens.count(text)

    @property
    def max_input_tokens(self) -> int:
        """How many text tokens one input may hold (special tokens already subtracted)."""
        if self._max_input_tokens is None:
            self._max_input_tokens = input_limit(self.spec, *self._input_limits())
        return self._max_input_tokens

    @abstractmethod
    def _input_limits(self) -> tuple[int, object, int]:
        """``(positions, tokenizer's model_max_length or None, special tokens per input)``,
        read without loading weights; :func:`input_limit` makes the limit of them."""

    @property
    @abstractmethod
    def tokens(self) -> Tokens:
        """The model's tokenizer (loads without weights; shared by both backends)."""

    @abstractmethod
    def _generate(self, texts: list[str], settings: Mapping[str, Any]) -> list[list[int]]:
        """Run one non-empty batch; see :meth:`generate_ids`."""

    def generate_ids(self, texts: list[str], settings: Mapping[str, Any]) -> list[list[int]]:
        """Run one batch; returns the generated token ids of each text, same order: without
        the decoder start token and the end token (a forced ``<s>`` stays).

        Raises:
            BackendOOMError: the device ran out of memory for this batch.
            ConfigError: settings the backends cannot decode alike (:func:`check_settings`).
        """
        if not texts:
            return []
        check_settings(settings, self.spec.name)
        return self._generate(texts, settings)

    def generate(self, texts: list[str], settings: Mapping[str, Any]) -> list[str]:
        """Run one batch; returns one output text per input, same order. Decoding is the
        shared tokenizer's, so equal ids give equal text on every backend.

        Raises:
            BackendOOMError: the device ran out of memory for this batch.
            ConfigError: see :meth:`generate_ids`.
        """
        return [self.tokens.decode_ids(ids) for ids in self.generate_ids(texts, settings)]

    @abstractmethod
    def default_settings(self) -> dict[str, Any]:
        """The model's own decoding settings (its generation config), GENERATION_KEYS only,
        read without loading weights."""

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

    @property
    def parallel_batches(self) -> int:
        """How many batches the backend decodes at once: the batcher hands it that many
        batches' worth per call, so that each worker gets a whole batch."""
        return 1

    def generation_settings(self) -> GenerationOptions:
        """Effective decoding settings: the model's own, with models.yaml's on top (resolved once)."""
        if self._options is None:
            self._options = GenerationOptions.resolve(self.default_settings(), self.spec.generation)
        return self._options

    def describe(self) -> dict[str, Any]:
        """What produced a result: recorded in every result's ``models``."""
        return {
            "model": self.spec.model,
            "revision": self.revision,
            "backend": self.name,
            "compute_type": self.compute_type,
            "device": self.device,
            "generation": self.generation_settings().recorded(),
        }

    def cache_key(self) -> str:
        """Everything that changes the output, hashed: a translation cached under this key is
        only ever served again by the same model, revision, backend, precision and settings."""
        d = self.describe()
        d.pop("device")  # the same model gives the same text on CPU and GPU (up to fp noise)
        # The key earlier versions wrote wherever the model id or path is ASCII (every hub
        # id is), so translation caches on disk stay valid.
        return json_key(d)
