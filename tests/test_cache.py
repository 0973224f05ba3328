"""The persistent translation cache: hits, misses, invalidation, two processes, a damaged file, LRU."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mtsum.errors import ConfigError
from mtsum.pipeline.core import Pipeline, Settings
from mtsum.translation.cache import DEFAULT_MAX_BYTES, TranslationStore, max_cache_bytes, resolve_cache_path

ROOT = Path(__file__).resolve().parent.parent


def _registry(tiny_models: Path, tmp_path: Path, generation: str = "") -> Path:
    """A copy of the tiny registry, optionally with decoding settings for German."""
    text = tiny_models.read_text(encoding="utf-8").replace("./", f"{tiny_models.parent}/")
    if generation:
        text = text.replace(f"de: {{model: {tiny_models.parent}/tiny-opus-mt-de-en}}",
                            f"de: {{model: {tiny_models.parent}/tiny-opus-mt-de-en, generation: {generation}}}")
    path = tmp_path / "models.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_second_run_is_served_from_the_cache(tiny_models: Path, seeds: dict, tmp_path: Path) -> None:
    cache = tmp_path / "cache.sqlite3"
    text = seeds["de"].read_text(encoding="utf-8")
    cold = Pipeline(tiny_models, Settings(cache=cache)).translate(text)
    warm = Pipeline(tiny_models, Settings(cache=cache)).translate(text)  # a new run: empty in-run memo
    assert (cold.stats.segments_translated, cold.stats.cache_hits) == (14, 0)
    assert (warm.stats.segments_translated, warm.stats.cache_hits) == (0, 14)
    assert [p.translation for p in warm.paragraphs] == [p.translation for p in cold.paragraphs]
    assert warm.settings["cache"] == str(cache)
    assert TranslationStore(cache).stats()["entries"] == 14


def test_a_changed_setting_misses(tiny_models: Path, seeds: dict, tmp_path: Path) -> None:
    cache = tmp_path / "cache.sqlite3"
    text = seeds["de"].read_text(encoding="utf-8")
    Pipeline(tiny_models, Settings(cache=cache)).translate(text)
    changed = Pipeline(_registry(tiny_models, tmp_path, "{num_beams: 2}"), Settings(cache=cache)).translate(text)
    assert (changed.stats.segments_translated, changed.stats.cache_hits) == (14, 0)
    assert changed.models["de"]["generation"]["num_beams"] == 2
    assert TranslationStore(cache).stats()["keys"] == 2


def test_a_changed_model_file_misses(tiny_models: Path, seeds: dict, tmp_path: Path) -> None:
    import shutil

    model = tmp_path / "de-model"
    shutil.copytree(tiny_models.parent / "tiny-opus-mt-de-en", model)
    registry = tmp_path / "models.yaml"
    registry.write_text(f"translation:\n  de: {{model: {model}}}\n", encoding="utf-8")
    cache = tmp_path / "cache.sqlite3"
    text = seeds["de"].read_text(encoding="utf-8")
    first = Pipeline(registry, Settings(cache=cache)).translate(text)
    (model / "config.json").write_text((model / "config.json").read_text() + "\n")  # replaced in place
    second = Pipeline(registry, Settings(cache=cache)).translate(text)
    assert first.models["de"]["revision"] != second.models["de"]["revision"]
    assert second.stats.cache_hits == 0


def test_no_cache(tiny_models: Path, seeds: dict, tmp_path: Path) -> None:
    text = seeds["de"].read_text(encoding="utf-8")
    Pipeline(tiny_models, Settings(cache=False)).translate(text)
    again = Pipeline(tiny_models, Settings(cache=False)).translate(text)
    assert again.stats.cache_hits == 0 and again.settings["cache"] is None


@pytest.mark.parametrize(("flag", "env", "expected"), [
    (False, "", None),
    (None, "off", None),
    (None, "/x/c.db", Path("/x/c.db")),
    ("/y/flag.db", "/x/c.db", Path("/y/flag.db")),
])
def test_cache_path_precedence(flag: object, env: str, expected: Path | None,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MTSUM_CACHE", env)
    assert resolve_cache_path(flag) == expected  # type: ignore[arg-type]


def test_default_cache_lives_in_the_cache_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MTSUM_CACHE_DIR", str(tmp_path))
    assert resolve_cache_path(None) == tmp_path / "translations.sqlite3"


def test_a_damaged_file_is_set_aside(tiny_models: Path, seeds: dict, tmp_path: Path,
                                     caplog: pytest.LogCaptureFixture) -> None:
    cache = tmp_path / "cache.sqlite3"
    cache.write_bytes(b"this is not a database\n" * 200)
    result = Pipeline(tiny_models, Settings(cache=cache)).translate(seeds["de"].read_text(encoding="utf-8"))
    assert result.stats.segments_translated == 14
    assert "damaged" in caplog.text
    aside = list(tmp_path.glob("cache.sqlite3.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes().startswith(b"this is not")
    assert TranslationStore(cache).stats()["entries"] == 14


def test_least_recently_used_entries_go_first(tmp_path: Path) -> None:
    store = TranslationStore(tmp_path / "c.db", max_bytes=200_000)
    for batch in range(20):
        store.put_many("k", [(f"s{batch}-{i}", "x" * 200, None) for i in range(50)])
        store.get_many("k", ["s0-0"])  # keep one old entry in use
    stats = store.stats()
    assert stats["bytes"] <= 200_000 and 0 < stats["entries"] < 1000
    assert store.get_many("k", ["s0-0", "s19-49"]).keys() == {"s0-0", "s19-49"}
    assert store.get_many("k", ["s1-0"]) == {}
    assert store.clear() == stats["entries"] and store.stats()["entries"] == 0


def test_two_processes_write_at_once(tmp_path: Path) -> None:
    db = tmp_path / "shared.db"
    code = textwrap.dedent(f"""
        import sys
        from mtsum.translation.cache import TranslationStore
        store = TranslationStore({str(db)!r})
        for i in range(150):
            store.put_many("k", [(f"{{sys.argv[1]}}-{{i}}-{{j}}", "t", None) for j in range(5)])
            assert store.get_many("k", [f"{{sys.argv[1]}}-{{i}}-0"])
    """)
    procs = [subprocess.Popen([sys.executable, "-c", code, name], cwd=ROOT, stderr=subprocess.PIPE, text=True)
             for name in ("a", "b")]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    assert TranslationStore(db).stats()["entries"] == 2 * 150 * 5


def test_cache_commands(tiny_models: Path, seeds: dict, tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from mtsum.cli import main

    cache = tmp_path / "c.sqlite3"
    runner = CliRunner()
    done = runner.invoke(main, ["-q", "translate", str(seeds["de"]), "--models", str(tiny_models),
                                "--cache", str(cache), "--format", "json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["stats"]["segments_translated"] == 14
    again = runner.invoke(main, ["-q", "translate", str(seeds["de"]), "--models", str(tiny_models),
                                 "--cache", str(cache), "--format", "json"])
    assert json.loads(again.stdout)["stats"]["cache_hits"] == 14
    stats = runner.invoke(main, ["cache", "stats", "--cache", str(cache), "--format", "json"])
    assert json.loads(stats.stdout)["entries"] == 14
    cleared = runner.invoke(main, ["cache", "clear", "--cache", str(cache)])
    assert cleared.exit_code == 0 and "removed 14" in cleared.stdout
    off = runner.invoke(main, ["-q", "translate", str(seeds["de"]), "--models", str(tiny_models),
                               "--no-cache", "--format", "json"])
    assert json.loads(off.stdout)["settings"]["cache"] is None


@pytest.mark.parametrize(("value", "expected"), [
    ("", DEFAULT_MAX_BYTES), ("64", 64 * 1024 * 1024), (" 0.5 ", 512 * 1024), ("1e3", 1000 * 1024 * 1024),
])
def test_cache_bound(value: str, expected: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MTSUM_CACHE_MAX_MB", value)
    assert max_cache_bytes() == expected


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e400", "-1", "0", "1e-9", "junk", "64MB"])
def test_cache_bound_must_be_a_finite_positive_number(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MTSUM_CACHE_MAX_MB", value)
    with pytest.raises(ConfigError, match=r"^MTSUM_CACHE_MAX_MB must be"):
        max_cache_bytes()


def test_a_damaged_file_that_cannot_be_moved_aside_is_one_warning(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Damaged, and its folder will not let it be renamed: the run goes on without the cache."""
    import logging

    cache = tmp_path / "c.sqlite3"
    cache.write_bytes(b"this is not a database\n" * 200)

    def refuse(self: Path, target: Path) -> None:
        raise PermissionError(13, "Permission denied")

    warnings: list[str] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = lambda record: warnings.append(record.getMessage())  # type: ignore[method-assign]
    logger = logging.getLogger("mtsum.translation.cache")
    monkeypatch.setattr(logger, "level", logging.WARNING)  # whatever `-q` made of its parent's
    logger.addHandler(handler)
    monkeypatch.setattr(Path, "replace", refuse)
    try:
        store = TranslationStore(cache)
        assert store.get_many("k", ["a"]) == {}
        store.put_many("k", [("a", "A", None)])
        assert store.get_many("k", ["a"]) == {}
    finally:
        logger.removeHandler(handler)
    assert len(warnings) == 1, warnings
    assert warnings[0].startswith(f"continuing without the cache: {cache} is damaged")
    assert "cannot be moved aside: Permission denied" in warnings[0]
    assert cache.read_bytes().startswith(b"this is not") and list(tmp_path.iterdir()) == [cache]
