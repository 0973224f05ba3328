"""Device names: ``auto|cpu|cuda|cuda:N`` (flag > MTSUM_DEVICE > auto) resolved per backend."""

from __future__ import annotations

from collections.abc import Callable

from mtsum import settings
from mtsum.errors import ConfigError


def requested_device(device: str | None = None) -> str:
    """The device asked for, validated but not resolved.

    Raises:
        ConfigError: malformed name.
    """
    device = settings.device(device)
    if device not in ("auto", "cpu", "cuda") and not (device.startswith("cuda:") and device[5:].isdigit()):
        raise ConfigError(f"unknown device '{device}': use auto, cpu, cuda or cuda:N")
    return device


def resolve(device: str | None, cuda_count: Callable[[], int]) -> str:
    """Resolve ``auto`` against what ``cuda_count()`` sees; returns ``cpu``, ``cuda`` or ``cuda:N``.

    Raises:
        ConfigError: malformed, or CUDA asked for but not available.
    """
    device = requested_device(device)
    if device == "cpu":
        return "cpu"
    count = cuda_count()
    if count == 0:
        if device == "auto":
            return "cpu"
        raise ConfigError(
            f"device '{device}' requested but CUDA is not available "
            "(install a CUDA build of torch or ctranslate2, or use --device cpu)"
        )
    if device == "auto":
        return "cuda"
    if device.startswith("cuda:") and int(device[5:]) >= count:
        raise ConfigError(f"device '{device}' does not exist: {count} CUDA device(s) visible")
    return device


def resolve_torch_device(device: str | None = None) -> str:
    """``resolve`` with torch's view of the GPUs (imports torch unless the answer is cpu)."""
    def count() -> int:
        import torch

        return torch.cuda.device_count() if torch.cuda.is_available() else 0

    return resolve(device, count)
