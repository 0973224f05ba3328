"""Tokenizers load without weights: preparing documents, counting tokens, the input limit,
the decoding settings and the cache key never load a model; the first ``generate`` does.

Loads are counted where the transformers backend gets its weights (``load_located``,
behind the per-process model cache, so a model another test loaded still counts) and
at ``from_pretrained`` of the model classes.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from pathlib import Path

import pytest

from mtsum.backends import hf
from mtsum.config import load_models_config

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = 50


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Names of the models whose weights were loaded during the test."""
    import transformers

    seen: list[str] = []
    real_load = hf.load_located

    def counted_load(spec, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(spec.name)
        return real_load(spec, *args, **kwargs)

    monkeypatch.setattr(hf, "load_located", counted_load)
    for cls in (transformers.MarianMTModel, transformers.BartForConditionalGeneration):
        real = cls.from_pretrained.__func__

        def counted_from_pretrained(klass, *args, _real=real, **kwargs):  # type: ignore[no-untyped-def]
            seen.append(klass.__name__)
            return _real(klass, *args, **kwargs)

        monkeypatch.setattr(cls, "from_pretrained", classmethod(counted_from_pretrained))
    yield seen


def texts() -> list[tuple[str, str]]:
    """(name, text) of the seeds and the plain-text test articles, repeated to DOCUMENTS."""
    files = sorted((ROOT / "seeds").glob("*.txt")) + sorted((ROOT / "tests" / "data").glob("*.txt"))
    pool = [(f.name, f.read_text(encoding="utf-8")) for f in files]
    return [(f"{i:03d}_{pool[i % len(pool)][0]}", pool[i % len(pool)][1]) for i in range(DOCUMENTS)]


@pytest.mark.parametrize("clean", [False, True])
def test_preparing_documents_loads_no_weights(tiny_models: Path, loads: list[str], clean: bool) -> None:
    from mtsum.io.inputs import Document
    from mtsum.pipeline.core import Pipeline, Settings

    pipeline = Pipeline(tiny_models, Settings(backend="transformers", cache=False))
    prepared = [pipeline.prepare(Document(name, text, "text"), clean=clean) for name, text in texts()]
    assert sum(len(p.model_segments()) for p in prepared) > DOCUMENTS  # tokens were counted
    assert loads == []


def test_the_ray_cpu_stage_loads_no_weights(tiny_models: Path, loads: list[str], tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The function Ray's CPU tasks run, called in-process (no Ray needed)."""
    np = pytest.importorskip("numpy")
    from mtsum.batch import ray_engine
    from mtsum.batch.records import Item
    from mtsum.batch.stages import make_plan
    from mtsum.pipeline.core import Pipeline, Settings

    monkeypatch.setattr(ray_engine, "_PIPELINES", {})
    items = []
    for name, text in texts():
        (tmp_path / name).write_text(text, encoding="utf-8")
        items.append(Item(id=name, path=str(tmp_path / name)))
    plan = make_plan(Pipeline(tiny_models, Settings(backend="transformers", cache=False)), "summarize", "bart")
    batch = {"item": np.array([pickle.dumps(i) for i in items], dtype=object),
             "done": np.array([""] * len(items), dtype=object)}
    out = ray_engine._prepare_batch(batch, plan)
    entries = [pickle.loads(raw) for raw in out["entry"]]
    assert len(entries) == DOCUMENTS and all(e.prepared is not None for e in entries)
    assert loads == []


def test_describing_a_translator_loads_no_weights(tiny_models: Path, loads: list[str]) -> None:
    """The cache key (and so a run served wholly from the translation cache) needs no model."""
    from mtsum.pipeline.core import Pipeline, Settings

    pipeline = Pipeline(tiny_models, Settings(backend="transformers", cache=False))
    for language in ("sv", "de"):
        translator = pipeline.translator(language)
        assert translator.cache_key() and translator.describe()["generation"]
        assert translator.max_input_tokens > 0 and translator.count_tokens("Hej världen") > 0
    assert loads == []


def test_weights_load_on_the_first_generate(tiny_models: Path, loads: list[str]) -> None:
    backend = hf.TransformersBackend(load_models_config(tiny_models).translation["sv"], "translation", "cpu")
    backend.describe()
    assert loads == []
    backend.generate(["Hej världen."], backend.generation_settings())
    assert loads and loads[0] == "translation.sv"


def test_settings_read_from_files_are_the_loaded_models(tiny_models: Path, real_layout: dict[str, Path]) -> None:
    """The generation config read without weights is, key for key and in order, the one
    ``from_pretrained`` gives the model (BART has no generation_config.json)."""
    from mtsum.config import ModelSpec

    specs = list(load_models_config(tiny_models).all_specs())
    specs += [ModelSpec(name="summarization" if "bart" in hub_id else "translation.x", model=str(path), local=True)
              for hub_id, path in real_layout.items()]
    for spec in specs:
        task = "summarization" if spec.name == "summarization" else "translation"
        backend = hf.TransformersBackend(spec, task, "cpu")
        from_files = backend.default_settings()
        loaded = hf.own_settings(backend.loaded.model.generation_config)
        assert list(from_files.items()) == list(loaded.items()), spec.model
