"""What is on disk for each configured model, and which backend would run it: ``mtsum models list``.

Reads local files only: no network, and never torch or ctranslate2, so it answers in
well under a second on a machine with an empty cache. "Available" means exactly "the
backend translate/summarize would choose will load it" (:mod:`mtsum.backends.hub`,
:func:`mtsum.backends.backend_choice`).
"""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mtsum.backends import backend_choice, ctranslate2_installed
from mtsum.backends.convert import COMPUTE_TYPES, family, list_conversions
from mtsum.backends.hub import cached_snapshot, hub_cache_folder, missing_files, revision_of
from mtsum.config import ModelsConfig, ModelSpec

_COMMIT_RE = re.compile(r"[0-9a-f]{40}")


@dataclass
class ModelStatus:
    """Where one configured model is and whether it can be used."""

    name: str  # registry key, e.g. "translation.sv"
    model: str  # hub id or local folder
    revision: str | None
    local: bool
    available: bool
    path: str | None = None  # the folder that would be loaded
    commit: str | None = None  # cached hub commit (snapshot folder name)
    size_bytes: int = 0
    formats: list[str] = field(default_factory=list)  # e.g. ["pytorch", "ctranslate2:int8"]
    missing: str | None = None  # why it is not available
    backend: str = "auto"  # as configured in models.yaml
    runs_with: str | None = None  # the backend that would load it (when available)
    why: str | None = None  # why that backend (auto's choice, or as asked)
    converted: list[dict[str, Any]] = field(default_factory=list)  # CTranslate2 conversions

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)



def list_models(config: ModelsConfig) -> list[ModelStatus]:
    """Status of every configured model, from local files only (no network, no torch)."""
    return [model_status(spec) for spec in config.all_specs()]


def model_status(spec: ModelSpec) -> ModelStatus:
    """Status of one model spec; see :func:`list_models`.

    Available means the configured backend (``auto``: CTranslate2 when installed and
    converted, else transformers) will load it: transformers needs PyTorch weights,
    CTranslate2 a conversion made by ``mtsum models convert``.
    """
    status = ModelStatus(name=spec.name, model=spec.model, revision=spec.revision,
                         local=spec.local, available=False, backend=spec.backend or "auto")
    folder: Path | None = None
    source_missing: str | None = None
    if spec.local:
        folder = Path(spec.model)
        if not folder.is_dir():
            folder, source_missing = None, "local folder does not exist"
    else:
        found = cached_snapshot(spec)
        if found is None:
            source_missing = _cache_diagnosis(spec)
        else:
            folder, status.commit = found
    if folder is not None:
        status.path = str(folder)
        status.size_bytes = dir_size(folder)
        status.formats = detect_formats(folder)
        if not (folder / "config.json").is_file():
            source_missing = "no config.json in the model folder"
        elif "pytorch" not in status.formats:
            other = [f for f in status.formats if f != "pytorch"]
            source_missing = ("no PyTorch weights (model.safetensors or pytorch_model.bin)"
                              + (f"; transformers cannot load the {' or '.join(other)} files here" if other else ""))

    ct2_usable = _usable_conversions(spec, folder, status.commit)
    status.converted = ct2_usable
    stored = sorted({str(m["compute_type"]) for m in ct2_usable}, key=_preference)
    status.formats += [f"ctranslate2:{c}" for c in stored]
    wanted = [m for m in ct2_usable if spec.compute_type is None
              or _same_weights(m["compute_type"], spec.compute_type)]
    ct2_ok = bool(wanted) and ctranslate2_installed()
    choice, status.why = backend_choice(spec, warn=False)
    if ct2_ok and (status.backend == "ctranslate2" or choice == "ctranslate2" or source_missing is not None):
        status.available, status.runs_with = True, "ctranslate2"
    elif status.backend in ("auto", "transformers") and source_missing is None:
        status.available, status.runs_with = True, "transformers"
    elif status.backend == "ctranslate2":
        short = spec.name.split(".", 1)[-1]
        status.missing = (
            "ctranslate2 is not installed: pip install 'mtsum[fast]'" if wanted else
            f"no CTranslate2 conversion{' for ' + spec.compute_type if spec.compute_type else ''}: "
            f"run `mtsum models convert {short}"
            f"{' --compute-type ' + spec.compute_type if spec.compute_type else ''}`"
            + (f" (and first {source_missing})" if source_missing else "")
        )
    else:
        status.missing = source_missing
    return status


def _preference(compute_type: str) -> int:
    return COMPUTE_TYPES.index(compute_type) if compute_type in COMPUTE_TYPES else len(COMPUTE_TYPES)


def _same_weights(stored: str, wanted: str) -> bool:
    return family(stored) == family(wanted)


def _usable_conversions(spec: ModelSpec, folder: Path | None, commit: str | None) -> list[dict[str, Any]]:
    """The conversions of the source's current revision (all of a hub model whose source
    is not cached, as the backend would fall back to them), without their paths' metadata noise."""
    conversions = list_conversions(spec)
    if not conversions:
        return []
    if folder is not None:
        revision = revision_of(folder, commit)
        conversions = [m for m in conversions if m.get("revision") == revision]
    elif spec.local:
        return []
    return [{"compute_type": m.get("compute_type"), "revision": m.get("revision"),
             "ctranslate2": m.get("ctranslate2"), "path": m["path"],
             "size_bytes": dir_size(Path(m["path"]))} for m in conversions]


def _cache_diagnosis(spec: ModelSpec) -> str:
    """Why a hub model is not usable from the HF cache, for people."""
    repo = hub_cache_folder(spec.model)
    if not repo.is_dir():
        return "not in the Hugging Face cache"
    rev = spec.revision or "main"
    commit = rev if _COMMIT_RE.fullmatch(rev) else None
    if commit is None:
        ref = repo / "refs" / rev
        if not ref.is_file():
            return f"revision '{rev}' is not in the Hugging Face cache"
        commit = ref.read_text(encoding="utf-8").strip()
    snap = repo / "snapshots" / commit
    if not snap.is_dir():
        return f"snapshot {commit[:12]} is not in the Hugging Face cache"
    # huggingface_hub's record of the repo's files names what an interrupted pull left out.
    missing = missing_files(spec, commit, snap)
    if missing:
        more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        return f"cached snapshot {commit[:12]} is incomplete (missing {', '.join(missing[:3])}{more})"
    if not (snap / "config.json").exists():
        return f"cached snapshot {commit[:12]} is incomplete (no config.json)"
    return f"cached snapshot {commit[:12]} is incomplete (no PyTorch weights)"


def detect_formats(folder: Path) -> list[str]:
    """Backend formats present in a model folder: pytorch, ctranslate2, onnx."""
    names = {p.name for p in folder.iterdir()} if folder.is_dir() else set()
    formats = []
    if any(n in names for n in ("model.safetensors", "pytorch_model.bin",
                                "model.safetensors.index.json", "pytorch_model.bin.index.json")):
        formats.append("pytorch")
    # A CTranslate2 conversion is a model.bin (not pytorch_model.bin) next to its own
    # config; we accept it in the folder itself or in a `ctranslate2/` subfolder.
    if "model.bin" in names or (folder / "ctranslate2" / "model.bin").is_file():
        formats.append("ctranslate2")
    if any(folder.rglob("*.onnx")):
        formats.append("onnx")
    return formats


def dir_size(path: Path) -> int:
    """Bytes on disk under ``path``, counting each file once.

    HF cache snapshots are symlinks into ``blobs/``: we follow them (so a snapshot's
    size is its model's size, not a few bytes of links) and count each target inode
    once (so a blob shared by two snapshots, or the same tree walked twice, is not
    counted twice).
    """
    seen: set[tuple[int, int]] = set()
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                st = os.stat(os.path.join(root, name))  # follows symlinks
            except OSError:  # a dangling link to a blob that was deleted
                continue
            key = (st.st_dev, st.st_ino)
            if key not in seen:
                seen.add(key)
                total += st.st_size
    return total
