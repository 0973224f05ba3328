"""Fetching the configured models: ``mtsum models pull``, into the HF cache or a folder to copy.

A pull checks up front that the hub is reachable when anything must be downloaded, so it
fails in seconds before writing anything; models already cached are copied from the
cache without network access.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mtsum import settings
from mtsum.backends import ctranslate2_installed
from mtsum.backends.hub import cached_snapshot, download_snapshot, hub_reachable, locate
from mtsum.config import ModelsConfig, ModelSpec
from mtsum.errors import ConfigError, ModelUnavailableError
from mtsum.models.listing import dir_size
from mtsum.models.select import select_specs

# hub-side files we never copy into a self-contained folder
_SKIP_DIRS = {".cache", ".git"}


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
    specs = _chosen(config, names, revision)
    # A local folder resolves to itself; a missing one raises here, before any copying.
    cached = {s.name: locate(s, download=False) if s.local else cached_snapshot(s) for s in specs}
    _check_hub([s for s in specs if not s.local and cached[s.name] is None], offline)

    dest_root = Path(to) if to is not None else None
    if dest_root is not None:
        dest_root.mkdir(parents=True, exist_ok=True)
    # (source, commit or revision) -> (dest, commit): a model named twice is copied once
    folders: dict[tuple[str, str | None], tuple[Path, str | None]] = {}
    pulled: list[PulledModel] = []
    for spec in specs:
        found = cached[spec.name]
        action = "local" if spec.local else "cached" if found is not None else "downloaded"
        if dest_root is None:
            path, commit = found if found is not None else download_snapshot(spec, progress=progress)
        else:
            path, commit = _into_folder(spec, found, dest_root, folders, progress)
        pulled.append(PulledModel(name=spec.name, model=spec.model, revision=spec.revision,
                                  commit=commit, action=action, path=str(path),
                                  size_bytes=dir_size(Path(path))))

    report = PullReport(models=pulled)
    if convert is None:
        convert = ctranslate2_installed()
    if convert and dest_root is None:
        from mtsum.models.fastpath import convert_pulled  # imports ctranslate2 when it converts

        report.converted = convert_pulled(specs, offline=offline)
    if dest_root is not None:
        report.to = str(dest_root)
        report.models_yaml = str(_write_models_yaml(config, dest_root, pulled))
    return report


def _chosen(config: ModelsConfig, names: list[str] | tuple[str, ...] | None,
            revision: str | None) -> list[ModelSpec]:
    """The specs to pull; ``revision`` (``--revision``) pins the one hub model named."""
    specs = select_specs(config, names)
    if revision is not None:
        if len(specs) != 1 or specs[0].local:
            raise ConfigError("--revision needs exactly one hub model name (e.g. `sv`)")
        specs = [dataclasses.replace(specs[0], revision=revision)]
    return specs


def _check_hub(need_hub: list[ModelSpec], offline: bool | None) -> None:
    """Fail in seconds, before writing anything, rather than after minutes of retries in
    huggingface_hub (it retries failed DNS look-ups with back-off)."""
    if not need_hub:
        return
    which = ", ".join(f"{s.name} ({s.model})" for s in need_hub)
    if settings.hub_offline(offline):
        raise ModelUnavailableError(
            f"cannot pull {which}: offline mode is on (HF_HUB_OFFLINE or --offline); "
            "run `mtsum models pull --online` on a machine that can reach the hub"
        )
    if not hub_reachable():
        raise ModelUnavailableError(
            f"cannot pull {which}: the Hugging Face hub is unreachable from this machine; "
            "run `mtsum models pull --to DIR` where it is reachable and copy DIR here"
        )


def _into_folder(spec: ModelSpec, found: tuple[Path, str | None] | None, dest_root: Path,
                 folders: dict[tuple[str, str | None], tuple[Path, str | None]],
                 progress: bool) -> tuple[Path, str | None]:
    """Copy (or download) one model into ``dest_root``; ``folders`` remembers what is there
    already, so a model named twice is copied once."""
    path, commit = found if found is not None else (None, None)
    key = (spec.model, commit if path is not None else spec.revision)
    if key not in folders:
        dest = _unique_folder(dest_root, spec.model, {d for d, _ in folders.values()})
        if path is None:
            _, commit = download_snapshot(spec, local_dir=dest, progress=progress)
            shutil.rmtree(dest / ".cache", ignore_errors=True)  # hub's resume metadata
        else:
            _copy_model(path, dest)
        folders[key] = (dest, commit)
    return folders[key]


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
