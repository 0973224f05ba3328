"""The CTranslate2 backend: MarianMT and BART converted by ``mtsum models convert``.

Never imports torch or transformers (transformers' tokenizers import torch): Marian is
tokenized with ``sentencepiece`` and its ``vocab.json``, as ``MarianTokenizer`` does,
and BART with the ``tokenizers`` library from the ``tokenizer.json`` saved at
conversion time. CTranslate2 takes and returns token strings.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mtsum.backends.base import Backend
from mtsum.backends.convert import check_compute_type, family, find_conversion
from mtsum.backends.devices import resolve
from mtsum.backends.tokens import Tokens, load_tokens
from mtsum.errors import BackendOOMError, ConfigError, MissingDependencyError, ModelUnavailableError
from mtsum.settings import THREADS, env

log = logging.getLogger(__name__)

_INSTALL = "pip install 'mtsum[fast]' (or pip install ctranslate2)"


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def thread_layout() -> tuple[int, int]:
    """``(workers, threads per worker)`` for CTranslate2 on CPU, from ``MTSUM_THREADS``:
    ``N`` is one worker with N threads, ``WxT`` W workers of T threads each. The batcher
    hands the backend one whole batch per worker per call (``parallel_batches``), and
    CTranslate2 decodes them side by side; the workers share the weights.

    Default: one single-threaded worker per core; on the 2-core machine measured it beat
    one multi-threaded worker at every workload (the measurements are in docs/).
    """
    layout = env(THREADS).lower()
    if not layout:
        return _cores(), 1
    workers, _, per = layout.partition("x") if "x" in layout else ("1", "", layout)
    if not (workers.isdigit() and per.isdigit() and int(workers) >= 1 and int(per) >= 1):
        raise ConfigError(f"MTSUM_THREADS must be a positive integer (threads) or WxT (workers x threads), "
                          f"got '{layout}'")
    return int(workers), int(per)


def threads() -> int:
    """Threads all workers use together (see :func:`thread_layout`)."""
    workers, per = thread_layout()
    return workers * per


def translate_options(settings: Mapping[str, Any], *, forced_eos: bool = False) -> dict[str, Any]:
    """transformers-style generation settings as ``Translator.translate_batch`` options.

    transformers' ``max_length``/``min_length`` count the decoder start token, so they
    are one more than CTranslate2's decoding lengths; ``max_new_tokens``/``min_new_tokens``
    win over them, as in transformers. With ``forced_eos`` (the model's
    ``forced_eos_token_id``, as opus-mt and BART have) transformers spends the last
    allowed step on a forced ``</s>``; CTranslate2 returns no end token, so one token
    fewer is the same output. ``early_stopping`` has no counterpart (CTranslate2
    stops a beam search when ``beam_size`` hypotheses are finished, i.e. early stopping)
    and ``num_return_sequences`` none either: one output per input.
    """
    opts: dict[str, Any] = {"beam_size": int(settings.get("num_beams") or 1), "max_input_length": 0}
    if settings.get("max_new_tokens") is not None:
        opts["max_decoding_length"] = int(settings["max_new_tokens"])
    elif settings.get("max_length") is not None:
        opts["max_decoding_length"] = max(1, int(settings["max_length"]) - 1)
    if forced_eos and "max_decoding_length" in opts:
        opts["max_decoding_length"] = max(1, opts["max_decoding_length"] - 1)
    mins = []
    if settings.get("min_new_tokens") is not None:
        mins.append(int(settings["min_new_tokens"]))
    if settings.get("min_length") is not None:
        mins.append(int(settings["min_length"]) - 1)
    if mins:
        opts["min_decoding_length"] = min(max(0, *mins), opts.get("max_decoding_length", 1 << 30))
    for ours, theirs in (("length_penalty", "length_penalty"), ("repetition_penalty", "repetition_penalty"),
                         ("no_repeat_ngram_size", "no_repeat_ngram_size")):
        if settings.get(ours) is not None:
            opts[theirs] = settings[ours]
    if settings.get("do_sample"):
        top_k = settings.get("top_k")
        opts["sampling_topk"] = 50 if top_k is None else int(top_k)  # transformers' default top_k
        opts["sampling_topp"] = float(settings.get("top_p") or 1.0)
        opts["sampling_temperature"] = float(settings.get("temperature") or 1.0)
    else:
        opts["sampling_topk"] = 1
    return opts


def default_compute_type(device: str, stored: str | None) -> str:
    """What to run when no compute type is asked for: the stored weights' own family,
    int8 on CPU and int8 with float16 activations on CUDA."""
    fam = family(stored or "int8")
    cuda = device.startswith("cuda")
    if fam == "int8":
        return "int8_float16" if cuda else "int8"
    if fam == "float":
        return (stored if stored in ("float16", "bfloat16") else "float16") if cuda else "float32"
    return "float16" if cuda else str(stored)


# --- the backend ------------------------------------------------------------------------


# One translator per process per (folder, device, compute type, workers, threads per worker).
_TRANSLATORS: dict[tuple[str, str, str, int, int], Any] = {}


class CTranslate2Backend(Backend):
    """MarianMT or BART run by CTranslate2 from a conversion (int8 by default)."""

    name = "ctranslate2"

    def __init__(self, *args: Any, conversion: dict[str, Any] | None = None, **kwargs: Any) -> None:
        """``conversion``: the metadata :func:`find_conversion` gave for this spec and compute
        type, where the caller (``--backend auto``) has already looked; else found on first use."""
        super().__init__(*args, **kwargs)
        if self.requested_compute_type is not None:
            check_compute_type(self.requested_compute_type)
        self._meta: dict[str, Any] | None = conversion
        self._device: str | None = None
        self._tokens: Tokens | None = None
        self._translator: Any = None

    @property
    def meta(self) -> dict[str, Any]:
        """The conversion's metadata (with ``path``), found on first use."""
        if self._meta is None:
            found = find_conversion(self.spec, self.requested_compute_type)
            if found is None:
                short = self.spec.name.split(".", 1)[-1]
                ct = self.requested_compute_type or "int8"
                raise ModelUnavailableError(
                    f"{self.spec.name} ({self.spec.model}) has no CTranslate2 conversion"
                    f"{' for ' + self.requested_compute_type if self.requested_compute_type else ''}: "
                    f"run `mtsum models convert {short} --compute-type {ct}`, or use --backend transformers"
                )
            self._meta = found
        return self._meta

    @property
    def device(self) -> str:
        if self._device is None:
            self._device = resolve(self.requested_device, _ct2().get_cuda_device_count)
        return self._device

    @property
    def compute_type(self) -> str:
        wanted = self.requested_compute_type or default_compute_type(self.device, self.meta.get("compute_type"))
        supported = _ct2().get_supported_compute_types(self.device.split(":")[0])
        if wanted not in supported:
            raise ConfigError(f"compute type '{wanted}' is not supported on {self.device} by CTranslate2 "
                              f"(supported: {', '.join(sorted(supported))})")
        return wanted

    @property
    def revision(self) -> str | None:
        return self.meta.get("revision")

    @property
    def tokens(self) -> Tokens:
        if self._tokens is None:
            self._tokens = load_tokens(Path(self.meta["path"]), str(self.meta.get("kind")), self.meta)
        return self._tokens

    @property
    def translator(self) -> Any:
        if self._translator is None:
            device, compute_type = self.device, self.compute_type
            workers, per = thread_layout() if device == "cpu" else (1, 0)
            key = (self.meta["path"], device, compute_type, workers, per)
            if key not in _TRANSLATORS:
                kind, _, index = device.partition(":")
                try:
                    _TRANSLATORS[key] = _ct2().Translator(
                        self.meta["path"], device=kind, device_index=int(index or 0),
                        compute_type=compute_type, intra_threads=per, inter_threads=workers)
                except (RuntimeError, ValueError) as exc:
                    # Out of memory here is not the batcher's to fix: it says so and stops.
                    raise ModelUnavailableError(
                        f"cannot load the CTranslate2 conversion of {self.spec.name} from {self.meta['path']}: "
                        f"{exc} (re-run `mtsum models convert --force`)") from exc
            self._translator = _TRANSLATORS[key]
        return self._translator

    @property
    def parallel_batches(self) -> int:
        return thread_layout()[0] if self.device == "cpu" else 1  # one replica per GPU

    def _input_limits(self) -> tuple[int, object, int]:
        meta = self.meta
        positions = int(meta.get("max_positions") or 1024)
        return positions, meta.get("model_max_length"), int(meta.get("special_tokens") or 0)

    def default_settings(self) -> dict[str, Any]:
        return dict(self.meta.get("generation") or {})

    def _generate(self, texts: list[str], settings: Mapping[str, Any]) -> list[list[int]]:
        tokens = self.tokens
        source = [tokens.model_input(t) for t in texts]
        if max(map(len, source)) > int(self.meta.get("max_positions") or 1024):
            raise AssertionError("an input longer than the model's positions reached generate()")
        options = translate_options(settings, forced_eos=self.meta.get("forced_eos_token_id") is not None)
        forced = self.meta.get("forced_bos_token")
        # transformers forces BART's first token to <s>; a target prefix does the same
        # here, and counts towards the decoding length as the forced token does there.
        prefix = [[forced] for _ in texts] if forced else None
        translator = self.translator
        workers = int(getattr(translator, "num_translators", 1))  # test spies and wrappers: 1
        if workers > 1 and len(source) > 1:
            # Each worker decodes its share of the batch at once (sorted by length inside).
            options["max_batch_size"] = -(-len(source) // workers)
        try:
            results = translator.translate_batch(source, prefix, **options)
        except RuntimeError as exc:
            _raise_oom(exc, self.spec.name, len(texts))
            raise
        return [tokens.ids_of(r.hypotheses[0]) for r in results]


def _raise_oom(exc: BaseException, name: str, batch: int) -> None:
    if "out of memory" in str(exc).lower():
        raise BackendOOMError(f"{name}: CUDA out of memory for a batch of {batch}") from exc


def _ct2() -> Any:
    try:
        import ctranslate2
    except ImportError:
        raise MissingDependencyError(f"the ctranslate2 backend needs CTranslate2: {_INSTALL}") from None
    return ctranslate2
