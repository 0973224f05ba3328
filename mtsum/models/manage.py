"""Managing the configured models, one module per job; this module gathers their public names.

- :mod:`mtsum.models.listing`: what is on disk and which backend would run it (``models list``);
- :mod:`mtsum.models.pull`: fetching into the HF cache or a folder to copy (``models pull``);
- :mod:`mtsum.models.verify`: loading and running each once, converting (``models verify|convert``);
- :mod:`mtsum.models.select`: models chosen by name.

Everything goes through :mod:`mtsum.backends.hub` and :mod:`mtsum.backends`, so "available"
means exactly "the backend translate/summarize would choose will load it".
"""

from __future__ import annotations

from mtsum.models.listing import ModelStatus, detect_formats, dir_size, list_models, model_status
from mtsum.models.pull import PulledModel, PullReport, pull_models
from mtsum.models.select import select_specs
from mtsum.models.verify import ConvertedModel, VerifyResult, convert_models, verify_models

__all__ = [
    "ConvertedModel",
    "ModelStatus",
    "PullReport",
    "PulledModel",
    "VerifyResult",
    "convert_models",
    "detect_formats",
    "dir_size",
    "list_models",
    "model_status",
    "pull_models",
    "select_specs",
    "verify_models",
]
