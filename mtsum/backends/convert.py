"""Converting configured Marian and BART models to CTranslate2, and finding the conversions.

Conversions live in ``settings.cache_dir() / "ct2" / <model slug> / <revision> / <compute type>``:
keyed by the source model's hub commit (or a fingerprint of a local folder's files), so a
model updated in place is never served from a stale conversion. Each holds CTranslate2's
``model.bin``, the tokenizer files the runtime needs without transformers (Marian's
SentencePiece models and vocabulary, BART's ``tokenizer.json``) and ``mtsum-conversion.json``
with what the runtime needs to know about the source model.

Finding a conversion reads files only: it never imports ctranslate2, torch or transformers.
Converting uses CTranslate2's own ``TransformersConverter`` (which imports both).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import logging
import os
import re
import shutil
import time
from pathlib import Path
from typing import Any

from mtsum import settings
from mtsum.config import ModelSpec
from mtsum.errors import ConfigError, MissingDependencyError, ModelLoadError, ModelUnavailableError, OutputError

log = logging.getLogger(__name__)

METADATA = "mtsum-conversion.json"
# A conversion's last measured agreement with float32 (written by mtsum.models.fidelity).
AGREEMENT_FILE = "mtsum-agreement.json"
# What CTranslate2's converter accepts as weight quantization.
COMPUTE_TYPES = ("int8", "int8_float16", "int8_float32", "int8_bfloat16", "int16", "float16", "bfloat16",
                 "float32")
# Without a requested type, the conversion to use when several exist: int8 first (the
# fastest on CPU, and int8_float16 on GPU runs from the same weights).
_PREFERENCE = ("int8", "int8_float32", "int8_float16", "int8_bfloat16", "float16", "bfloat16", "int16",
               "float32")
_TASKS = {"marian": "translation", "bart": "summarization"}
# Files the runtime tokenizes with (copied from the source folder when present).
_TOKENIZER_FILES = {"marian": ("source.spm", "target.spm", "vocab.json", "target_vocab.json"),
                    "bart": ("vocab.json", "merges.txt")}


def family(compute_type: str) -> str:
    """Compute types that run from the same stored weights: ``int8*`` share int8 weights;
    float16, bfloat16 and float32 differ only in rounding; int16 stands alone."""
    if compute_type.startswith("int8"):
        return "int8"
    if compute_type in ("float16", "bfloat16", "float32"):
        return "float"
    return compute_type


def check_compute_type(compute_type: str) -> str:
    """Raises ConfigError for a compute type CTranslate2 cannot store weights in."""
    if compute_type not in COMPUTE_TYPES:
        raise ConfigError(f"unknown compute type '{compute_type}': use one of {', '.join(COMPUTE_TYPES)}")
    return compute_type


def model_slug(spec: ModelSpec) -> str:
    """A folder name for a model: the hub id with ``/`` as ``--``; a local folder's name
    plus a hash of its path (two folders called ``model`` must not share conversions)."""
    if spec.local:
        digest = hashlib.sha256(str(Path(spec.model).resolve()).encode()).hexdigest()[:8]
        name = Path(spec.model).name or "model"
        return f"local--{_safe(name)}-{digest}"
    return _safe(spec.model.replace("/", "--"))


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)


def conversions_root(spec: ModelSpec) -> Path:
    return settings.cache_dir() / "ct2" / model_slug(spec)


def read_metadata(folder: Path) -> dict[str, Any] | None:
    """A conversion's metadata, or None if ``folder`` is not a complete conversion."""
    try:
        meta = json.loads((folder / METADATA).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict) or not (folder / "model.bin").is_file():
        return None
    meta["path"] = str(folder)
    return meta


def recorded(folder: str | Path) -> dict[str, Any] | None:
    """The agreement with float32 last measured for the conversion in ``folder``, if any."""
    try:
        data = json.loads((Path(folder) / AGREEMENT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _source_revision(spec: ModelSpec, offline: bool | None = True) -> str | None:
    """The source model's revision, if the model is on disk (never downloads)."""
    from mtsum.backends.hub import locate, revision_of

    try:
        path, commit = locate(spec, offline=offline, download=False)
    except ModelUnavailableError:
        return None
    return revision_of(path, commit)


def list_conversions(spec: ModelSpec) -> list[dict[str, Any]]:
    """Every complete conversion of ``spec``'s model, newest first (metadata dicts with ``path``)."""
    root = conversions_root(spec)
    if not root.is_dir():
        return []
    found = [meta for rev in root.iterdir() if rev.is_dir() and not rev.name.startswith(".")
             for ct in rev.iterdir() if ct.is_dir() and not ct.name.startswith(".")
             if (meta := read_metadata(ct)) is not None]
    return sorted(found, key=lambda m: m.get("converted_at", 0), reverse=True)


def _pick(candidates: list[dict[str, Any]], compute_type: str | None) -> dict[str, Any] | None:
    if compute_type is None:
        rank = {ct: i for i, ct in enumerate(_PREFERENCE)}
        return min(candidates, key=lambda m: rank.get(m.get("compute_type", ""), len(rank)), default=None)
    exact = [m for m in candidates if m.get("compute_type") == compute_type]
    same = [m for m in candidates if family(str(m.get("compute_type", ""))) == family(compute_type)]
    return (exact or same or [None])[0]


def find_conversion(spec: ModelSpec, compute_type: str | None = None) -> dict[str, Any] | None:
    """The metadata (with ``path``) of the conversion to run ``spec`` with, or None.

    The conversion must be of the source model's current revision when the source is on
    disk. A hub model whose source is not cached (deleted after converting, say) may still
    run from a conversion: the one of its pinned commit, or else the newest.
    ``compute_type`` None takes any (int8 first); otherwise the same stored weights
    (see :func:`family`): int8 is never run as float32, or the reverse.
    """
    conversions = list_conversions(spec)
    if not conversions:
        return None
    revision = _source_revision(spec)
    if revision is not None:
        candidates = [m for m in conversions if m.get("revision") == revision]
    elif spec.local:
        return None  # a local folder that is gone: nothing to check a conversion against
    elif spec.revision:
        candidates = [m for m in conversions if str(m.get("revision", "")).startswith(spec.revision)]
        candidates = candidates or conversions
    else:
        candidates = conversions
    return _pick(candidates, compute_type)


def find_converted(spec: ModelSpec, compute_type: str | None = None) -> Path | None:
    """The folder of the conversion to run ``spec`` with, or None (see :func:`find_conversion`)."""
    meta = find_conversion(spec, compute_type)
    return None if meta is None else Path(meta["path"])


# --- converting -------------------------------------------------------------------------


def convert_model(spec: ModelSpec, compute_type: str = "int8", *, offline: bool | None = None,
                  force: bool = False) -> Path:
    """Convert ``spec``'s model with CTranslate2's converter; return the conversion's folder.

    An existing conversion of the same revision and compute type is reused unless
    ``force``. The conversion is written into a temporary folder beside its place and
    renamed into it, so a crash or a concurrent reader never sees half a model.

    Raises:
        MissingDependencyError: ctranslate2 (or torch/transformers, which the
            converter uses) is not installed.
        ConfigError: an unknown compute type, or a model that is neither Marian nor BART.
        ModelUnavailableError: the source model is not on disk and cannot be fetched.
        ModelLoadError: the converter failed on the model's files.
    """
    from mtsum.backends.hub import locate, revision_of

    check_compute_type(compute_type)
    ct2_version = _converter_dependencies()
    source, commit = locate(spec, offline=offline)
    revision = revision_of(source, commit) or "unknown"
    kind = _model_kind(source, spec)
    dest = conversions_root(spec) / _safe(revision) / compute_type
    if not force and read_metadata(dest) is not None:
        log.info("%s: already converted (%s) in %s", spec.name, compute_type, dest)
        return dest

    tmp = _scratch(dest, compute_type)
    log.info("%s: converting %s to CTranslate2 %s", spec.name, spec.model, compute_type)
    converter = _make_converter(str(source))
    try:
        with _quiet_transformers():
            converter.convert(str(tmp), quantization=compute_type, force=True)
        _save_tokenizer(kind, source, converter, tmp)
    except Exception as exc:  # the converter and transformers raise many kinds; all mean "cannot convert"
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, OSError) and exc.errno in _UNWRITABLE:
            raise _unwritable(dest.parent, exc) from None
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ModelLoadError(f"converting {spec.name} ({spec.model}) to CTranslate2 failed: {detail}") from exc
    meta = {
        "model": spec.model, "revision": revision, "compute_type": compute_type, "task": _TASKS[kind],
        "kind": kind, "ctranslate2": ct2_version, "converted_at": time.time(),
        "source_path": str(source), **converter.facts,
    }
    try:
        (tmp / METADATA).write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        _publish(tmp, dest)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise _unwritable(dest.parent, exc) from None
    return dest


def _converter_dependencies() -> str:
    """CTranslate2's version, once its converter and what it loads models with are known
    to be installed. Raises MissingDependencyError naming what to install."""
    try:
        import ctranslate2
        import ctranslate2.converters  # needs torch and transformers too
    except ImportError:
        raise MissingDependencyError(
            "converting needs CTranslate2: pip install 'mtsum[fast]' (or pip install ctranslate2)"
        ) from None
    import importlib.util

    missing = [m for m in ("torch", "transformers") if importlib.util.find_spec(m) is None]
    if missing:  # CTranslate2's converter loads the model with them (running it does not)
        raise MissingDependencyError(f"converting needs {' and '.join(missing)}: pip install {' '.join(missing)}")
    return str(ctranslate2.__version__)


def _scratch(dest: Path, compute_type: str) -> Path:
    """An empty folder beside ``dest`` to convert into; a read-only or full cache folder
    fails here, before minutes of converting."""
    tmp = dest.parent / f".{compute_type}.tmp-{os.getpid()}"
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
    except OSError as exc:
        raise _unwritable(dest.parent, exc) from None
    return tmp


# A cache folder that cannot take the conversion: read-only, not ours to write, full.
_UNWRITABLE = {errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOSPC, errno.EDQUOT, errno.ENOTDIR, errno.EEXIST}


def _unwritable(folder: Path, exc: OSError) -> OutputError:
    return OutputError(f"cannot write the CTranslate2 conversion to {folder}: {exc.strerror or exc} "
                       "(mtsum's cache folder: set MTSUM_CACHE_DIR to a writable folder)")


def _publish(tmp: Path, dest: Path) -> None:
    """Rename ``tmp`` to ``dest``, replacing an older conversion there."""
    old = None
    if dest.exists():
        old = dest.with_name(f".{dest.name}.old-{os.getpid()}")
        dest.rename(old)
    try:
        tmp.rename(dest)
    except OSError:  # another process published the same conversion meanwhile: keep theirs
        shutil.rmtree(tmp, ignore_errors=True)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _model_kind(source: Path, spec: ModelSpec) -> str:
    try:
        model_type = json.loads((source / "config.json").read_text(encoding="utf-8")).get("model_type")
    except (OSError, ValueError):
        raise ModelLoadError(f"{spec.name}: no readable config.json in {source}") from None
    if model_type not in _TASKS:
        raise ConfigError(f"{spec.name}: CTranslate2 conversion supports MarianMT and BART models, "
                          f"not '{model_type}'")
    return str(model_type)


@contextlib.contextmanager
def _quiet_transformers() -> Any:
    from transformers.utils import logging as hf_logging

    if logging.getLogger("mtsum").isEnabledFor(logging.DEBUG):
        yield
        return
    hf_logging.disable_progress_bar()
    level = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    try:
        yield
    finally:
        hf_logging.set_verbosity(level)


def _save_tokenizer(kind: str, source: Path, converter: Any, out: Path) -> None:
    """Copy the tokenizer files :mod:`.tokens` reads: Marian's SentencePiece models and vocabulary,
    BART's vocab.json and merges.txt (or, where a repo has only those of a fast tokenizer, its
    tokenizer.json)."""
    copied = [name for name in _TOKENIZER_FILES[kind] if (source / name).is_file()]
    for name in copied:
        shutil.copyfile(source / name, out / name)
    if kind == "bart" and len(copied) < 2:
        backend = getattr(converter.tokenizer, "backend_tokenizer", None)
        if backend is None:
            raise ModelLoadError(f"{source}: BART needs vocab.json and merges.txt, or a tokenizer.json")
        backend.save(str(out / "tokenizer.json"))


def _converter_class() -> type:
    from ctranslate2.converters import TransformersConverter

    from mtsum.backends.hf import own_settings

    class Converter(TransformersConverter):
        """CTranslate2's converter, plus what mtsum's runtime needs from the loaded model."""

        def __init__(self, path: str) -> None:
            super().__init__(path)
            self.tokenizer: Any = None
            self.facts: dict[str, Any] = {}

        def load_model(self, model_class: Any, model_name_or_path: str, **kwargs: Any) -> Any:
            model = super().load_model(model_class, model_name_or_path, **kwargs)
            # CTranslate2 4.8's BART loader reads BartConfig.normalize_before, which
            # transformers 5 no longer defines; BART is post-norm, so it is False.
            if not hasattr(model.config, "normalize_before"):
                model.config.normalize_before = False
            own = model.generation_config
            self.facts["generation"] = own_settings(own)
            self.facts["max_positions"] = int(model.config.max_position_embeddings)
            forced_bos = getattr(own, "forced_bos_token_id", None)
            self.facts["forced_bos_token_id"] = forced_bos
            self.facts["forced_eos_token_id"] = getattr(own, "forced_eos_token_id", None)
            return model

        def load_tokenizer(self, tokenizer_class: Any, model_name_or_path: str, **kwargs: Any) -> Any:
            tok = super().load_tokenizer(tokenizer_class, model_name_or_path, **kwargs)
            self.tokenizer = tok
            max_len = getattr(tok, "model_max_length", None)
            self.facts["model_max_length"] = max_len if isinstance(max_len, int) and max_len < 10**9 else None
            self.facts["special_tokens"] = tok.num_special_tokens_to_add(pair=False)
            self.facts["bos_token"], self.facts["eos_token"] = tok.bos_token, tok.eos_token
            self.facts["unk_token"], self.facts["pad_token"] = tok.unk_token, tok.pad_token
            forced = self.facts.get("forced_bos_token_id")
            self.facts["forced_bos_token"] = None if forced is None else tok.convert_ids_to_tokens(forced)
            return tok

    return Converter


def _make_converter(path: str) -> Any:
    """CTranslate2's converter class is built on first use, so ctranslate2 is imported late."""
    return _converter_class()(path)
