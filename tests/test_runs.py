"""The runner: per-input isolation, worst exit code, output names, streamed stdout."""

from __future__ import annotations

import io
import json
import os
import signal
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from mtsum.cli import main
from mtsum.errors import ConfigError, InputError, Interrupted, ModelUnavailableError
from mtsum.io.inputs import Document
from mtsum.runs import StdoutSink, open_sink, per_document, run_inputs

ENGLISH = ("The government decided to raise the tax on cigarettes next year, and many people reacted "
           "angrily on social media. The opposition calls the proposal unreasonable and unfair.")


def run(*args: str) -> object:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def no_de_model(tmp_path: Path) -> Path:
    registry = tmp_path / "models.yaml"
    registry.write_text("translation:\n  de: {model: ./nowhere}\n  sv: {model: ./nowhere}\n")
    return registry


@pytest.fixture
def english(tmp_path: Path) -> Path:
    path = tmp_path / "en.txt"
    path.write_text(ENGLISH)
    return path


def test_missing_model_for_one_input_does_not_stop_the_others(no_de_model: Path, english: Path, seeds: dict,
                                                             tmp_path: Path) -> None:
    missing = tmp_path / "missing.txt"
    result = run("translate", str(seeds["de"]), str(english), str(missing), "--format", "json",
                 "--models", str(no_de_model))
    assert result.exit_code == 3  # the worst: a model error (3) beats a missing file (2)
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["input"] for r in rows] == [str(english)]
    errors = [line for line in result.stderr.splitlines() if line.startswith("mtsum: error:")]
    assert len(errors) == 2
    assert any("no such file" in e and str(missing) in e for e in errors)
    assert any("nowhere" in e for e in errors)


def test_summarize_goes_on_after_a_model_error(no_de_model: Path, english: Path, seeds: dict,
                                               tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("summarize", str(seeds["de"]), str(english), "--summarizer", "extractive",
                 "--models", str(no_de_model), "-o", str(out))
    assert result.exit_code == 3
    assert sorted(p.name for p in out.iterdir()) == ["en.summary.txt"]


def test_detect_goes_on_after_a_bad_input(english: Path, tmp_path: Path) -> None:
    binary = tmp_path / "bin.txt"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    result = run("detect", str(binary), str(english), "--format", "json")
    assert result.exit_code == 2
    found = json.loads(result.stdout)
    assert (found["input"], found["language"]) == (str(english), "en")


@pytest.mark.parametrize(("fmt", "suffix"), [("text", ".summary.txt"), ("json", ".summary.json"),
                                              ("markdown", ".summary.md")])
def test_summary_files_have_their_own_names(english: Path, tmp_path: Path, fmt: str, suffix: str) -> None:
    out = tmp_path / "out"
    result = run("summarize", str(english), "--summarizer", "extractive", "--source", "en", "--format", fmt,
                 "-o", f"{out}/")
    assert result.exit_code == 0, result.stderr
    assert [p.name for p in out.iterdir()] == [f"en{suffix}"]


def test_run_wide_error_stops_the_run_and_writes_nothing(tmp_path: Path) -> None:
    docs_seen = []

    def work(doc: Document) -> str:
        docs_seen.append(doc.name)
        raise ConfigError("bad device")

    paths = []
    for name in ("a", "b"):
        (tmp_path / f"{name}.txt").write_text(ENGLISH)
        paths.append(str(tmp_path / f"{name}.txt"))
    sink = open_sink(str(tmp_path / "out.txt"), paths[:1], ".en.txt")
    with pytest.raises(ConfigError):
        run_inputs(paths, per_document(work), sink, lambda r: [r], handle_signals=False)
    assert docs_seen == [paths[0]] and not (tmp_path / "out.txt").exists()


def test_process_gets_all_documents_at_once_and_outcomes_in_any_order(tmp_path: Path) -> None:
    paths = []
    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.txt").write_text(f"{name} {ENGLISH}")
        paths.append(str(tmp_path / f"{name}.txt"))
    batches = []

    def process(docs: list[Document]):
        batches.append([d.name for d in docs])
        for doc in reversed(docs):  # an engine may finish documents in any order
            yield doc, (InputError("no") if doc.name.endswith("b.txt") else doc.text[0])

    failures = []
    report = run_inputs(paths, process, open_sink(str(tmp_path / "out"), paths, ".x"), lambda r: [r],
                        on_error=lambda name, exc: failures.append(name), handle_signals=False)
    assert batches == [paths]
    assert (report.written, report.exit_code, failures) == (2, 2, [paths[1]])
    # file names follow the input order, not the order of completion
    assert (tmp_path / "out" / "a.x").read_text() == "a\n" and (tmp_path / "out" / "c.x").read_text() == "c\n"


def test_exit_code_is_the_worst_seen(tmp_path: Path) -> None:
    outcomes = [InputError("x"), ModelUnavailableError("y"), InputError("z")]
    paths = []
    for i in range(3):
        (tmp_path / f"d{i}.txt").write_text(ENGLISH)
        paths.append(str(tmp_path / f"d{i}.txt"))

    def process(docs: list[Document]):
        yield from zip(docs, outcomes)

    report = run_inputs(paths, process, StdoutSink(False), lambda r: [r], handle_signals=False)
    assert (report.exit_code, report.written, len(report.failed)) == (3, 0, 3)


def test_stdout_gets_each_paragraph_before_the_next_is_rendered(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = io.StringIO()
    monkeypatch.setattr("sys.stdout", fake)
    seen_before = []

    def chunks():
        for i in range(3):
            seen_before.append(fake.getvalue())
            yield f"paragraph {i}\n\n"

    StdoutSink(False).write(0, "doc", chunks())
    assert seen_before == ["", "paragraph 0\n\n", "paragraph 0\n\nparagraph 1\n\n"]


def test_translate_text_output_is_rendered_per_paragraph(english: Path) -> None:
    from mtsum.pipeline.core import Pipeline, Settings
    from mtsum.render.documents import translation as _render_translation

    doc = Document("x", "One.\n\nTwo.\n\nThree.", "text")
    result = Pipeline(None, Settings(source="en")).translate_document(doc)
    assert list(_render_translation(result, "text")) == ["One.", "\n\nTwo.", "\n\nThree."]
    assert "".join(_render_translation(result, "markdown")).endswith("*\n\n" + result.text)


def test_process_may_yield_equal_copies_of_the_documents(tmp_path: Path) -> None:
    import dataclasses

    paths = []
    for name in ("a", "b"):
        (tmp_path / f"{name}.txt").write_text(f"{name} {ENGLISH}")
        paths.append(str(tmp_path / f"{name}.txt"))

    def process(docs: list[Document]):
        for doc in reversed(docs):
            yield dataclasses.replace(doc), doc.text[0]

    report = run_inputs(paths, process, open_sink(str(tmp_path / "out"), paths, ".x"), lambda r: [r],
                        handle_signals=False)
    assert report.written == 2 and (tmp_path / "out" / "b.x").read_text() == "b\n"


def test_a_stop_a_library_swallowed_still_stops_the_run_after_that_document(tmp_path: Path) -> None:
    """SIGTERM lands inside a library call that catches BaseException: the document being
    processed is finished and written, the next is not begun, and the run ends as stopped."""
    paths = []
    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.txt").write_text(f"{name} {ENGLISH}")
        paths.append(str(tmp_path / f"{name}.txt"))
    seen = []

    def work(doc: Document) -> str:
        seen.append(doc.name)
        if len(seen) == 2:
            try:
                os.kill(os.getpid(), signal.SIGTERM)  # Interrupted is raised here, inside the library
                time.sleep(1)
            except BaseException:
                pass
        return doc.text[0]

    with pytest.raises(Interrupted) as stopped:
        run_inputs(paths, per_document(work), open_sink(str(tmp_path / "out"), paths, ".x"), lambda r: [r])
    assert stopped.value.exit_code == 143 and seen == paths[:2]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.x", "b.x"]
