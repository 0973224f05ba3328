"""Managing the configured models: what is on disk, fetching it, converting it, checking it works.

Everything here goes through :mod:`mtsum.models.hub` (``cached_snapshot``, ``locate``,
``download_snapshot``) and :mod:`mtsum.backends`, so "available" means exactly "the
backend translate/summarize would choose will load it". ``list_models`` never touches
the network and never imports torch or ctranslate2: it must answer in well under a
second on a machine with an empty cache.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mtsum.backends import backend_choice, ctranslate2_installed
from mtsum.backends.convert import list_conversions
from mtsum.config import ModelsConfig, ModelSpec
from mtsum.errors import ConfigError, ModelUnavailableError, MtsumError
from mtsum.models.hub import (
    cached_snapshot,
    download_snapshot,
    hub_cache_folder,
    hub_reachable,
    locate,
    missing_files,
    offline_mode,
    revision_of,
)

_COMMIT_RE = re.compile(r"[0-9a-f]{40}")
# hub-side files we never copy into a self-contained folder
_SKIP_DIRS = {".cache", ".git"}

# One short input per model kind for `verify`: enough to exercise tokenizer,
# encoder and decoder, small enough to take a second on CPU.
_VERIFY_INPUTS = {
    "sv": "Regeringen presenterade i dag en ny budget för skolan.",
    "de": "Die Regierung hat heute einen neuen Haushalt für die Schulen vorgestellt.",
    "en": (
        "The city council approved a plan on Tuesday to build three new bridges over the "
        "river. Work is expected to start next spring and take four years. The council said "
        "the bridges would cut commuting times and ease traffic in the old town."
    ),
}


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


@dataclass
class PulledModel:
    """What ``pull_models`` did for one model."""

    name: str
    model: str
    revision: str | None
    commit: str | None
    action: str  # "downloaded", "cached" (already there) or "local" (a local folder)
    path: str  # the folder the model now lives in (inside ``to`` when given)
    size_bytes: int

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class PullReport:
    """Result of ``pull_models``; ``models_yaml`` is set when ``to`` was given."""

    models: list[PulledModel]
    to: str | None = None
    models_yaml: str | None = None
    converted: list[Any] = field(default_factory=list)  # mtsum.models.fastpath.FastPath per model

    def to_dict(self) -> dict[str, Any]:
        return {"models": [m.to_dict() for m in self.models], "to": self.to,
                "models_yaml": self.models_yaml, "converted": [c.to_dict() for c in self.converted]}


@dataclass
class ConvertedModel:
    """What ``convert_models`` did for one model."""

    name: str
    model: str
    revision: str | None
    compute_type: str
    action: str  # "converted" or "exists" (an up-to-date conversion was already there)
    path: str
    size_bytes: int
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class VerifyResult:
    """One model loaded and run once (or why it could not be)."""

    name: str
    model: str
    ok: bool
    seconds: float
    device: str
    backend: str | None = None
    compute_type: str | None = None
    output: str | None = None  # the model's output for the probe input
    error: str | None = None  # exception class name
    message: str | None = None  # what went wrong and how to fix it
    # every other backend / compute type on disk against float32 (mtsum.models.fidelity.Agreement)
    agreement: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


# --- listing --------------------------------------------------------------------------


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
    from mtsum.backends.convert import COMPUTE_TYPES

    return COMPUTE_TYPES.index(compute_type) if compute_type in COMPUTE_TYPES else len(COMPUTE_TYPES)


def _same_weights(stored: str, wanted: str) -> bool:
    from mtsum.backends.convert import family

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


# --- selecting ------------------------------------------------------------------------


def select_specs(config: ModelsConfig, names: list[str] | tuple[str, ...] | None) -> list[ModelSpec]:
    """The specs named by ``names`` (all when empty).

    Accepted names: registry keys (``translation.sv``, ``summarization``), a bare
    language (``sv``) and ``translation`` for every translation model.

    Raises:
        ConfigError: a name matches no configured model; the message lists valid names.
    """
    specs = config.all_specs()
    if not names:
        return specs
    by_name: dict[str, list[ModelSpec]] = {s.name: [s] for s in specs}
    for lang, spec in config.translation.items():
        by_name.setdefault(lang, [spec])
    by_name["translation"] = list(config.translation.values())
    chosen: list[ModelSpec] = []
    for name in names:
        if name not in by_name:
            valid = ", ".join(s.name for s in specs)
            raise ConfigError(
                f"unknown model name '{name}' in {config.path}: use one of {valid} "
                f"(or a language like {', '.join(config.translation)})"
            )
        chosen.extend(s for s in by_name[name] if s not in chosen)
    return chosen


# --- pulling --------------------------------------------------------------------------


def pull_models(config: ModelsConfig, names: list[str] | tuple[str, ...] | None = None,
                to: str | os.PathLike[str] | None = None, progress: bool = True, *,
                revision: str | None = None, offline: bool | None = None,
                convert: bool | None = None) -> PullReport:
    """Download configured models into the HF cache, or into a self-contained folder.

    ``convert`` (None: when CTranslate2 is installed) also converts each model pulled into
    the cache for the CTranslate2 backend and measures its agreement with float32
    (:mod:`mtsum.models.fastpath`); a folder written with ``to`` is converted where it is used.

    With ``to``, each model is written to ``to/<model name>/`` and ``to/models.yaml``
    points at those folders with relative paths, so the folder can be copied to a
    machine without network and used with ``--models to/models.yaml``. Models already
    in the cache are copied from it without any network access.

    Raises:
        ConfigError: an unknown name, or ``revision`` given for several or local models.
        ModelUnavailableError: a model must be downloaded but the hub cannot be
            reached (checked once, up front, before anything is written), or a
            download or local path fails.
    """
    specs = select_specs(config, names)
    if revision is not None:
        if len(specs) != 1 or specs[0].local:
            raise ConfigError("--revision needs exactly one hub model name (e.g. `sv`)")
        specs = [dataclasses.replace(specs[0], revision=revision)]

    # A local folder resolves to itself; a missing one raises here, before any copying.
    cached = {s.name: locate(s, download=False) if s.local else cached_snapshot(s) for s in specs}
    need_hub = [s for s in specs if not s.local and cached[s.name] is None]
    if need_hub:
        # Fail in seconds, before writing anything, rather than after minutes of
        # retries in huggingface_hub (it retries failed DNS look-ups with back-off).
        which = ", ".join(f"{s.name} ({s.model})" for s in need_hub)
        if offline_mode(offline):
            raise ModelUnavailableError(
                f"cannot pull {which}: offline mode is on (HF_HUB_OFFLINE or --offline); "
                "run `mtsum models pull --online` on a machine that can reach the hub"
            )
        if not hub_reachable():
            raise ModelUnavailableError(
                f"cannot pull {which}: the Hugging Face hub is unreachable from this machine; "
                "run `mtsum models pull --to DIR` where it is reachable and copy DIR here"
            )

    dest_root = Path(to) if to is not None else None
    if dest_root is not None:
        dest_root.mkdir(parents=True, exist_ok=True)
    # (source, commit or revision) -> (dest, commit): a model named twice is copied once
    folders: dict[tuple[str, str | None], tuple[Path, str | None]] = {}
    pulled: list[PulledModel] = []
    for spec in specs:
        found = cached[spec.name]
        path, commit = found if found is not None else (None, None)
        action = "local" if spec.local else "cached" if found is not None else "downloaded"
        if dest_root is None:
            if path is None:
                path, commit = download_snapshot(spec, progress=progress)
        else:
            key = (spec.model, commit if path is not None else spec.revision)
            if key not in folders:
                dest = _unique_folder(dest_root, spec.model, {d for d, _ in folders.values()})
                if path is None:
                    _, commit = download_snapshot(spec, local_dir=dest, progress=progress)
                    shutil.rmtree(dest / ".cache", ignore_errors=True)  # hub's resume metadata
                else:
                    _copy_model(path, dest)
                folders[key] = (dest, commit)
            path, commit = folders[key]
        pulled.append(PulledModel(name=spec.name, model=spec.model, revision=spec.revision,
                                  commit=commit, action=action, path=str(path),
                                  size_bytes=dir_size(Path(path))))

    report = PullReport(models=pulled)
    if convert is None:
        convert = ctranslate2_installed()
    if convert and dest_root is None:
        from mtsum.models.fastpath import convert_pulled

        report.converted = convert_pulled(specs, offline=offline)
    if dest_root is not None:
        report.to = str(dest_root)
        report.models_yaml = str(_write_models_yaml(config, dest_root, pulled))
    return report


def _unique_folder(root: Path, model: str, taken: set[Path]) -> Path:
    base = Path(model.rstrip("/\\")).name or "model"
    dest, n = root / base, 2
    while dest in taken:
        dest, n = root / f"{base}-{n}", n + 1
    return dest


def _copy_model(src: Path, dest: Path) -> None:
    """Copy a model folder, turning HF-cache symlinks into real files."""
    if dest.resolve() == src.resolve():  # re-pulling a --to folder into itself
        return
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(src, dest, symlinks=False,
                    ignore=lambda _d, names: [n for n in names if n in _SKIP_DIRS])


def _write_models_yaml(config: ModelsConfig, root: Path, pulled: list[PulledModel]) -> Path:
    """``root/models.yaml`` naming the pulled folders relatively; other models as configured.

    A model pulled into ``root`` by an earlier run (same key, folder still there) is
    kept, so ``pull --to DIR sv`` then ``pull --to DIR de`` builds one complete folder.
    """
    import yaml

    out = root / "models.yaml"
    previous: dict[str, dict[str, Any]] = {}
    if out.is_file():
        try:
            old = yaml.safe_load(out.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError:
            old = {}
        for lang, entry in (old.get("translation") or {}).items():
            previous[f"translation.{lang}"] = entry
        if old.get("summarization"):
            previous["summarization"] = old["summarization"]

    by_name = {p.name: p for p in pulled}
    header = ["# Written by `mtsum models pull --to`. Copy this whole folder to another machine",
              "# and use it with `mtsum translate --models <folder>/models.yaml ...` (no network needed).",
              "# `revision` records the hub commit each folder was pulled from."]

    def entry(spec: ModelSpec) -> dict[str, Any]:
        e: dict[str, Any]
        p = by_name.get(spec.name)
        if p is not None:
            rel = Path(p.path).resolve().relative_to(root.resolve())
            e = {"model": f"./{rel.as_posix()}"}
            old = previous.get(spec.name) or {}
            if p.commit:
                e["revision"] = p.commit
            elif isinstance(old, dict) and old.get("model") == e["model"] and old.get("revision"):
                e["revision"] = old["revision"]  # re-pulled in place: keep the provenance
            header.append(f"#   {spec.name}: {p.model} @ {p.commit or 'local folder'}")
        elif _still_there(previous.get(spec.name), root):
            return dict(previous[spec.name])
        else:
            e = {"model": spec.model}
            if spec.revision:
                e["revision"] = spec.revision
        if spec.generation:
            e["generation"] = dict(spec.generation)
        if spec.max_input_tokens is not None:
            e["max_input_tokens"] = spec.max_input_tokens
        if spec.backend:
            e["backend"] = spec.backend
        if spec.compute_type:
            e["compute_type"] = spec.compute_type
        return e

    data: dict[str, Any] = {"translation": {lang: entry(s) for lang, s in config.translation.items()}}
    if config.summarization is not None:
        data["summarization"] = entry(config.summarization)
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    out.write_text("\n".join(header) + "\n\n" + body, encoding="utf-8")
    return out


def _still_there(entry: Any, root: Path) -> bool:
    if not isinstance(entry, dict) or not str(entry.get("model", "")).startswith("./"):
        return False
    return (root / entry["model"]).is_dir()


# --- converting -----------------------------------------------------------------------


def convert_models(config: ModelsConfig, names: list[str] | tuple[str, ...] | None = None,
                   compute_type: str = "int8", *, offline: bool | None = None,
                   force: bool = False) -> list[ConvertedModel]:
    """Convert every (or every named) model to CTranslate2 with ``compute_type`` weights.

    Models are taken from disk (or fetched, as ``translate`` would); an up-to-date
    conversion is reused unless ``force``.

    Raises:
        ConfigError: an unknown name or compute type.
        MissingDependencyError: ctranslate2 is not installed.
        ModelUnavailableError: a model is not on disk and cannot be fetched, or its
            conversion failed (ModelLoadError).
    """
    from mtsum.backends.convert import check_compute_type, convert_model, read_metadata

    check_compute_type(compute_type)
    done: list[ConvertedModel] = []
    for spec in select_specs(config, names):
        start = time.perf_counter()
        before = {m["path"] for m in list_conversions(spec)}
        path = convert_model(spec, compute_type, offline=offline, force=force)
        meta = read_metadata(path) or {}
        fresh = force or str(path) not in before
        done.append(ConvertedModel(
            name=spec.name, model=spec.model, revision=meta.get("revision"), compute_type=compute_type,
            action="converted" if fresh else "exists", path=str(path), size_bytes=dir_size(path),
            seconds=round(time.perf_counter() - start, 3)))
    return done


# --- verifying ------------------------------------------------------------------------


def verify_models(config: ModelsConfig, device: str | None = "cpu", *,
                  names: list[str] | tuple[str, ...] | None = None,
                  offline: bool | None = None, backend: str | None = None,
                  compute_type: str | None = None, agreement: bool = True) -> list[VerifyResult]:
    """Load every (or every named) model with its backend and run one short generation;
    then, with ``agreement``, compare every backend and compute type on disk with float32
    (:func:`mtsum.models.fidelity.agreement`).

    Nothing is downloaded: a model that is not on disk is reported as failed with
    the fix. Failures are results, not exceptions, so one report covers all models.

    Raises:
        ConfigError: an unknown name, backend or a malformed device.
    """
    from mtsum.backends import backend_class, create_backend
    from mtsum.backends.devices import requested_device
    from mtsum.models.fidelity import agreement as model_agreement

    requested_device(device)
    if backend not in (None, "auto"):
        backend_class(backend)  # an unknown name fails here, once
    results = []
    for spec in select_specs(config, names):
        start = time.perf_counter()
        result = VerifyResult(name=spec.name, model=spec.model, ok=False, seconds=0.0,
                              device=device or "auto")
        translation = spec.name.startswith("translation.")
        try:
            engine = create_backend(spec, "translation" if translation else "summarization", backend=backend,
                                    device=device, offline=offline, compute_type=compute_type)
            result.backend = engine.name
            if engine.name == "transformers":
                locate(spec, offline=offline, download=False)  # never download while verifying
            # Resolved only once a model is on disk: "auto" imports torch (seconds),
            # and a machine with nothing pulled should get its answer at once.
            result.device, result.compute_type = engine.device, engine.compute_type
            lang = spec.name.split(".", 1)[1] if translation else "en"
            result.output = engine.generate([_VERIFY_INPUTS.get(lang, _VERIFY_INPUTS["en"])],
                                            _probe_settings(engine.generation_settings()))[0]
            result.ok = True
            if agreement:
                result.agreement = [a.to_dict() for a in model_agreement(spec, device, offline=offline)]
        except MtsumError as exc:  # ModelUnavailableError, ModelLoadError, ConfigError (no CUDA)…
            result.error, result.message = type(exc).__name__, str(exc)
        except Exception as exc:
            result.error = type(exc).__name__
            result.message = (f"generation failed with {spec.model}: {exc} "
                              "(re-run `mtsum models pull`, or check the model is a "
                              "MarianMT/BART checkpoint)")
        result.seconds = round(time.perf_counter() - start, 3)
        results.append(result)
    return results


def _probe_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """One greedy, short generation: the model's settings capped so verify stays quick."""
    quick = {k: v for k, v in settings.items() if k not in ("min_new_tokens", "max_length")}
    # min_length 0: the model's own (distilbart's 56) would outlast the 32-token cap.
    return {**quick, "num_beams": 1, "max_new_tokens": 32, "min_length": 0, "do_sample": False}
