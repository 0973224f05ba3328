"""``mtsum doctor``: one report of everything that decides whether mtsum can run here.

Each probe catches its own failure and records it, so the report is complete even
on a broken install (no torch, a bad models.yaml, no CUDA). Optional backends are
looked up with ``find_spec`` and never imported: importing ray or ctranslate2 can
take seconds and print warnings, and all we need is "is it installed".
"""

from __future__ import annotations

import importlib.util
import os
import platform
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from mtsum import settings
from mtsum.config import ModelsConfig, load_models_config
from mtsum.errors import MtsumError

# Optional packages and what each one enables (``find_spec`` only: never imported here).
OPTIONAL_BACKENDS = {
    "ctranslate2": "the fast backend: pip install 'mtsum[fast]', then `mtsum models convert`",
    "trafilatura": "article extraction from HTML",
    "ray": "mtsum batch --engine ray: pip install 'mtsum[ray]'",
    "sacrebleu": "mtsum eval translate (BLEU/chrF)",
    "rouge_score": "mtsum eval summarize (ROUGE)",
}


def collect_report(config: ModelsConfig | str | os.PathLike[str] | None = None,
                   device: str | None = None) -> dict[str, Any]:
    """Versions, devices, HF cache, offline mode, model status and optional backends.

    ``config`` is a loaded registry or a path to one (None: the usual precedence).
    Never raises for a broken environment: problems are listed under ``problems``.
    """
    problems: list[str] = []
    report: dict[str, Any] = {
        "python": platform.python_version(),
        "python_executable": sys.executable,
        "platform": platform.platform(),
        "mtsum": _version("mtsum"),
    }
    report["torch"] = _torch_info(problems)
    report["device"] = _device_info(device, problems)
    report["hf_cache"] = _cache_info()
    report["offline"] = settings.hub_offline()
    report["models"] = _models_info(config, problems)
    report["ctranslate2"] = _ct2_info()
    report["optional"] = {
        name: {"installed": importlib.util.find_spec(name) is not None,
               "version": _version(name.replace("_", "-")) if importlib.util.find_spec(name) else None,
               "for": why}
        for name, why in OPTIONAL_BACKENDS.items()
    }
    report["problems"] = problems
    return report


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        if dist == "mtsum":  # running from a source checkout that is not installed
            mod = sys.modules.get("mtsum")
            return getattr(mod, "__version__", None)
        return None


def _torch_info(problems: list[str]) -> dict[str, Any]:
    if importlib.util.find_spec("torch") is None:
        problems.append("torch is not installed: pip install torch (CPU or CUDA build)")
        return {"installed": False}
    try:
        import torch
    except Exception as exc:
        problems.append(f"torch is installed but fails to import: {exc}")
        return {"installed": True, "error": str(exc)}
    info: dict[str, Any] = {"installed": True, "version": torch.__version__,
                            "cuda_build": torch.version.cuda, "threads": torch.get_num_threads()}
    try:
        info["cuda_available"] = torch.cuda.is_available()
        info["cuda_devices"] = [torch.cuda.get_device_name(i)
                                for i in range(torch.cuda.device_count())] if info["cuda_available"] else []
    except Exception as exc:
        info["cuda_available"], info["cuda_devices"] = False, []
        info["cuda_error"] = str(exc)
    info["transformers"] = _version("transformers")
    return info


def _device_info(device: str | None, problems: list[str]) -> dict[str, Any]:
    from mtsum.backends.devices import resolve_torch_device

    requested = settings.device(device)
    try:
        return {"requested": requested, "chosen": resolve_torch_device(device)}
    except (MtsumError, ImportError) as exc:
        problems.append(f"device: {exc}")
        return {"requested": requested, "chosen": None, "error": str(exc)}


def _cache_info() -> dict[str, Any]:
    from huggingface_hub import constants

    from mtsum.models.manage import dir_size

    cache = Path(constants.HF_HUB_CACHE)
    return {"path": str(cache), "exists": cache.is_dir(),
            "size_bytes": dir_size(cache) if cache.is_dir() else 0}


def _ct2_info() -> dict[str, Any]:
    """Where CTranslate2 conversions are kept and how many there are (files only)."""
    from mtsum.models.manage import dir_size

    root = settings.cache_dir() / "ct2"
    count = sum(1 for _ in root.glob("*/*/*/mtsum-conversion.json")) if root.is_dir() else 0
    return {"installed": importlib.util.find_spec("ctranslate2") is not None, "conversions_dir": str(root),
            "conversions": count, "size_bytes": dir_size(root) if root.is_dir() else 0}


def _models_info(config: ModelsConfig | str | os.PathLike[str] | None,
                 problems: list[str]) -> dict[str, Any]:
    from mtsum.models.manage import list_models

    try:
        cfg = config if isinstance(config, ModelsConfig) else load_models_config(config)
    except MtsumError as exc:
        problems.append(str(exc))
        return {"config": str(config) if config else None, "error": str(exc), "models": []}
    statuses = list_models(cfg)
    for s in statuses:
        if not s.available:
            fix = ("" if s.backend == "ctranslate2" else  # the reason already says how to convert
                   "; fix the path in models.yaml" if s.local else
                   "; run `mtsum models pull`, or use a folder made by `mtsum models pull --to DIR` "
                   "with --models DIR/models.yaml")
            problems.append(f"model {s.name} ({s.model}) is not available: {s.missing}{fix}")
    return {"config": str(cfg.path), "models": [s.to_dict() for s in statuses]}
