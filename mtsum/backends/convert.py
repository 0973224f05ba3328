"""(interim) Converted CTranslate2 models: replaced by the ct2 branch."""

from __future__ import annotations

from pathlib import Path

from ..config import ModelSpec


def find_converted(spec: ModelSpec, compute_type: str | None = None) -> Path | None:
    return None
