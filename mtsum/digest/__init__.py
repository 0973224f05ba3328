"""The nightly digest: many articles in, one English page out, incrementally and crash-safely.

``build_digest`` is the entry point; the CLI's ``mtsum digest`` is a thin layer over it.
Modules: ``collect`` (inputs, --since), ``state`` (SQLite), ``process`` (the pipeline
calls), ``group`` (stories and copies), ``render`` and ``templates/`` (Jinja2),
``atomic`` (file writes), ``report`` (the result dataclasses).
"""

from __future__ import annotations

from .collect import collect_inputs, parse_since
from .group import DEFAULT_COPY_THRESHOLD, DEFAULT_STORY_THRESHOLD, group_articles
from .render import FORMATS
from .report import DigestReport, Entry, Failure, Source, Story
from .run import build_digest
from .state import State, default_state_path

__all__ = [
    "DEFAULT_COPY_THRESHOLD",
    "DEFAULT_STORY_THRESHOLD",
    "FORMATS",
    "DigestReport",
    "Entry",
    "Failure",
    "Source",
    "State",
    "Story",
    "build_digest",
    "collect_inputs",
    "default_state_path",
    "group_articles",
    "parse_since",
]
