"""Token-budget batching and out-of-memory back-off (mtsum.translation.batching), on fakes and a tiny model."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from mtsum.errors import BackendOOMError
from mtsum.translation.batching import plan_batches, run_batched

PLANS = [
    # lengths, max_tokens, max_items, expected batches (indices, longest first)
    ([5, 5, 5, 5], 100, 2, [[0, 1], [2, 3]]),
    ([5, 5, 5, 5], 10, 32, [[0, 1], [2, 3]]),
    ([30, 2, 2, 2, 2], 32, 32, [[0], [1, 2, 3, 4]]),
    ([2, 30, 2], 64, 32, [[1, 0], [2]]),
    ([100], 10, 4, [[0]]),  # longer than the budget: alone, never dropped
    ([], 10, 4, []),
    ([0, 0, 0], 2, 8, [[0, 1], [2]]),  # empty inputs still cost a slot
]


@pytest.mark.parametrize(("lengths", "max_tokens", "max_items", "expected"), PLANS)
def test_plan_batches(lengths: list[int], max_tokens: int, max_items: int, expected: list[list[int]]) -> None:
    assert plan_batches(lengths, max_tokens, max_items) == expected


@pytest.mark.parametrize("n", [1, 7, 64])
def test_every_item_once_and_padded_cost_within_budget(n: int) -> None:
    lengths = [(i * 37) % 50 + 1 for i in range(n)]
    batches = plan_batches(lengths, 120, 16)
    assert sorted(i for b in batches for i in b) == list(range(n))
    assert all(len(b) <= 16 and (len(b) == 1 or max(lengths[i] for i in b) * len(b) <= 120) for b in batches)


def test_results_come_back_in_input_order() -> None:
    items = ["ccc", "a", "bb", "dddd"]
    out = run_batched(items, [len(s) for s in items], lambda batch: [s.upper() for s in batch],
                      max_tokens=4, max_items=2)
    assert out == ["CCC", "A", "BB", "DDDD"]


def test_out_of_memory_halves_the_batch_and_loses_nothing(caplog: pytest.LogCaptureFixture) -> None:
    sizes: list[int] = []

    def fn(batch: list[str]) -> list[str]:
        if len(batch) > 3:
            raise BackendOOMError("CUDA out of memory")
        sizes.append(len(batch))
        return [s[::-1] for s in batch]

    items = [f"item{i}" for i in range(20)]
    with caplog.at_level(logging.WARNING, logger="mtsum.translation.batching"):
        out = run_batched(items, [5] * 20, fn, max_tokens=10_000, max_items=16)
    assert out == [s[::-1] for s in items]
    assert max(sizes) <= 3 and sum(sizes) == 20
    assert "at most 8 per batch" in caplog.text and "at most 4 per batch" in caplog.text


def test_out_of_memory_on_a_single_item_is_raised() -> None:
    def fn(batch: list[str]) -> list[str]:
        raise BackendOOMError("CUDA out of memory")

    with pytest.raises(BackendOOMError):
        run_batched(["a", "b"], [1, 1], fn)


def test_backend_raising_oom_above_n_still_translates_everything(tiny_models: Path, seeds: dict) -> None:
    """A real (tiny) model behind a backend that runs out of memory above 2 items per batch."""
    from mtsum.backends.hf import TransformersBackend
    from mtsum.pipeline.core import Pipeline, Settings
    from mtsum.translation.translator import ModelTranslator

    calls: list[int] = []

    class SmallGPU(TransformersBackend):
        def generate(self, texts: list[str], settings: dict) -> list[str]:  # type: ignore[override]
            if len(texts) > 2:
                raise BackendOOMError("CUDA out of memory (simulated)")
            calls.append(len(texts))
            return super().generate(texts, settings)

    pipeline = Pipeline(tiny_models, Settings(cache=False))
    text = seeds["de"].read_text(encoding="utf-8")
    segments = [s for _, s in pipeline.prepare(pipeline_doc(text)).model_segments()]
    spec = pipeline.config.translation_spec("de")
    plain = ModelTranslator(TransformersBackend(spec, "translation", "cpu"), "de", batch_size=16)
    small = ModelTranslator(SmallGPU(spec, "translation", "cpu"), "de", batch_size=16)
    assert [t.text for t in small.translate(segments)] == [t.text for t in plain.translate(segments)]
    assert max(calls) <= 2 and sum(calls) == len(segments)


def pipeline_doc(text: str):
    from mtsum.io.inputs import Document

    return Document("<test>", text, "text")


@pytest.mark.parametrize(("workers", "calls"), [(1, [4, 4, 2]), (2, [8, 2]), (3, [10])])
def test_each_worker_gets_a_whole_batch(workers: int, calls: list[int]) -> None:
    sizes: list[int] = []

    def fn(batch: list[str]) -> list[str]:
        sizes.append(len(batch))
        return batch

    items = [f"s{i}" for i in range(10)]
    assert run_batched(items, [5] * 10, fn, max_items=4, workers=workers) == items
    assert sizes == calls


def test_translator_feeds_every_ctranslate2_worker(ct2_cache: Path, tiny_models: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Two single-threaded workers: each generate call carries two batches' worth, and
    CTranslate2 is asked to give each worker one whole batch."""
    from mtsum.backends.ct2 import CTranslate2Backend
    from mtsum.config import load_models_config
    from mtsum.translation.translator import ModelTranslator

    monkeypatch.setenv("MTSUM_THREADS", "2x1")
    backend = CTranslate2Backend(load_models_config(tiny_models).translation["de"], "translation", "cpu")
    assert backend.parallel_batches == 2
    seen: list[tuple[int, int | None]] = []
    real = backend.translator

    class Spy:
        num_translators = real.num_translators

        def translate_batch(self, source: list, *args: object, **kwargs: object) -> object:
            seen.append((len(source), kwargs.get("max_batch_size")))  # type: ignore[arg-type]
            return real.translate_batch(source, *args, **kwargs)

    backend._translator = Spy()
    texts = [f"Der Zug fährt um {h} Uhr nach Berlin." for h in range(1, 12)]
    out = ModelTranslator(backend, "de", batch_size=4).translate(texts)
    assert len(out) == 11 and seen == [(8, 4), (3, 2)]
