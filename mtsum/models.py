"""Turning a ModelSpec into a loaded model: locate (cache, local path or hub), then load.

Like faster-whisper, every model first becomes a local folder and only then goes to
``from_pretrained``: that way a model that is not cached and cannot be fetched fails
in milliseconds with a fix-it message, instead of after minutes of hub retries
(huggingface_hub retries a failed DNS look-up five times with back-off).
"""

from __future__ import annotations

import hashlib
import os
import socket
from pathlib import Path
from urllib.parse import urlparse

from .config import ModelSpec
from .errors import ModelUnavailableError

# Files a seq2seq checkpoint needs; TF/Flax/Rust weights are never downloaded.
_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
_SIDE_PATTERNS = ["*.json", "*.spm", "*.model", "merges.txt", "*.txt"]
_PROBE_TIMEOUT_S = 3.0


def offline_mode(offline: bool | None = None) -> bool:
    """``--offline`` flag > HF_HUB_OFFLINE / TRANSFORMERS_OFFLINE > online."""
    if offline is not None:
        return offline
    return any(
        os.environ.get(var, "").strip().lower() in {"1", "true", "yes", "on"}
        for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
    )


def cached_snapshot(spec: ModelSpec) -> tuple[Path, str | None] | None:
    """The local folder (and commit) of a hub model if it is fully cached, else None."""
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    try:
        path = Path(snapshot_download(spec.model, revision=spec.revision, local_files_only=True))
    except (LocalEntryNotFoundError, FileNotFoundError, OSError):
        return None
    if not any((path / w).exists() for w in _WEIGHT_FILES) or not (path / "config.json").exists():
        return None
    return path, path.name


def hub_reachable(timeout: float = _PROBE_TIMEOUT_S) -> bool:
    """One TCP connect to the hub endpoint: a quick yes/no before any download."""
    from huggingface_hub import constants

    url = urlparse(constants.ENDPOINT)
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        with socket.create_connection((url.hostname or "", port), timeout=timeout):
            return True
    except OSError:
        return False


def locate(spec: ModelSpec, *, offline: bool | None = None, download: bool = True,
           progress: bool = False) -> tuple[Path, str | None]:
    """Return ``(local folder, commit)`` for a spec, downloading it if allowed and needed.

    Raises:
        ModelUnavailableError: a local path does not exist, or a hub model is not
            cached and cannot be fetched (offline, or the hub is unreachable).
    """
    if spec.local:
        path = Path(spec.model)
        if not path.is_dir():
            raise ModelUnavailableError(
                f"model path for {spec.name} does not exist: {path} "
                "(fix the path in models.yaml, or run `mtsum models pull` where the hub is reachable)"
            )
        return path, None
    found = cached_snapshot(spec)
    if found is not None:
        return found
    fix = (
        f"model {spec.model} ({spec.name}) is not in the local cache"
    )
    how = (
        "run `mtsum models pull` on a machine that can reach the Hugging Face hub "
        "(or `mtsum models pull --to DIR` and copy DIR here), "
        "or point models.yaml at a local copy"
    )
    if not download:
        raise ModelUnavailableError(f"{fix}; {how}")
    if offline_mode(offline):
        raise ModelUnavailableError(f"{fix} and offline mode is on (HF_HUB_OFFLINE/--offline); {how}")
    if not hub_reachable():
        raise ModelUnavailableError(f"{fix} and the Hugging Face hub is unreachable; {how}")
    return download_snapshot(spec, progress=progress)


def download_snapshot(spec: ModelSpec, *, local_dir: Path | None = None,
                      progress: bool = False) -> tuple[Path, str | None]:
    """Fetch one model's PyTorch checkpoint and tokenizer files from the hub."""
    from huggingface_hub import HfApi, snapshot_download
    from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError, RevisionNotFoundError
    from huggingface_hub.utils import disable_progress_bars, enable_progress_bars

    try:
        info = HfApi().model_info(spec.model, revision=spec.revision)
        files = {s.rfilename for s in (info.siblings or [])}
        weights = next((w for w in _WEIGHT_FILES if w in files), None)
        if weights is None:
            raise ModelUnavailableError(
                f"{spec.model} has no PyTorch weights ({' or '.join(_WEIGHT_FILES)})"
            )
        (enable_progress_bars if progress else disable_progress_bars)()
        path = snapshot_download(
            spec.model,
            revision=info.sha or spec.revision,
            allow_patterns=[*_SIDE_PATTERNS, weights],
            local_dir=local_dir,
        )
    except (RepositoryNotFoundError, RevisionNotFoundError) as exc:
        raise ModelUnavailableError(
            f"{spec.name}: {spec.model} (revision {spec.revision or 'main'}) was not found on the hub: "
            f"{str(exc).splitlines()[0]} (fix the id or revision in models.yaml)"
        ) from None
    except (HfHubHTTPError, OSError) as exc:
        raise ModelUnavailableError(
            f"downloading {spec.model} failed: {str(exc).splitlines()[0]}"
        ) from None
    return Path(path), info.sha


def revision_of(path: Path, commit: str | None) -> str | None:
    """The hub commit, or for a local folder a fingerprint of its files (names, sizes,
    modification times): a model replaced in place must not be served from caches
    keyed by the old one."""
    if commit:
        return commit
    h = hashlib.sha256()
    for f in sorted(p for p in path.rglob("*") if p.is_file()):
        st = f.stat()
        h.update(f"{f.relative_to(path)}:{st.st_size}:{st.st_mtime_ns};".encode())
    return "local-" + h.hexdigest()[:12]
