"""The transformers backend: MarianMT and BART through ``generate`` (torch)."""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mtsum.backends.base import Backend
from mtsum.backends.devices import resolve_torch_device
from mtsum.backends.tokens import Tokens, load_tokens
from mtsum.config import GENERATION_KEYS, ModelSpec
from mtsum.errors import BackendOOMError, ModelLoadError

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
    from mtsum.backends.hub import locate, revision_of

    path, commit = locate(spec, offline=offline)
    return load_located(spec, task, device, path, revision_of(path, commit))


def load_located(spec: ModelSpec, task: str, device: str, path: Path, revision: str | None) -> LoadedModel:
    """Load the model in ``path`` once per process (a folder replaced in place is loaded anew)."""
    key = (str(path), task, device, revision or "")
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
    """MarianMT or BART in float32 (float16 on request, GPU only) with transformers.

    Tokenizing, the input limit and the decoding settings need only the model's small
    files (tokenizer, config.json, generation_config.json); the weights load on the
    first ``generate``.
    """

    name = "transformers"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._loaded: LoadedModel | None = None
        self._device: str | None = None
        self._located: tuple[Path, str | None] | None = None
        self._tokens: Tokens | None = None

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
    def located(self) -> tuple[Path, str | None]:
        """The model's folder and revision, found once (cache, local folder or hub)."""
        if self._located is None:
            from mtsum.backends.hub import locate, revision_of

            path, commit = locate(self.spec, offline=self.offline)
            self._located = (path, revision_of(path, commit))
        return self._located

    @property
    def loaded(self) -> LoadedModel:
        if self._loaded is None:
            path, revision = self.located
            loaded = load_located(self.spec, self.task, self.device, path, revision)
            if self.compute_type != "float32":
                import torch

                loaded.model.to(getattr(torch, self.compute_type))
            self._loaded = loaded
        return self._loaded

    @property
    def revision(self) -> str | None:
        return self.located[1]

    @property
    def tokens(self) -> Tokens:
        if self._tokens is None:
            self._tokens = load_tokens(self.located[0], "marian" if self.task == "translation" else "bart")
        return self._tokens

    def _file(self, name: str) -> dict[str, Any]:
        path = self.located[0] / name
        try:
            data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        except (OSError, ValueError) as exc:
            raise ModelLoadError(f"cannot read {path}: {exc} (re-run `mtsum models pull`)") from None
        return data if isinstance(data, dict) else {}

    def _input_limits(self) -> tuple[int, object, int]:
        positions = int(self._file("config.json").get("max_position_embeddings") or 1024)
        # MarianTokenizer's model_max_length defaults to 512 where tokenizer_config.json is silent.
        tok_max = self._file("tokenizer_config.json").get("model_max_length", 512 if self.task == "translation"
                                                          else None)
        return positions, tok_max, self.tokens.special_tokens

    def default_settings(self) -> dict[str, Any]:
        return own_settings(self._generation_config())

    def _generation_config(self) -> Any:
        """The generation config ``from_pretrained`` gives the model, read from the files alone:
        generation_config.json, else (BART repos have none) the legacy settings in config.json,
        as transformers' ``adjust_generation_fn`` does. tests/test_no_weights.py checks that
        both ways agree on every test model."""
        from transformers import GenerationConfig

        folder = str(self.located[0])
        try:
            try:
                return GenerationConfig.from_pretrained(folder, local_files_only=True)
            except OSError:
                return GenerationConfig.from_pretrained(folder, config_file_name="config.json",
                                                        _from_model_config=True, local_files_only=True)
        except (OSError, ValueError) as exc:
            raise ModelLoadError(f"cannot read the generation config of {self.spec.name} in {folder}: {exc} "
                                 "(re-run `mtsum models pull`)") from None

    def _generate(self, texts: list[str], settings: Mapping[str, Any]) -> list[list[int]]:
        import torch

        loaded, tokens = self.loaded, self.tokens
        config = copy.deepcopy(loaded.model.generation_config)
        config.update(**dict(settings))
        # CTranslate2's semantics, so both backends decode alike (docs/models.md): scores are
        # normalized after penalties and masks, as the real opus-mt generation_config.json says.
        config.renormalize_logits = True
        rows = [tokens.input_ids(t) for t in texts]
        width = max(map(len, rows))
        if width > loaded.model.config.max_position_embeddings:
            raise AssertionError("an input longer than the model's positions reached generate()")
        pad = loaded.model.config.pad_token_id
        input_ids = torch.tensor([r + [pad] * (width - len(r)) for r in rows], device=loaded.device)
        mask = torch.tensor([[1] * len(r) + [0] * (width - len(r)) for r in rows], device=loaded.device)
        try:
            with torch.inference_mode():
                out = loaded.model.generate(input_ids=input_ids, attention_mask=mask, generation_config=config)
        except torch.cuda.OutOfMemoryError as exc:
            torch.cuda.empty_cache()
            raise BackendOOMError(f"{self.spec.name}: CUDA out of memory for a batch of {len(texts)}") from exc
        return [_generated(row, loaded.model.generation_config) for row in out.tolist()]


def own_settings(config: Any) -> dict[str, Any]:
    """A transformers ``GenerationConfig``'s settings that mtsum records (GENERATION_KEYS):
    those the model sets, and always ``num_beams`` and ``max_length``."""
    diff = config.to_diff_dict()
    return {key: getattr(config, key, None) for key in GENERATION_KEYS
            if key in diff or key in ("num_beams", "max_length")}


def _generated(row: list[int], config: Any) -> list[int]:
    """The tokens a model generated, as CTranslate2 returns them: without the decoder
    start token, the end token and the padding after it."""
    eos = config.eos_token_id
    ends = set(eos) if isinstance(eos, list) else {eos}
    out = []
    for token in row[1:]:
        if token in ends:
            break
        out.append(token)
    return out
