"""mtsum batch without Ray: inputs, records, chunked output, resume, the local engine and the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from mtsum.batch import run_batch
from mtsum.batch.output import ChunkedOutput
from mtsum.batch.records import FIELDS, Item, list_items, load
from mtsum.batch.resume import completed
from mtsum.cli import main
from mtsum.errors import InputError, MissingDependencyError, OutputError
from mtsum.pipeline.core import Settings

GERMAN = "Die Regierung hat am Montag neue Regeln für den Verkehr in der Stadt beschlossen."
SWEDISH = "Regeringen presenterade på måndagen nya regler för trafiken i staden."


def write_jsonl(path: Path, rows: list[object]) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows), encoding="utf-8")
    return path


def read_records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# --- inputs -----------------------------------------------------------------------

def test_folder_items_are_text_and_html_files_with_relative_ids(tmp_path: Path) -> None:
    for name in ("b.txt", "a.html", "sub/c.htm", "notes.md", ".hidden.txt", ".git/x.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("Hallo Welt, wie geht es?", encoding="utf-8")
    assert [i.id for i in list_items(tmp_path)] == ["a.html", "b.txt", "sub/c.htm"]


@pytest.mark.parametrize("line, expected", [
    ({"id": "x", "text": "Hej"}, Item(id="x", text="Hej")),
    ({"id": 7, "text": "Hej"}, Item(id="7", text="Hej")),
    ({"text": "Hej"}, Item(id="line-1", text="Hej")),
    ({"id": "x"}, Item(id="x", problem="line 1: no 'text' field (choose it with --text-field)")),
    ({"id": "x", "text": 3}, Item(id="x", problem="line 1: 'text' is not a string")),
    ("[1, 2]", Item(id="line-1", problem="line 1: not a JSON object")),
    ("{oops", Item(id="line-1", problem="line 1: not JSON (Expecting property name enclosed in double quotes)")),
])
def test_jsonl_lines(tmp_path: Path, line: object, expected: Item) -> None:
    assert list_items(write_jsonl(tmp_path / "in.jsonl", [line])) == [expected]


def test_jsonl_custom_fields_and_blank_lines(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "in.jsonl", [{"key": "a", "body": "Hej"}, "", {"key": "b", "body": "Hallo"}])
    assert list_items(path, text_field="body", id_field="key") == [Item("a", text="Hej"), Item("b", text="Hallo")]


@pytest.mark.parametrize("name, content, message", [
    ("in.jsonl", '{"id": 1, "text": "a"}\n{"id": 1, "text": "b"}\n', "id '1' on lines 1 and 2"),
    ("in.csv", "id,text\n", "give a folder of .txt/.html files or a JSON Lines file"),
    ("missing.jsonl", None, "no such file or folder"),
])
def test_unusable_inputs_are_refused(tmp_path: Path, name: str, content: str | None, message: str) -> None:
    if content is not None:
        (tmp_path / name).write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        list_items(tmp_path / name)


def test_load_hashes_content_and_raises_for_empty(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(GERMAN, encoding="utf-8")
    doc, digest = load(Item("a.txt", path=str(tmp_path / "a.txt")))
    assert (doc.name, doc.text, digest[:7]) == ("a.txt", GERMAN, "sha256:")
    assert load(Item("x", text=GERMAN))[1] == digest  # same text, same hash, whatever the source
    with pytest.raises(InputError, match="empty input"):
        load(Item("e", text="  \n"))


# --- resume -----------------------------------------------------------------------

@pytest.mark.parametrize("records, expected", [
    ([{"id": "a", "error": None, "run_key": "k", "content_hash": "h1"}], {"a": "h1"}),
    ([{"id": "a", "error": None, "run_key": "other", "content_hash": "h1"}], {}),
    ([{"id": "a", "error": {"message": "x"}, "run_key": "k", "content_hash": "h1"}], {}),
    ([{"id": "a", "error": None, "run_key": "k", "content_hash": "h1"},
      {"id": "a", "error": {"message": "x"}, "run_key": "k", "content_hash": "h2"}], {}),
    ([{"id": "a", "error": None, "run_key": "k", "content_hash": "h1"},
      {"id": "a", "error": None, "run_key": "k", "content_hash": "h2"}], {"a": "h2"}),
])
def test_completed_ids(records: list[dict], expected: dict) -> None:
    assert completed(records, "k") == expected


# --- output -----------------------------------------------------------------------

def rec(i: str, **extra: object) -> dict:
    return {**dict.fromkeys(FIELDS), "id": i, "models": {}, "settings": {"task": "translate"}, **extra}


def test_records_are_committed_as_they_come_and_merge_sorted(tmp_path: Path) -> None:
    out = ChunkedOutput(tmp_path / "out.jsonl", chunk_size=2)
    for i in "cba":
        out.add(rec(i))
    parts = list((tmp_path / ".out.jsonl.parts").glob("part-*.jsonl"))
    # One journal per run; every record is in it at once (the chunk size is the fsync interval).
    assert len(parts) == 1 and [r["id"] for r in read_records(parts[0])] == ["c", "b", "a"]
    assert out.close() == 3
    assert [r["id"] for r in read_records(tmp_path / "out.jsonl")] == ["a", "b", "c"]
    assert not (tmp_path / ".out.jsonl.parts").exists()


def test_parts_of_a_killed_run_are_merged_next_time_newest_wins(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    target.write_text(json.dumps(rec("a", translation="old")) + "\n", encoding="utf-8")
    first = ChunkedOutput(target, chunk_size=1)
    first.add(rec("a", translation="new"))
    first.add(rec("b"))
    first._unlock()  # as if killed: parts stay, no merge
    second = ChunkedOutput(target)
    assert [r["translation"] for r in second.existing() if r["id"] == "a"] == ["old", "new"]
    second.close()
    assert [(r["id"], r["translation"]) for r in read_records(target)] == [("a", "new"), ("b", None)]


def test_a_torn_journal_line_is_ignored(tmp_path: Path) -> None:
    """A run killed mid-write leaves half a line (half a UTF-8 character, even) at the end of its journal."""
    target = tmp_path / "out.jsonl"
    parts = tmp_path / ".out.jsonl.parts"
    parts.mkdir()
    (parts / "part-1-1.jsonl").write_bytes(json.dumps(rec("a")).encode() + b'\n{"id": "b", "translation": "\xc3')
    out = ChunkedOutput(target)
    assert [r["id"] for r in out.existing()] == ["a"]
    out.close()
    assert [r["id"] for r in read_records(target)] == ["a"]


def test_parquet_round_trip(tmp_path: Path) -> None:
    out = ChunkedOutput(tmp_path / "out.parquet", chunk_size=1)
    record = rec("a", stats={"target_words": 3}, models={"de": {"model": "m", "revision": "r"}},
                 error=None, language_confidence=0.5)
    out.add(record)
    out.close()
    assert list(ChunkedOutput(tmp_path / "out.parquet").existing()) == [record]


@pytest.mark.parametrize("name, message", [("out.txt", "must end in .jsonl"), ("folder.jsonl", "is a folder")])
def test_bad_outputs(tmp_path: Path, name: str, message: str) -> None:
    (tmp_path / "folder.jsonl").mkdir()
    with pytest.raises(OutputError, match=message):
        ChunkedOutput(tmp_path / name)


def test_two_runs_cannot_write_one_output(tmp_path: Path) -> None:
    first = ChunkedOutput(tmp_path / "out.jsonl")
    # The same lock as the digest's (mtsum.io.lock), with batch's exit code: 2.
    with pytest.raises(OutputError, match="another mtsum batch is writing it") as caught:
        ChunkedOutput(tmp_path / "out.jsonl")
    assert caught.value.exit_code == 2
    first.close()


# --- the local engine -------------------------------------------------------------

def test_jsonl_with_custom_field_bad_records_and_resume(tiny_models: Path, tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [
        {"doc": "de-1", "body": GERMAN}, {"doc": "sv-1", "body": SWEDISH}, {"doc": "empty", "body": " "},
        {"doc": "ja", "body": "これは日本語の文章です。東京は日本の首都です。"}, "{broken",
        {"doc": "de-2", "body": GERMAN + " " + GERMAN},
    ])
    out = tmp_path / "out.jsonl"
    kwargs = {"models": tiny_models, "settings": Settings(cache=False), "text_field": "body", "id_field": "doc"}
    report = run_batch(source, out, **kwargs)
    records = {r["id"]: r for r in read_records(out)}
    assert sorted(records) == ["de-1", "de-2", "empty", "ja", "line-5", "sv-1"]
    assert (report.written, report.failed, report.exit_code) == (3, 3, 2)
    assert [records[i]["source_language"] for i in ("de-1", "sv-1", "de-2")] == ["de", "sv", "de"]
    assert all(records[i]["translation"] and records[i]["error"] is None for i in ("de-1", "sv-1", "de-2"))
    assert records["de-1"]["models"]["de"]["model"].endswith("tiny-opus-mt-de-en")
    assert records["empty"]["error"]["type"] == "InputError"
    assert records["ja"]["error"]["type"] == "UnsupportedLanguageError"
    assert "not JSON" in records["line-5"]["error"]["message"]
    assert list(records["sv-1"]) == list(FIELDS)

    # Rerun: the finished ids are skipped, the failed ones tried again, a changed one redone.
    lines = source.read_text(encoding="utf-8").splitlines()
    lines[0] = json.dumps({"doc": "de-1", "body": "Der Zug kommt heute später an."})
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    again = run_batch(source, out, **kwargs)
    assert (again.written, again.failed, again.skipped) == (1, 3, 2)
    redone = {r["id"]: r for r in read_records(out)}
    assert len(redone) == 6 and redone["sv-1"] == records["sv-1"]
    assert redone["de-1"]["content_hash"] != records["de-1"]["content_hash"]


def test_task_both_keeps_translation_and_summary(tiny_models: Path, seeds: dict, tmp_path: Path) -> None:
    source = tmp_path / "in"
    source.mkdir()
    (source / "de.txt").write_text(seeds["de"].read_text(encoding="utf-8"), encoding="utf-8")
    report = run_batch(source, tmp_path / "out.jsonl", models=tiny_models, settings=Settings(cache=False),
                       task="both", summarizer="extractive")
    [record] = read_records(tmp_path / "out.jsonl")
    assert report.written == 1 and record["translation"] and record["summary"]
    assert record["settings"]["task"] == "both" and record["settings"]["summarizer"] == "extractive"
    assert record["stats"]["kept_paragraphs"] < record["stats"]["paragraphs"]  # cleaned before translating
    assert record["stats"]["target_words"] == len(record["translation"].split()) + len(record["summary"].split())


# --- CLI --------------------------------------------------------------------------

def test_cli_batch_reports_counts_and_throughput(tiny_models: Path, tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": GERMAN}])
    result = CliRunner().invoke(main, ["batch", str(source), "--output", str(tmp_path / "out.parquet"),
                                       "--models", str(tiny_models), "--no-cache"])
    assert result.exit_code == 0, result.output
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("mtsum: batch (local): 1 inputs: 1 written, 0 failed, 0 skipped")
    assert "documents/s" in last and "target words/s" in last
    assert [r["id"] for r in ChunkedOutput(tmp_path / "out.parquet").existing()] == ["a"]


def test_ray_engine_without_ray_names_the_extra(tiny_models: Path, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray now raises ImportError
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": GERMAN}])
    with pytest.raises(MissingDependencyError, match=r"pip install 'mtsum\[ray\]'"):
        run_batch(source, tmp_path / "out.jsonl", engine="ray", models=tiny_models)


def test_importing_mtsum_and_help_never_import_ray() -> None:
    code = ("import sys, mtsum, mtsum.batch, mtsum.cli\n"
            "from click.testing import CliRunner\n"
            "CliRunner().invoke(mtsum.cli.main, ['batch', '--help'])\n"
            "print(sorted(m for m in ('ray', 'torch', 'pyarrow') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- GPU assignment on Ray (pure logic: Ray hides all but the worker's own GPUs) ----

@pytest.mark.parametrize("device, requested, gpus, inside", [
    ("auto", None, 0.0, "cpu"),  # no GPU asked: a worker never grabs one
    ("cpu", None, 0.0, "cpu"),
    ("cuda", None, 1.0, "cuda"),
    ("cuda:3", None, 1.0, "cuda"),  # the worker sees only its own GPU, as cuda:0
    ("auto", 0.5, 0.5, "cuda"),
    ("cpu", 1.0, 1.0, "cpu"),
])
def test_worker_devices(device: str, requested: float | None, gpus: float, inside: str) -> None:
    from mtsum.batch.ray_engine import gpus_per_worker, worker_device

    assert gpus_per_worker(device, requested) == gpus
    assert worker_device(device, gpus) == inside


def test_cuda_without_gpus_per_worker_is_refused() -> None:
    from mtsum.batch.ray_engine import worker_device
    from mtsum.errors import ConfigError

    with pytest.raises(ConfigError, match="--num-gpus-per-worker above 0"):
        worker_device("cuda", 0.0)
