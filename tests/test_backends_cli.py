"""`mtsum translate` and `mtsum summarize` on both backends: same structure, backend recorded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from mtsum.cli import main


def _run(args: list[str]) -> list[dict]:
    result = CliRunner().invoke(main, ["-q", *args, "--format", "json", "--no-cache"])
    assert result.exit_code == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def _translation_shape(d: dict) -> tuple:
    return (d["input"], d["source_language"], [(p["index"], p["language"], p["duplicate_of"]) for p in d["paragraphs"]],
            {k: d["stats"][k] for k in ("paragraphs", "segments", "unique_segments", "segments_translated")})


def _summary_shape(d: dict) -> tuple:
    # What depends on the (gibberish, int8-rounded) English text is left out: the guard's
    # flags and how many chunks the summarizer needed.
    return (d["input"], d["source_language"], d["source_title"], d["removed"], d["stripped"],
            {k: v for k, v in d["stats"].items() if k not in ("seconds", "flagged_segments", "chunks", "rounds")})


@pytest.mark.parametrize("command", ["translate", "summarize"])
def test_both_backends_same_structure(command: str, ct2_cache: Path, tiny_models: Path, seeds: dict) -> None:
    inputs = [str(seeds["sv"]), str(seeds["de"])]
    runs = {backend: _run([command, *inputs, "--models", str(tiny_models), "--backend", backend, "--device", "cpu"])
            for backend in ("transformers", "ctranslate2")}
    shape = _translation_shape if command == "translate" else _summary_shape
    assert [shape(d) for d in runs["transformers"]] == [shape(d) for d in runs["ctranslate2"]]
    for backend, docs in runs.items():
        for d in docs:
            models = {k: v for k, v in d["models"].items() if k != "summarization"}
            if command == "summarize":
                models["summarization"] = d["models"]["summarization"]
            assert {m["backend"] for m in models.values()} == {backend}
            assert {m["compute_type"] for m in models.values()} == {"float32" if backend == "transformers" else "int8"}
            assert all(m["device"] == "cpu" for m in models.values())
            assert d["settings"]["backend"] == backend
            if command == "translate":
                assert all(p["translation"] for p in d["paragraphs"])
            else:
                assert d["summary"]


def test_auto_uses_the_conversion(ct2_cache: Path, tiny_models: Path, seeds: dict) -> None:
    [doc] = _run(["translate", str(seeds["de"]), "--models", str(tiny_models)])
    assert doc["models"]["de"]["backend"] == "ctranslate2" and doc["settings"]["backend"] == "auto"
