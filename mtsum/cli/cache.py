"""``mtsum cache``: inspect or empty the persistent translation cache."""

from __future__ import annotations

from typing import Any

import click

from mtsum.cli.options import cache_file_option, format_option
from mtsum.render import reports
from mtsum.render.json import json_document


@click.group("cache")
def cache() -> None:
    """Inspect or empty the persistent translation cache."""


def _store(path_flag: str | None) -> Any:
    """The cache at ``--cache``, else MTSUM_CACHE, else the user cache directory.

    Raises:
        ConfigError: the cache is switched off (MTSUM_CACHE=off) and no --cache was given.
    """
    from mtsum.errors import ConfigError
    from mtsum.translation.cache import TranslationStore, resolve_cache_path

    path = resolve_cache_path(path_flag)
    if path is None:
        raise ConfigError("the translation cache is switched off (MTSUM_CACHE=off): give --cache PATH")
    return TranslationStore(path)


@cache.command("stats")
@cache_file_option
@format_option
def stats(cache: str | None, fmt: str) -> None:
    """Where the cache is, how many translations it holds, its size and bound.

    A cache that cannot be written (a read-only file system) is read as it is.
    """
    found = _store(cache).stats()
    click.echo(json_document(found) if fmt == "json" else reports.cache_stats(found))


@cache.command("clear")
@cache_file_option
def clear(cache: str | None) -> None:
    """Remove every cached translation."""
    store = _store(cache)
    click.echo(f"removed {store.clear()} cached translation(s) from {store.path}")
