"""The command line: exit codes, messages, stdin, -o, formats."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from mtsum.cli import main

DANISH = ("Regeringen har besluttet at hæve skatten på cigaretter fra næste år, og det har fået mange "
          "til at reagere kraftigt på de sociale medier. Oppositionen kalder forslaget urimeligt.")
DUTCH = ("De regering heeft besloten de belasting op sigaretten volgend jaar te verhogen, en dat heeft "
         "veel mensen boos gemaakt op sociale media. De oppositie noemt het voorstel onredelijk.")
ENGLISH = "The government decided to raise the tax on cigarettes next year, and many people reacted angrily."


def run(*args: str, input: str | bytes | None = None) -> object:
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def test_translate_german_seed_json(tiny_models: Path, seeds: dict) -> None:
    result = run("translate", str(seeds["de"]), "--format", "json", "--models", str(tiny_models))
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    data = json.loads(lines[0])
    assert data["source_language"] == "de" and data["input"] == str(seeds["de"])
    assert data["stats"]["paragraphs"] == 8 == len(data["paragraphs"])
    assert data["stats"]["unique_segments"] < data["stats"]["segments"]
    assert data["stats"]["segments_translated"] == data["stats"]["unique_segments"]
    assert set(data["paragraphs"][0]) == {"index", "source", "language", "translation", "duplicate_of", "flagged"}
    assert set(data["models"]["de"]) >= {"model", "revision"}
    assert 0 <= data["language_confidence"] <= 1


def test_translate_several_inputs_json_lines(tiny_models: Path, seeds: dict) -> None:
    paths = [str(seeds[k]) for k in ("sv", "de", "sv2")]
    result = run("translate", *paths, "--format", "json", "--models", str(tiny_models))
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.strip().splitlines()]
    assert [r["source_language"] for r in rows] == ["sv", "de", "sv"]
    assert [r["input"] for r in rows] == paths


def test_translate_text_and_markdown(tiny_models: Path, seeds: dict) -> None:
    text = run("translate", str(seeds["de"]), "--models", str(tiny_models))
    assert text.exit_code == 0
    assert len(text.stdout.strip().split("\n\n")) == 8
    deduped = run("translate", str(seeds["de"]), "--dedupe", "--models", str(tiny_models))
    assert len(deduped.stdout.strip().split("\n\n")) == 5
    md = run("translate", str(seeds["de"]), "--format", "markdown", "--models", str(tiny_models))
    assert "translated from de" in md.stdout


def test_translate_stdin(tiny_models: Path, seeds: dict) -> None:
    result = run("translate", "-", "--format", "json", "--models", str(tiny_models),
                 input=seeds["de"].read_bytes())
    assert result.exit_code == 0
    assert json.loads(result.stdout)["input"] == "<stdin>"


def test_translate_output_file_and_dir(tiny_models: Path, seeds: dict, tmp_path: Path) -> None:
    out = tmp_path / "one.txt"
    result = run("translate", str(seeds["de"]), "-o", str(out), "--models", str(tiny_models))
    assert result.exit_code == 0 and result.stdout == ""
    assert len(out.read_text().strip().split("\n\n")) == 8
    outdir = tmp_path / "many"
    result = run("translate", str(seeds["de"]), str(seeds["sv"]), "-o", str(outdir), "--format", "json",
                 "--models", str(tiny_models))
    assert result.exit_code == 0
    assert sorted(p.name for p in outdir.iterdir()) == sorted(
        f"{seeds[k].stem}.en.json" for k in ("de", "sv"))


def test_output_dir_keeps_inputs_with_the_same_name_apart(tiny_models: Path, seeds: dict, tmp_path: Path) -> None:
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "x.txt").write_bytes(seeds["de"].read_bytes())
    outdir = tmp_path / "out"
    result = run("translate", str(tmp_path / "a" / "x.txt"), str(tmp_path / "b" / "x.txt"), "-o", str(outdir),
                 "--models", str(tiny_models))
    assert result.exit_code == 0
    assert sorted(p.name for p in outdir.iterdir()) == ["x-2.en.txt", "x.en.txt"]


def test_english_passes_through(tiny_models: Path, tmp_path: Path) -> None:
    path = tmp_path / "en.txt"
    path.write_text(ENGLISH)
    result = run("translate", str(path), "--models", str(tiny_models))
    assert result.exit_code == 0 and result.stdout.strip() == ENGLISH


@pytest.mark.parametrize(("text", "code"), [(DANISH, "'da'"), (DUTCH, "'nl'")])
def test_unsupported_language_exit_2(tiny_models: Path, tmp_path: Path, text: str, code: str) -> None:
    path = tmp_path / "x.txt"
    path.write_text(text)
    result = run("translate", str(path), "--models", str(tiny_models))
    assert result.exit_code == 2
    assert code in result.stderr and "unsupported language" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_forced_source_overrides_detection(tiny_models: Path, tmp_path: Path) -> None:
    path = tmp_path / "da.txt"
    path.write_text(DANISH)
    result = run("translate", str(path), "--source", "sv", "--models", str(tiny_models))
    assert result.exit_code == 0


BAD_INPUTS = [
    ("missing", None, "no such file"),
    ("empty", b"", "empty"),
    ("binary", b"\x00\x01\x02\x03PK\x03\x04" * 50, "binary"),
    ("directory", "DIR", "is a directory"),
]


@pytest.mark.parametrize(("name", "content", "message"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_exit_2(tiny_models: Path, tmp_path: Path, name: str, content: object, message: str) -> None:
    path = tmp_path / f"{name}.txt"
    if content == "DIR":
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    result = run("translate", str(path), "--models", str(tiny_models))
    assert result.exit_code == 2
    assert message in result.stderr and str(path) in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_input_does_not_stop_the_others(tiny_models: Path, seeds: dict, tmp_path: Path) -> None:
    result = run("translate", str(tmp_path / "missing.txt"), str(seeds["de"]), "--format", "json",
                 "--models", str(tiny_models))
    assert result.exit_code == 2
    assert json.loads(result.stdout)["source_language"] == "de"


def test_missing_model_exit_3(tmp_path: Path, seeds: dict) -> None:
    registry = tmp_path / "models.yaml"
    registry.write_text("translation:\n  de: {model: ./nowhere}\n  sv: {model: ./nowhere}\n")
    result = run("translate", str(seeds["de"]), "--models", str(registry))
    assert result.exit_code == 3
    assert "does not exist" in result.stderr and "nowhere" in result.stderr
    assert "Traceback" not in result.stderr


def test_malformed_registry_exit_2(tmp_path: Path, seeds: dict) -> None:
    registry = tmp_path / "models.yaml"
    registry.write_text("translation:\n  de: {modell: x}\n")
    result = run("translate", str(seeds["de"]), "--models", str(registry))
    assert result.exit_code == 2 and "modell" in result.stderr and str(registry) in result.stderr


def test_cuda_without_cuda_exit_2(tiny_models: Path, seeds: dict) -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    result = run("translate", str(seeds["de"]), "--device", "cuda", "--models", str(tiny_models))
    assert result.exit_code == 2 and "CUDA is not available" in result.stderr


def test_detect(seeds: dict, tmp_path: Path) -> None:
    da = tmp_path / "da.txt"
    da.write_text(DANISH)
    result = run("detect", str(seeds["sv"]), str(seeds["de"]), str(da))
    assert result.exit_code == 0
    rows = [line.split("\t") for line in result.stdout.strip().splitlines()]
    assert [(r[0], r[1]) for r in rows] == [(str(seeds["sv"]), "sv"), (str(seeds["de"]), "de"), (str(da), "da")]
    assert all(0 <= float(r[2]) <= 1 for r in rows)
    as_json = run("detect", str(seeds["de"]), "--format", "json")
    assert json.loads(as_json.stdout) == {"input": str(seeds["de"]), "language": "de",
                                          "confidence": pytest.approx(1.0, abs=0.05)}


def test_detect_missing_file(tmp_path: Path) -> None:
    result = run("detect", str(tmp_path / "nope.txt"))
    assert result.exit_code == 2 and "no such file" in result.stderr


def _subprocess(*args: str, env: dict | None = None, input: bytes | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "mtsum", *args], capture_output=True, env=full_env,
                          input=input, timeout=300)


def test_import_and_help_stay_light() -> None:
    code = ("import sys, mtsum, mtsum.cli\n"
            "from click.testing import CliRunner\n"
            "CliRunner().invoke(mtsum.cli.main, ['--help'])\n"
            "CliRunner().invoke(mtsum.cli.main, ['translate', '--help'])\n"
            "heavy = [m for m in ('torch', 'transformers', 'ctranslate2', 'lingua') if m in sys.modules]\n"
            "print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""


def test_python_m_and_debug_traceback(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.txt")
    plain = _subprocess("translate", missing)
    assert plain.returncode == 2 and b"Traceback" not in plain.stderr
    assert plain.stderr.decode().strip() == f"mtsum: error: {missing}: no such file"
    debug = _subprocess("--debug", "translate", missing)
    assert debug.returncode == 2 and b"Traceback" in debug.stderr


def test_uncached_hub_model_unreachable_hub_exit_3(tmp_path: Path, seeds: dict) -> None:
    registry = tmp_path / "models.yaml"
    registry.write_text("translation:\n  de: {model: Helsinki-NLP/opus-mt-de-en}\n")
    env = {"HF_HUB_CACHE": str(tmp_path / "cache"), "HF_HUB_OFFLINE": "0",
           "HF_ENDPOINT": "http://127.0.0.1:9"}  # nothing listens on port 9
    proc = _subprocess("translate", str(seeds["de"]), "--models", str(registry), "--device", "cpu", env=env)
    assert proc.returncode == 3, proc.stderr
    err = proc.stderr.decode()
    assert "Helsinki-NLP/opus-mt-de-en" in err and "unreachable" in err and "Traceback" not in err


# --- the CLI leaves the process as it found it (issue 29) ---


def test_commands_change_no_environment_variable_and_leave_no_hook(tiny_models: Path, seeds: dict) -> None:
    import logging

    import mtsum

    # The libraries' own imports may set variables (joblib sets KMP_INIT_AT_FORK): import
    # them through the library first, so only the CLI's changes count.
    mtsum.summarize_text(seeds["de"].read_text(), models=tiny_models)
    before, hooks = dict(os.environ), list(sys.meta_path)
    level = logging.getLogger("transformers").level
    for args in (["summarize", str(seeds["de"]), "--models", str(tiny_models), "--no-cache"],
                 ["models", "list", "--models", str(tiny_models)], ["clean", str(seeds["sv"])]):
        result = run(*args)
        assert result.exit_code == 0, result.stderr
    assert dict(os.environ) == before
    assert sys.meta_path == hooks and logging.getLogger("transformers").level == level


def test_library_chatter_only_with_debug(tiny_models: Path, seeds: dict) -> None:
    args = ("summarize", str(seeds["de"]), "--models", str(tiny_models), "--source", "de", "--no-cache")
    plain, debug = _subprocess(*args), _subprocess("--debug", *args)
    assert plain.returncode == 0 == debug.returncode, plain.stderr
    chatter = (b"[transformers]", b"Loading weights")
    assert any(c in debug.stderr for c in chatter), "nothing to hide: the test no longer checks anything"
    assert not any(c in plain.stderr for c in chatter), plain.stderr


def test_a_hook_runs_after_the_import_and_undoes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mtsum.cli.quiet import _when_imported

    (tmp_path / "mtsum_probe_module.py").write_text("VALUE = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    hooks, seen = list(sys.meta_path), []
    undo = _when_imported("mtsum_probe_module", lambda m: (seen.append(m.VALUE), lambda: seen.append(0))[1])
    assert seen == [] and len(sys.meta_path) == len(hooks) + 1
    import mtsum_probe_module  # noqa: F401

    assert seen == [1] and sys.meta_path == hooks  # applied once, right after the import
    undo()
    assert seen == [1, 0]
    sys.modules.pop("mtsum_probe_module")
    pending = _when_imported("mtsum_probe_module", lambda m: None)
    pending()  # never imported: the hook goes
    assert sys.meta_path == hooks
