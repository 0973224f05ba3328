"""Cross-document batching: Pipeline.translate_many and the document model."""

from __future__ import annotations

from pathlib import Path

import pytest

from mtsum.errors import ModelUnavailableError, UnsupportedLanguageError
from mtsum.io.inputs import Document
from mtsum.pipeline.core import Pipeline, Settings

ENGLISH = ("The harbour authority said on Monday that the new ferry terminal would open in the spring, "
           "two years later than planned.")
DANISH = ("Regeringen har besluttet at hæve skatten på cigaretter fra næste år, og det har fået mange "
          "til at reagere kraftigt på de sociale medier.")


def _docs(seeds: dict) -> list[Document]:
    docs = [Document(p.name, p.read_text(encoding="utf-8"), "text") for p in seeds.values()]
    return [*docs, Document("en.txt", ENGLISH, "text"), Document("da.txt", DANISH, "text")]


def _shape(result: object) -> tuple:
    return (result.source_language, [(p.index, p.language, p.duplicate_of) for p in result.paragraphs],
            result.stats.paragraphs, result.stats.segments, result.stats.unique_segments)


def test_many_gives_the_same_results_as_one_at_a_time(tiny_models: Path, seeds: dict) -> None:
    docs = _docs(seeds)
    together = list(Pipeline(tiny_models, Settings(cache=False)).translate_many(docs))
    assert [d.name for d, _ in together] == [d.name for d in docs]
    assert isinstance(together[-1][1], UnsupportedLanguageError)
    for doc, result in together[:-1]:
        alone = Pipeline(tiny_models, Settings(cache=False)).translate_document(doc)
        assert _shape(result) == _shape(alone)
        assert [p.translation for p in result.paragraphs] == [p.translation for p in alone.paragraphs]
    english = together[3][1]
    assert english.paragraphs[0].translation == ENGLISH and english.models == {}


def test_shared_batches_make_fewer_model_calls(tiny_models: Path) -> None:
    from mtsum.backends.hf import TransformersBackend

    calls: list[int] = []
    real = TransformersBackend.generate

    def counting(self: TransformersBackend, texts: list[str], settings: dict) -> list[str]:
        calls.append(len(texts))
        return real(self, texts, settings)

    docs = [Document(f"{i}.txt", f"Der Bürgermeister von Stadt {i} hat am Montag eine neue Brücke eröffnet. "
                                 f"Die Arbeiten dauerten {i + 2} Jahre.", "text") for i in range(12)]
    TransformersBackend.generate = counting  # type: ignore[method-assign]
    try:
        list(Pipeline(tiny_models, Settings(cache=False, source="de")).translate_many(docs))
        shared = len(calls)
        calls.clear()
        for doc in docs:
            Pipeline(tiny_models, Settings(cache=False, source="de")).translate_document(doc)
        alone = len(calls)
    finally:
        TransformersBackend.generate = real  # type: ignore[method-assign]
    assert shared < alone and alone >= 12


def test_repeated_segment_across_documents_is_translated_once(tiny_models: Path) -> None:
    shared = "Die Regierung in Berlin hat neue Sanktionen gegen Russland beschlossen."
    docs = [Document("a", shared, "text"), Document("b", shared, "text")]
    results = [r for _, r in Pipeline(tiny_models, Settings(cache=False, source="de")).translate_many(docs)]
    assert [r.stats.segments_translated for r in results] == [1, 0]
    assert results[0].paragraphs[0].translation == results[1].paragraphs[0].translation


def test_a_missing_model_fails_only_its_documents(tiny_models: Path, seeds: dict, tmp_path: Path) -> None:
    registry = tmp_path / "models.yaml"
    registry.write_text(f"translation:\n  sv: {{model: {tiny_models.parent}/tiny-opus-mt-sv-en}}\n"
                        "  de: {model: ./not-there}\n", encoding="utf-8")
    outcomes = dict((d.name, r) for d, r in Pipeline(registry, Settings(cache=False)).translate_many(_docs(seeds)))
    assert isinstance(outcomes[seeds["de"].name], ModelUnavailableError)
    assert outcomes[seeds["sv"].name].source_language == "sv"
    assert outcomes["en.txt"].paragraphs[0].translation == ENGLISH


def test_prepare_splits_detects_and_segments_once(tiny_models: Path, seeds: dict,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import mtsum.detect as detect
    import mtsum.pipeline.prepare as document_module

    detected: list[str] = []
    real = detect._detect_one.__wrapped__

    def spy(text: str, accurate: bool = True) -> object:
        detected.append(text)
        return real(text, accurate)

    monkeypatch.setattr(detect, "_detect_one", spy)
    splits: list[str] = []
    real_split = document_module.split_paragraphs
    monkeypatch.setattr(document_module, "split_paragraphs", lambda t: splits.append(t) or real_split(t))
    text = seeds["de"].read_text(encoding="utf-8")
    result = Pipeline(tiny_models, Settings(cache=False)).translate(text)
    assert len(splits) == 1
    # each paragraph long enough to judge is detected exactly once (repeats included)
    assert len(detected) == sum(1 for p in real_split(text) if sum(c.isalpha() for c in p) >= 40) == 7
    assert result.source_language == "de"


def test_summaries_of_many(tiny_models: Path, seeds: dict) -> None:
    pipeline = Pipeline(tiny_models, Settings(cache=False))
    outcomes = list(pipeline.summarize_many(_docs(seeds), "extractive"))
    assert [type(r).__name__ for _, r in outcomes] == ["SummaryResult"] * 4 + ["UnsupportedLanguageError"]
    assert all(r.summary for _, r in outcomes[:4])
    assert outcomes[3][1].summary == ENGLISH


def test_bart_summaries_of_many_share_batches(tiny_models: Path) -> None:
    from mtsum.backends.hf import TransformersBackend

    calls: list[tuple[str, int]] = []
    real = TransformersBackend.generate

    def counting(self: TransformersBackend, texts: list[str], settings: dict) -> list[str]:
        calls.append((self.task, len(texts)))
        return real(self, texts, settings)

    docs = [Document(f"{i}.txt", f"{ENGLISH} The mayor of town {i} cut the ribbon on Tuesday.", "text")
            for i in range(6)]
    TransformersBackend.generate = counting  # type: ignore[method-assign]
    try:
        outcomes = list(Pipeline(tiny_models, Settings(cache=False)).summarize_many(docs, "bart"))
    finally:
        TransformersBackend.generate = real  # type: ignore[method-assign]
    assert [d.name for d, _ in outcomes] == [d.name for d in docs]
    assert all(r.summary and r.stats.chunks == 1 for _, r in outcomes)
    assert calls == [("summarization", 6)]  # one batch for all six documents


# A stop signal (mtsum.runs.signals) can land while one document is being prepared or
# translated; it stops the run, and must not become that document's failure while the
# run goes on (a digest that swallowed Ctrl-C and exited 0).
def test_a_stop_signal_during_preparation_stops_the_run(tiny_models: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import signal

    from mtsum.errors import Interrupted

    pipeline = Pipeline(tiny_models, Settings(cache=False, source="de"))
    real = pipeline.prepare

    def prepare(doc: Document, clean: bool = False) -> object:
        if doc.name == "1.txt":
            raise Interrupted(signal.SIGINT)
        return real(doc, clean=clean)

    monkeypatch.setattr(pipeline, "prepare", prepare)
    docs = [Document(f"{i}.txt", "Der Stadtrat hat am Montag eine neue Brücke beschlossen.", "text") for i in range(3)]
    with pytest.raises(Interrupted):
        list(pipeline.translate_many(docs))


def test_a_stop_signal_during_translation_stops_the_run(tiny_models: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import signal

    from mtsum.errors import Interrupted

    def stopped(texts: list[str]) -> list[str]:
        raise Interrupted(signal.SIGTERM)

    pipeline = Pipeline(tiny_models, Settings(cache=False, source="de"))
    translator = pipeline.translator("de")
    assert pipeline.translator("de") is translator  # loaded once, so the patch is what runs
    monkeypatch.setattr(translator, "translate", stopped)
    docs = [Document("a.txt", "Der Stadtrat hat am Montag eine neue Brücke beschlossen.", "text")]
    with pytest.raises(Interrupted):
        list(pipeline.translate_many(docs))
