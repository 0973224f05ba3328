"""The transformers backend: MarianMT and BART through ``generate`` (torch)."""

from __future__ import annotations

import copy
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import GENERATION_KEYS, ModelSpec
from ..errors import BackendOOMError, ModelLoadError
from .base import Backend
from .devices import resolve_torch_device

log = logging.getLogger(__name__)


@dataclass
class LoadedModel:
    """A model and its tokenizer on a device, ready for ``generate``."""

    spec: ModelSpec
    model: Any
    tokenizer: Any
    device: str
    path: Path
    revision: str | None  # hub commit, or a fingerprint of a local folder


# One copy of each model per process, keyed by (folder, task, device, revision).
_LOADED: dict[tuple[str, str, str, str], LoadedModel] = {}


def load(spec: ModelSpec, task: str, device: str, *, offline: bool | None = None) -> LoadedModel:
    """Locate (cache, local folder or hub) and load a model once per process.

    Raises:
        ModelUnavailableError: the model cannot be found or fetched.
        ModelLoadError: the files exist but transformers cannot load them.
    """
    from ..models import locate, revision_of

    path, commit = locate(spec, offline=offline)
    revision = revision_of(path, commit)
    key = (str(path), task, device, revision or "")  # a folder replaced in place is loaded anew
    if key not in _LOADED:
        _LOADED[key] = _load(spec, task, device, path, revision)
    return _LOADED[key]


def _load(spec: ModelSpec, task: str, device: str, path: Path, revision: str | None) -> LoadedModel:
    import torch  # noqa: F401  (fail here, clearly, if torch is missing)
    from transformers import AutoTokenizer, BartForConditionalGeneration, MarianMTModel, MarianTokenizer
    from transformers.utils import logging as hf_logging

    if not logging.getLogger("mtsum").isEnabledFor(logging.DEBUG):
        hf_logging.disable_progress_bar()  # "Loading weights" bars are noise outside --debug
    model_cls, tok_cls = {
        "translation": (MarianMTModel, MarianTokenizer),
        "summarization": (BartForConditionalGeneration, AutoTokenizer),
    }[task]
    try:
        tokenizer = tok_cls.from_pretrained(str(path), local_files_only=True)
        model = model_cls.from_pretrained(str(path), local_files_only=True)
    except (OSError, ValueError, TypeError, KeyError) as exc:
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ModelLoadError(
            f"cannot load {spec.name} from {path}: {detail} "
            "(is it a complete transformers checkpoint? re-run `mtsum models pull`)"
        ) from exc
    model.to(device)
    model.eval()
    return LoadedModel(spec=spec, model=model, tokenizer=tokenizer, device=device, path=path,
                       revision=revision)


class TransformersBackend(Backend):
    """MarianMT or BART in float32 (float16 on request, GPU only) with transformers."""

    name = "transformers"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._loaded: LoadedModel | None = None
        self._device: str | None = None

    @property
    def device(self) -> str:
        if self._device is None:
            self._device = resolve_torch_device(self.requested_device)
        return self._device

    @property
    def compute_type(self) -> str:
        wanted = self.requested_compute_type
        if wanted in (None, "default", "auto", "float32"):
            return "float32"
        if wanted in ("float16", "bfloat16") and self.device.startswith("cuda"):
            return wanted
        # int8 and friends are CTranslate2's; transformers runs them as float32.
        return "float32"

    @property
    def loaded(self) -> LoadedModel:
        if self._loaded is None:
            loaded = load(self.spec, self.task, self.device, offline=self.offline)
            if self.compute_type != "float32":
                import torch

                loaded.model.to(getattr(torch, self.compute_type))
            self._loaded = loaded
        return self._loaded

    @property
    def revision(self) -> str | None:
        return self.loaded.revision

    def count_tokens(self, text: str) -> int:
        # verbose=False: measuring an over-long text (to cut it) is not feeding it to the model.
        return len(self.loaded.tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"])

    @property
    def max_input_tokens(self) -> int:
        loaded = self.loaded
        limit = int(loaded.model.config.max_position_embeddings)
        tok_max = getattr(loaded.tokenizer, "model_max_length", None)
        if isinstance(tok_max, int) and 0 < tok_max < limit:
            limit = tok_max  # huge sentinel values mean "unset"
        if self.spec.max_input_tokens is not None:
            if self.spec.max_input_tokens > limit:
                log.warning("%s: max_input_tokens %d exceeds the model's %d positions; using %d",
                            self.spec.name, self.spec.max_input_tokens, limit, limit)
            limit = min(self.spec.max_input_tokens, limit)
        return limit - loaded.tokenizer.num_special_tokens_to_add(pair=False)

    def default_settings(self) -> dict[str, Any]:
        own = self.loaded.model.generation_config
        return {key: getattr(own, key, None) for key in GENERATION_KEYS
                if key in own.to_diff_dict() or key in ("num_beams", "max_length")}

    def generate(self, texts: list[str], settings: Mapping[str, Any]) -> list[str]:
        import torch

        if not texts:
            return []
        loaded = self.loaded
        config = copy.deepcopy(loaded.model.generation_config)
        config.update(**dict(settings))
        try:
            enc = loaded.tokenizer(texts, return_tensors="pt", padding=True, truncation=False)
            if enc["input_ids"].shape[1] > loaded.model.config.max_position_embeddings:
                raise AssertionError("an input longer than the model's positions reached generate()")
            with torch.inference_mode():
                out = loaded.model.generate(**enc.to(loaded.device), generation_config=config)
        except torch.cuda.OutOfMemoryError as exc:
            torch.cuda.empty_cache()
            raise BackendOOMError(f"{self.spec.name}: CUDA out of memory for a batch of {len(texts)}") from exc
        return [t.strip() for t in loaded.tokenizer.batch_decode(out, skip_special_tokens=True)]
