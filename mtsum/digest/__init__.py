"""The nightly digest: many articles in, one English page out, incrementally and crash-safely.

``build_digest`` is the entry point; the CLI's ``mtsum digest`` is a thin layer over it.
Modules: ``run`` (the order of work), ``collect`` (inputs, --out against them, --since),
``outdir`` (the output folder: checks, lock, marker, file modes, no dead links),
``state`` (SQLite), ``process`` (reading an article, the pipeline calls), ``progress``,
``group`` (stories, copies, the run's boilerplate), ``stories`` and ``titles`` (what
the page shows), ``names`` (file names as shown, stored and linked), ``render`` and
``templates/`` (Jinja2: Markdown, HTML, Atom), ``report`` (the result dataclasses).
"""

from __future__ import annotations

from mtsum.digest.collect import check_output_folder, collect_inputs, parse_since
from mtsum.digest.group import DEFAULT_COPY_THRESHOLD, DEFAULT_STORY_THRESHOLD, group_articles
from mtsum.digest.render import DEFAULT_FORMATS, FORMATS
from mtsum.digest.report import DigestReport, Entry, Failure, Source, Story
from mtsum.digest.run import build_digest
from mtsum.digest.state import State, default_state_path

__all__ = [
    "DEFAULT_COPY_THRESHOLD",
    "DEFAULT_FORMATS",
    "DEFAULT_STORY_THRESHOLD",
    "FORMATS",
    "DigestReport",
    "Entry",
    "Failure",
    "Source",
    "State",
    "Story",
    "build_digest",
    "check_output_folder",
    "collect_inputs",
    "default_state_path",
    "group_articles",
    "parse_since",
]
