"""Turning a ModelSpec into a loaded model: locate (cache, local path or hub), then load.

Like faster-whisper, every model first becomes a local folder and only then goes to
``from_pretrained``: that way a model that is not cached and cannot be fetched fails
in milliseconds with a fix-it message, instead of after minutes of hub retries
(huggingface_hub retries a failed DNS look-up five times with back-off).
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlparse

from mtsum import settings
from mtsum.config import ModelSpec
from mtsum.errors import ModelUnavailableError

# Files a seq2seq checkpoint needs; TF/Flax/Rust weights are never downloaded.
_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
_SIDE_PATTERNS = ["*.json", "*.spm", "*.model", "merges.txt", "*.txt"]
_PROBE_TIMEOUT_S = 3.0


def hub_cache_folder(model: str) -> Path:
    """Where huggingface_hub caches hub model ``model`` (``models--org--name``)."""
    from huggingface_hub import constants

    return Path(constants.HF_HUB_CACHE) / ("models--" + model.replace("/", "--"))


def _allow_patterns(files: Iterable[str]) -> list[str]:
    """What mtsum fetches of a repo holding ``files``: configs and tokenizer files, and one
    set of PyTorch weights (safetensors when the repo has them). Download and cache check
    must agree on this, or a complete pull reads as an incomplete snapshot."""
    names = set(files)
    weights = next((w for w in _WEIGHT_FILES if w in names), None)
    return [*_SIDE_PATTERNS, *([weights] if weights else [])]


def _cached_listing(model: str, revision: str) -> list[str] | None:
    """The repo's file names at ``revision`` as huggingface_hub recorded them when it
    downloaded (``trees/<commit>.json``), or None where there is no such record."""
    try:  # huggingface_hub >= 2 only; older versions neither record nor check a listing
        from huggingface_hub import get_cached_repo_tree
        from huggingface_hub.errors import CachedRepoTreeNotFoundError
    except ImportError:
        return None
    try:
        return [f.path for f in get_cached_repo_tree(model, revision=revision)]
    except (CachedRepoTreeNotFoundError, OSError, ValueError):
        return None


def missing_files(spec: ModelSpec, commit: str, folder: Path) -> list[str]:
    """Files of ``commit`` that mtsum downloads and ``folder`` lacks, by huggingface_hub's
    record of the repo's listing; [] where there is no record (nothing to compare with)."""
    from huggingface_hub.utils import filter_repo_objects

    listing = _cached_listing(spec.model, commit)
    if listing is None:
        return []
    wanted = filter_repo_objects(listing, allow_patterns=_allow_patterns(listing))
    return [f for f in wanted if not (folder / f).is_file()]


def cached_snapshot(spec: ModelSpec) -> tuple[Path, str | None] | None:
    """The local folder (and commit) of a hub model if it is fully cached, else None."""
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    # huggingface_hub checks a cached snapshot against the repo's whole listing unless
    # told which files count: without these patterns the junk files mtsum never
    # downloads (rust_model.ot, tf_model.h5, README.md, ...) make every pull "incomplete".
    listing = _cached_listing(spec.model, spec.revision or "main")
    patterns = _allow_patterns(listing) if listing is not None else None
    try:
        path = Path(snapshot_download(spec.model, revision=spec.revision, local_files_only=True,
                                      allow_patterns=patterns))
    except (LocalEntryNotFoundError, FileNotFoundError, OSError):  # IncompleteSnapshotError included
        return None
    if not any((path / w).exists() for w in _WEIGHT_FILES) or not (path / "config.json").exists():
        return None
    return path, path.name


def _record_ref(model: str, revision: str, commit: str) -> None:
    """Write ``refs/<revision>`` -> ``commit`` in the HF cache, as huggingface_hub does when
    it resolves a branch or tag itself. mtsum downloads by commit (so a branch moving
    mid-pull cannot mix two commits), and for a commit huggingface_hub records no ref:
    without this, a pulled ``main`` could not be found again offline."""
    if revision == commit:
        return
    ref = hub_cache_folder(model) / "refs" / revision
    ref.parent.mkdir(parents=True, exist_ok=True)
    if ref.is_file() and ref.read_text(encoding="utf-8").strip() == commit:
        return
    tmp = ref.with_name(f".{ref.name}.{os.getpid()}.tmp")
    tmp.write_text(commit, encoding="utf-8")
    os.replace(tmp, ref)  # readers never see a half-written ref


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
    if settings.hub_offline(offline):
        raise ModelUnavailableError(f"{fix} and offline mode is on (HF_HUB_OFFLINE/--offline); {how}")
    if not hub_reachable():
        raise ModelUnavailableError(f"{fix} and the Hugging Face hub is unreachable; {how}")
    return download_snapshot(spec, progress=progress)


def download_snapshot(spec: ModelSpec, *, local_dir: Path | None = None,
                      progress: bool = False) -> tuple[Path, str | None]:
    """Fetch one model's PyTorch checkpoint and tokenizer files from the hub.

    Into the HF cache (where :func:`cached_snapshot` then finds it under the configured
    revision, offline too), or with ``local_dir`` into that folder.

    Raises:
        ModelUnavailableError: the repo or revision does not exist, has no PyTorch
            weights, or the download failed (what was fetched is kept for a retry).
    """
    from huggingface_hub import HfApi, snapshot_download
    from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError, RevisionNotFoundError
    from huggingface_hub.utils import disable_progress_bars, enable_progress_bars

    # The HTTP client's own errors (a dropped connection, a timeout after retries) are
    # not OSErrors; whichever client this huggingface_hub uses is imported by now.
    transport = tuple(sys.modules[m].HTTPError for m in ("httpx2", "httpx") if m in sys.modules)
    try:
        info = HfApi().model_info(spec.model, revision=spec.revision)
        files = {s.rfilename for s in (info.siblings or [])}
        if not any(w in files for w in _WEIGHT_FILES):
            raise ModelUnavailableError(
                f"{spec.model} has no PyTorch weights ({' or '.join(_WEIGHT_FILES)}) at revision "
                f"{spec.revision or 'main'} (choose another model or revision in models.yaml)"
            )
        if local_dir is None and info.sha:
            _record_ref(spec.model, spec.revision or "main", info.sha)
        (enable_progress_bars if progress else disable_progress_bars)()
        path = snapshot_download(
            spec.model,
            revision=info.sha or spec.revision,
            allow_patterns=_allow_patterns(files),
            local_dir=local_dir,
        )
    except RevisionNotFoundError:
        raise ModelUnavailableError(
            f"{spec.name}: {spec.model} has no revision '{spec.revision or 'main'}' on the hub "
            "(fix the revision in models.yaml: a commit, branch or tag of that repo)"
        ) from None
    except RepositoryNotFoundError:
        raise ModelUnavailableError(
            f"{spec.name}: {spec.model} was not found on the hub (fix the model id in models.yaml; "
            "a private or gated repo also needs `hf auth login`)"
        ) from None
    except (HfHubHTTPError, OSError, *transport) as exc:
        raise ModelUnavailableError(
            f"downloading {spec.model} ({spec.name}) failed: {(str(exc).splitlines() or [type(exc).__name__])[0]} "
            "(files already fetched are kept: run `mtsum models pull` again when the hub is reachable)"
        ) from None
    if local_dir is None and cached_snapshot(spec) is None:
        # Guard against "pull succeeds, list says missing": fail here, not offline later.
        raise ModelUnavailableError(
            f"{spec.name}: {spec.model} was downloaded to {path} but is not usable from the cache "
            f"under revision {spec.revision or 'main'} (run `mtsum models list` to see why; "
            "a huggingface_hub upgrade may have changed the cache: please report it)"
        )
    return Path(path), info.sha


def revision_of(path: Path, commit: str | None) -> str | None:
    """The hub commit, or for a local folder a fingerprint of its files (names, sizes,
    modification times): a model replaced in place must not be served from caches
    keyed by the old one."""
    if commit:
        return commit
    from mtsum.signature import folder_fingerprint

    return "local-" + folder_fingerprint(path)[:12]
