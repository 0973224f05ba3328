"""Converting to CTranslate2 and finding conversions: layout, reuse, staleness, compute types."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from mtsum import settings
from mtsum.backends import convert
from mtsum.config import ModelSpec, load_models_config
from mtsum.errors import ConfigError, ModelLoadError


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache folder per test (``ct2_cache`` still overrides it where used)."""
    monkeypatch.setenv("MTSUM_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def fake_conversion(spec: ModelSpec, revision: str, compute_type: str, converted_at: float = 0.0) -> Path:
    """A conversion's files as find_converted reads them (model.bin is never opened)."""
    folder = convert.conversions_root(spec) / revision / compute_type
    folder.mkdir(parents=True)
    (folder / "model.bin").write_bytes(b"")
    meta = {"model": spec.model, "revision": revision, "compute_type": compute_type,
            "converted_at": converted_at}
    (folder / convert.METADATA).write_text(json.dumps(meta), encoding="utf-8")
    return folder


HUB = ModelSpec(name="translation.sv", model="Helsinki-NLP/opus-mt-sv-en")


def test_layout_and_metadata(ct2_cache: Path, tiny_models: Path) -> None:
    config = load_models_config(tiny_models)
    for spec, tokenizer_files in ((config.translation["sv"], {"source.spm", "target.spm", "vocab.json"}),
                                  (config.summarization, {"vocab.json", "merges.txt"})):
        found = convert.find_converted(spec, "int8")
        assert found is not None and found.parent.parent.parent == ct2_cache / "ct2"
        assert found.name == "int8" and found.parent.name.startswith("local-")
        files = {p.name for p in found.iterdir()}
        assert {"model.bin", "config.json", convert.METADATA} | tokenizer_files <= files
        meta = json.loads((found / convert.METADATA).read_text(encoding="utf-8"))
        assert meta["model"] == spec.model and meta["revision"] == found.parent.name
        assert meta["compute_type"] == "int8" and meta["ctranslate2"]
        assert meta["task"] == ("summarization" if spec is config.summarization else "translation")
    assert not list(ct2_cache.rglob("*.tmp-*"))


def test_reuse_force_and_stale_source(tiny_models: Path, tmp_path: Path) -> None:
    source = tmp_path / "model"
    shutil.copytree(tiny_models.parent / "tiny-opus-mt-de-en", source)
    spec = ModelSpec(name="translation.de", model=str(source), local=True)
    first = convert.convert_model(spec, "int8")
    stamp = (first / "model.bin").stat().st_mtime_ns
    assert convert.convert_model(spec, "int8") == first
    assert (first / "model.bin").stat().st_mtime_ns == stamp  # reused, not redone
    assert convert.convert_model(spec, "int8", force=True) == first
    assert (first / "model.bin").stat().st_mtime_ns != stamp
    assert convert.find_converted(spec) == first

    (source / "generation_config.json").write_text("{}", encoding="utf-8")  # the model changed in place
    assert convert.find_converted(spec) is None


@pytest.mark.parametrize(("stored", "wanted", "expected"), [
    (["int8"], None, "int8"),
    (["float32", "int8"], None, "int8"),
    (["float32", "float16"], None, "float16"),
    (["int8"], "int8_float16", "int8"),
    (["int8", "int8_float16"], "int8_float16", "int8_float16"),
    (["int8"], "float32", None),
    (["float16"], "float32", "float16"),
    (["float32"], "int8", None),
    (["int16"], "int16", "int16"),
])
def test_compute_type_matching(stored: list[str], wanted: str | None, expected: str | None) -> None:
    for ct in stored:
        fake_conversion(HUB, "a" * 40, ct)
    found = convert.find_converted(HUB, wanted)
    assert (found.name if found else None) == expected


def test_hub_model_without_its_source_uses_the_pinned_or_newest_conversion() -> None:
    fake_conversion(HUB, "a" * 40, "int8", converted_at=1.0)
    fake_conversion(HUB, "b" * 40, "int8", converted_at=2.0)
    assert convert.find_converted(HUB).parent.name == "b" * 40  # not cached, unpinned: newest
    pinned = ModelSpec(name=HUB.name, model=HUB.model, revision="a" * 40)
    assert convert.find_converted(pinned).parent.name == "a" * 40


def test_slugs() -> None:
    assert convert.model_slug(HUB) == "Helsinki-NLP--opus-mt-sv-en"
    a = convert.model_slug(ModelSpec(name="x", model="/a/model", local=True))
    b = convert.model_slug(ModelSpec(name="x", model="/b/model", local=True))
    assert a.startswith("local--model-") and a != b
    assert convert.conversions_root(HUB) == settings.cache_dir() / "ct2" / "Helsinki-NLP--opus-mt-sv-en"


def test_unknown_compute_type() -> None:
    with pytest.raises(ConfigError, match="unknown compute type 'int4'"):
        convert.convert_model(HUB, "int4")


def test_only_marian_and_bart(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text('{"model_type": "t5"}', encoding="utf-8")
    with pytest.raises(ConfigError, match="MarianMT and BART"):
        convert.convert_model(ModelSpec(name="summarization", model=str(tmp_path), local=True))


def test_broken_model_fails_cleanly(tmp_path: Path) -> None:
    model = tmp_path / "broken"
    model.mkdir()
    (model / "config.json").write_text('{"model_type": "marian"}', encoding="utf-8")
    (model / "model.safetensors").write_bytes(b"not a safetensors file")
    spec = ModelSpec(name="translation.sv", model=str(model), local=True)
    with pytest.raises(ModelLoadError, match=r"converting translation\.sv"):
        convert.convert_model(spec)
    assert not [p for p in convert.conversions_root(spec).rglob("*") if p.is_dir() and "tmp" in p.name]
    assert convert.find_converted(spec) is None
