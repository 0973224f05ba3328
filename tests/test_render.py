"""mtsum.render: the text, Markdown and JSON of results and reports, exactly as the CLI prints them.

The renderers take anything shaped like the result dataclasses, so these tests use small
stand-ins; tests/test_golden.py checks the same renderers on real results, byte for byte.
"""

from __future__ import annotations

import json
from types import SimpleNamespace as NS

import pytest

from mtsum.render import documents, reports
from mtsum.render.json import json_document, json_line
from mtsum.render.tables import human_size, table

# --- json --------------------------------------------------------------------------------

JSON_LINES = [
    ({"a": 1, "b": [1, 2]}, '{"a": 1, "b": [1, 2]}'),
    ({"text": "Malmö – Göteborg"}, '{"text": "Malmö – Göteborg"}'),  # non-ASCII as is
    ({"text": "a\u2028b\u2029c\x85d"}, '{"text": "a\\u2028b\\u2029c\\u0085d"}'),  # one line for splitlines
    ({"z": 1, "a": 2}, '{"z": 1, "a": 2}'),  # keys keep their order
]


@pytest.mark.parametrize(("data", "expected"), JSON_LINES)
def test_json_line(data: dict, expected: str) -> None:
    assert json_line(data) == expected
    assert len(expected.splitlines()) == 1 and json.loads(expected) == data


def test_json_document_is_indented_without_final_newline() -> None:
    assert json_document({"a": ["ö"]}) == '{\n  "a": [\n    "ö"\n  ]\n}'


# --- documents ---------------------------------------------------------------------------

PARAGRAPH_PARTS = [[], [""], ["One."], ["One.", "Two."], ["a", "\nb"], ["x\n\n", "y"]]


@pytest.mark.parametrize("parts", PARAGRAPH_PARTS)
def test_by_paragraph_chunks_join_to_the_text(parts: list[str]) -> None:
    chunks = list(documents.by_paragraph(parts))
    assert "".join(chunks) == "\n\n".join(parts) and len(chunks) == len(parts)


def _translation(**over: object) -> NS:
    fields = dict(input="a.txt", source_language="de", language_confidence=0.987, title="Title",
                  models={"de": {"model": "opus-de"}}, text="Title\n\nOne.\n\nTwo.",
                  to_dict=lambda: {"input": "a.txt", "paragraphs": []})
    fields = {**fields, **over}
    return NS(**fields, text_parts=lambda: str(fields["text"]).split("\n\n"))


TRANSLATIONS = [
    ("text", {}, ["Title", "\n\nOne.", "\n\nTwo."]),
    ("markdown", {}, ["# Title\n\n*a.txt: translated from de, confidence 0.99 with opus-de*\n\n",
                      "Title", "\n\nOne.", "\n\nTwo."]),
    ("markdown", {"title": None, "language_confidence": None, "models": {}, "text": "One."},
     ["*a.txt: translated from de with none (English)*\n\n", "One."]),
    ("json", {}, ['{"input": "a.txt", "paragraphs": []}']),
]


@pytest.mark.parametrize(("fmt", "over", "chunks"), TRANSLATIONS)
def test_translation(fmt: str, over: dict, chunks: list[str]) -> None:
    assert list(documents.translation(_translation(**over), fmt)) == chunks  # type: ignore[arg-type]


def _summary(title: str | None) -> NS:
    stats = NS(kept_paragraphs=3, paragraphs=5, boilerplate_removed=1, captions_removed=0,
               duplicates_collapsed=1, chunks=1)
    text = f"{title}\n\nShort." if title else "Short."
    return NS(input="a.txt", source_language="sv", title=title, summary="Short.", summarizer="bart",
              stats=stats, text=text, to_dict=lambda: {"summary": "Short."})


SUMMARIES = [
    ("text", "T", "T\n\nShort."),
    ("text", None, "Short."),
    ("json", "T", '{"summary": "Short."}'),
    ("markdown", "T", "## T\n\nShort.\n\n*a.txt: sv, 3 of 5 paragraphs kept (1 boilerplate, 0 captions, "
                      "1 duplicates removed), bart summary in 1 chunk(s)*"),
    ("markdown", None, "Short.\n\n*a.txt: sv, 3 of 5 paragraphs kept (1 boilerplate, 0 captions, "
                       "1 duplicates removed), bart summary in 1 chunk(s)*"),
]


@pytest.mark.parametrize(("fmt", "title", "expected"), SUMMARIES)
def test_summary(fmt: str, title: str | None, expected: str) -> None:
    assert list(documents.summary(_summary(title), fmt)) == [expected]  # type: ignore[arg-type]


def test_cleaning_marked_lines() -> None:
    removal = NS(reason="boilerplate", rule="menu", score=None)
    scored = NS(reason="boilerplate", rule="model", score=0.912)
    result = NS(lines=lambda: [("T", 0, "Headline", None), ("-", 1, "Home | News", removal),
                               ("+", 2, "Body.", None), ("-", 13, "Share", scored)],
                text="Headline\n\nBody.", to_dict=lambda: {"title": "Headline"})
    assert list(documents.cleaning(result, "marked")) == [  # type: ignore[arg-type]
        "T   0  Headline", "\n-   1  Home | News  [boilerplate: menu]", "\n+   2  Body.",
        "\n-  13  Share  [boilerplate: model, P=0.91]"]
    assert list(documents.cleaning(result, "text")) == ["Headline\n\nBody."]  # type: ignore[arg-type]
    assert list(documents.cleaning(result, "json")) == ['{"title": "Headline"}']  # type: ignore[arg-type]


@pytest.mark.parametrize(("fmt", "expected"), [
    ("text", "a.txt\tsv\t0.99"),
    ("json", '{"input": "a.txt", "language": "sv", "confidence": 0.987}'),
])
def test_detection(fmt: str, expected: str) -> None:
    found = NS(language="sv", confidence=0.987, to_dict=lambda: {"language": "sv", "confidence": 0.987})
    assert list(documents.detection("a.txt", found, fmt)) == [expected]  # type: ignore[arg-type]


# --- tables and reports --------------------------------------------------------------------

SIZES = [(0, "0 B"), (999, "999 B"), (1000, "1.0 KB"), (1_500_000, "1.5 MB"), (2_345_000_000, "2.3 GB"),
         (5_000_000_000_000, "5000.0 GB")]


@pytest.mark.parametrize(("n", "expected"), SIZES)
def test_human_size(n: int, expected: str) -> None:
    assert human_size(n) == expected


def test_table_pads_all_but_the_last_column() -> None:
    assert table([["NAME", "PATH"], ["sv", "/a"], ["summarization", ""]]) == (
        "NAME           PATH\nsv             /a\nsummarization")


def test_cache_stats() -> None:
    stats = {"path": "/c/t.sqlite3", "exists": False, "entries": 0, "keys": 0, "bytes": 0, "max_bytes": 2_000_000}
    assert reports.cache_stats(stats) == (
        "path:     /c/t.sqlite3 (not created yet)\n"
        "entries:  0 translations from 0 model configuration(s)\n"
        "size:     0 B of at most 2.0 MB (least recently used entries go first; MTSUM_CACHE_MAX_MB)")


def test_summary_scores_with_a_row_per_document() -> None:
    per = {"a": {"rouge1": 50.0, "rouge2": 25.0, "rougeL": 40.0, "rougeLsum": 45.0}}
    scores = {"documents": 1, **per["a"], "per_document": per, "scorer": "rouge_score"}
    assert reports.summary_scores(scores, per_document=True) == (
        "documents: 1\n"
        "rouge1: 50.00  rouge2: 25.00  rougeL: 40.00  rougeLsum: 45.00\n"
        "DOCUMENT  ROUGE-1  ROUGE-2  ROUGE-L  ROUGE-Lsum\n"
        "a         50.00    25.00    40.00    45.00\n"
        "scorer: rouge_score")
    assert "DOCUMENT" not in reports.summary_scores(scores)


def test_translation_scores_are_sacrebleus_lines() -> None:
    scores = {"lines": 2, "bleu_text": "BLEU = 10.00", "chrf_text": "chrF2 = 30.00",
              "bleu_signature": "nrefs:1", "chrf_signature": "nrefs:1|c"}
    assert reports.translation_scores(scores) == (
        "lines: 2\nBLEU = 10.00\nchrF2 = 30.00\nBLEU signature: nrefs:1\nchrF signature: nrefs:1|c")


def test_verify_report_says_how_to_fix_a_failure() -> None:
    ok = NS(name="sv", model="m/sv", ok=True, seconds=0.5, output="Hello", error=None, agreement=[], message="")
    bad = NS(name="de", model="m/de", ok=False, seconds=0.0, output=None, error="missing", agreement=[],
             message="run `mtsum models pull de`")
    assert reports.verify_report([ok, bad]) == (
        "NAME  MODEL  RESULT  SECONDS  OUTPUT / ERROR\n"
        "sv    m/sv   ok      0.50     Hello\n"
        "de    m/de   FAILED  0.00     missing\n"
        "\nHow to fix:\n"
        "- de: run `mtsum models pull de`")


def test_models_list_notes() -> None:
    statuses = [NS(name="sv", available=True, why="auto: converted", runs_with="ctranslate2"),
                NS(name="de", available=False, why=None, runs_with=None)]
    notes = reports.models_list_notes(statuses)  # type: ignore[arg-type]
    assert notes[0] == "sv: ctranslate2, converted" and notes[1].startswith("\nmissing models: run `mtsum models pull`")


def test_doctor_report() -> None:
    r = {"python": "3.11.0", "python_executable": "/py", "mtsum": None,
         "torch": {"installed": False}, "device": {"chosen": None, "requested": "auto"},
         "hf_cache": {"path": "/hf", "exists": False, "size_bytes": 0}, "offline": True,
         "models": {"config": "models.yaml", "models": [
             {"name": "sv", "model": "m/sv", "available": False, "missing": "not cached"}]},
         "optional": {"ray": {"installed": False, "version": None, "for": "batch"}}, "problems": []}
    lines = reports.doctor_report(r).splitlines()
    assert lines[1:4] == ["mtsum:         unknown (not installed)", "torch:         NOT INSTALLED",
                          "transformers:  -"]
    assert "device:        ERROR (requested auto)" in lines and "offline mode:  on" in lines
    assert "  sv               m/sv: MISSING: not cached" in lines
    assert lines[-2:] == ["  ray              not installed  (batch)", "problems: none"]
