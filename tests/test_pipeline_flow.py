"""A document flows forward once: prepared, translated, assembled, each thing decided once.

The title stays apart from the body from cleaning to the result, removals stay typed
until rendered, segments carry their token counts to batching, duplicates and summary
stats are the cleaning's, and the clean/ modules import one way.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from mtsum.clean import CleanResult, Removal, clean_paragraphs
from mtsum.clean.extracted import clean_extracted
from mtsum.io.inputs import Document
from mtsum.pipeline.core import Pipeline, Settings
from mtsum.pipeline.prepare import SourceDocument, clean_document, prepare_source

REPO = Path(__file__).resolve().parent.parent
HEADLINE = "Stadtrat beschließt neue Brücke"
BODY = [
    "Der Stadtrat hat am Montag nach langer Debatte beschlossen, eine neue Brücke über den Fluss zu bauen.",
    "Anzeige",
    "Die Bauarbeiten sollen im kommenden Frühjahr beginnen und etwa zwei Jahre dauern, sagte ein Sprecher.",
]
ARTICLE = "\n\n".join([HEADLINE, *BODY])


def _words(text: str, language: str) -> list[tuple[str, int]]:
    return [(text, len(text.split()))]


# --- preparation -------------------------------------------------------------------


def test_the_title_is_kept_apart_from_the_body() -> None:
    paras = [HEADLINE, *BODY]
    cleaned = clean_paragraphs(paras, "de")
    assert cleaned.title == HEADLINE
    prepared = prepare_source(SourceDocument(Document("a.txt", ARTICLE, "text"), "de", None, paras,
                                             [None] * len(paras), cleaned), _words)
    assert prepared.title is not None and prepared.title.text == HEADLINE
    assert [p.text for p in prepared.paragraphs] == [BODY[0], BODY[2]]
    assert prepared.cleaned is cleaned and prepared.total_paragraphs == 4
    # The title goes to the model first, then the body.
    assert [seg for _, seg in prepared.model_segments()] == [HEADLINE, BODY[0], BODY[2]]


@pytest.mark.parametrize(
    ("paragraphs", "clean", "expected"),
    [
        # without cleaning, exact repeats (after normalization) point at their first
        (["Ein Satz hier.", "Noch einer.", "Ein  Satz hier."], False, [None, None, 0]),
        # the cleaner removes repeats of a page: none is left to point anywhere
        ([BODY[0], BODY[2], BODY[0]], True, [None, None]),
    ],
)
def test_duplicates_are_decided_once(paragraphs: list[str], clean: bool, expected: list[int | None]) -> None:
    cleaned = clean_paragraphs(paragraphs, "de") if clean else None
    source = SourceDocument(Document("a.txt", "\n\n".join(paragraphs), "text"), "de", None, paragraphs,
                            [None] * len(paragraphs), cleaned)
    prepared = prepare_source(source, _words)
    assert [p.duplicate_of for p in prepared.paragraphs] == expected


def test_an_extraction_keeps_its_repeats_and_says_which_they_are() -> None:
    # After an HTML extraction duplicates are put back (clean_extracted); the cleaning
    # says which kept paragraph repeats which, and preparation takes that.
    paragraphs = [HEADLINE, BODY[0], BODY[2], BODY[0]]
    result = clean_extracted(paragraphs, "de")
    assert result.kept_indices[-1] == 3 and result.repeat_of[-1] == result.kept_indices[0]
    assert len(result.repeat_of) == len(result.paragraphs)


def test_an_extraction_is_cleaned_in_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    from mtsum.clean import cleaner

    calls: list[int] = []
    real = cleaner.analyse

    def counting(texts: list[str], *args: object, **kwargs: object) -> object:
        calls.append(len(texts))
        return real(texts, *args, **kwargs)

    monkeypatch.setattr(cleaner, "analyse", counting)
    clean_extracted([HEADLINE, BODY[0], BODY[0], "Foto: Max Muster", BODY[2]], "de")
    assert calls == [5]


# --- results -----------------------------------------------------------------------


def test_cleaning_a_document_gives_the_one_result_type() -> None:
    import mtsum.results

    result = clean_document(Document("a.txt", ARTICLE, "text"), "de")
    assert isinstance(result, CleanResult) and not hasattr(mtsum.results, "CleaningResult")
    assert (result.input, result.source_language, result.language_confidence) == ("a.txt", "de", None)
    data = result.to_dict()
    assert list(data) == ["input", "source_language", "language_confidence", "title", "title_index",
                          "paragraphs", "kept_indices", "removed", "stripped", "restored", "stats", "settings"]
    assert data["settings"]["line_model"].startswith("sha256:") and len(data["settings"]["line_model"]) == 23
    # The same cleaning of bare paragraphs keeps its own shape.
    assert list(clean_paragraphs([HEADLINE, *BODY], "de").to_dict()) == [
        "title", "paragraphs", "kept_indices", "removed", "language", "title_index", "stripped", "input_count",
        "restored", "stats"]


def test_segments_carry_their_token_counts_to_the_model(tiny_models: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pipeline = Pipeline(tiny_models, Settings(cache=False, source="de"))
    translator = pipeline.translator("de")
    counted: list[str] = []
    real_count = translator.count_tokens

    def count(text: str) -> int:
        counted.append(text)
        return real_count(text)

    monkeypatch.setattr(translator, "count_tokens", count)
    prepared = pipeline.prepare(Document("a.txt", ARTICLE, "text"))
    segments = prepared.counted_segments()
    assert sorted(counted) == sorted(seg for _, seg, _ in segments)  # each counted once, here
    asked: list[tuple[list[str], list[int] | None]] = []
    real_translate = translator.translate

    def translate(texts: list[str], token_counts: list[int] | None = None, **overrides: object) -> list:
        asked.append((list(texts), token_counts))
        return real_translate(texts, token_counts=token_counts, **overrides)

    monkeypatch.setattr(translator, "translate", translate)
    [(_, result)] = list(pipeline.translate_prepared([(prepared.doc, prepared)]))
    assert asked == [([seg for _, seg, _ in segments], [n for _, _, n in segments])]
    assert len(counted) == len(segments)  # nothing counted again on the way to the model
    assert result.stats.segments == len(segments)


def test_removals_stay_typed_until_rendered(tiny_models: Path) -> None:
    pipeline = Pipeline(tiny_models, Settings(cache=False, source="de"))
    translated = pipeline.translate_document(Document("a.txt", ARTICLE, "text"), clean=True)
    assert translated.title is not None and translated.source_title == HEADLINE
    assert all(isinstance(r, Removal) for r in translated.removed or [])
    assert [r.text for r in translated.removed or []] == ["Anzeige"]
    data = json.loads(json.dumps(translated.to_dict()))
    assert [r["text"] for r in data["removed"]] == ["Anzeige"]
    assert [p["source"] for p in data["paragraphs"]] == [BODY[0], BODY[2]]
    summary = pipeline.summarize_translation(translated, "extractive")
    assert summary.removed == translated.removed
    cleaning = translated.cleaned
    assert cleaning is not None
    assert (summary.stats.boilerplate_removed, summary.stats.captions_removed, summary.stats.duplicates_collapsed) \
        == tuple(cleaning.stats[k] for k in ("boilerplate_removed", "captions_removed", "duplicates_collapsed"))


# --- layering ----------------------------------------------------------------------


def _imports(module: Path) -> set[str]:
    """Every mtsum module *module* imports, at its top, in functions or for type checking."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return {m for m in found if m.startswith("mtsum.")}


# module -> the clean/ modules it must never import (they sit above it)
LAYERS = {
    "words": {"features", "line_model", "decide", "cleaner", "headline", "extracted", "result"},
    "features": {"line_model", "decide", "cleaner", "headline", "extracted"},
    "line_model": {"decide", "cleaner", "headline", "extracted", "duplicates", "rules"},
    "decide": {"cleaner", "headline", "extracted"},
    "result": {"cleaner", "features", "line_model", "decide", "extracted"},
    "cleaner": {"extracted"},
}


@pytest.mark.parametrize(("module", "above"), sorted(LAYERS.items()))
def test_clean_modules_depend_one_way(module: str, above: set[str]) -> None:
    imported = _imports(REPO / "mtsum" / "clean" / f"{module}.py")
    assert not {m for m in imported if m.removeprefix("mtsum.clean.") in above}


def test_importing_the_front_door_loads_no_translator() -> None:
    import subprocess
    import sys

    code = ("import sys, mtsum.pipeline.core; "
            "print(sorted(m for m in sys.modules if m.startswith(('mtsum.translation', 'numpy'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert out.stdout.strip() == "[]"
