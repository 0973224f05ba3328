"""Where mtsum keeps its own files, resolved at call time (tests point them at a temp folder).

``MTSUM_CACHE_DIR`` > the platform's user cache directory (``platformdirs``), e.g.
``~/.cache/mtsum`` on Linux. The translation cache and converted CTranslate2 models
live there.
"""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """mtsum's cache folder (not created here)."""
    env = os.environ.get("MTSUM_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("mtsum", appauthor=False))
