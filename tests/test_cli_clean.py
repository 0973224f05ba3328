"""`mtsum clean` and mtsum.clean_text: the cleaning alone, untranslated, with no model."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import mtsum
from mtsum.cli import main

DATA = Path(__file__).parent / "data"
DANISH = ("Regeringen har besluttet at hæve skatten på cigaretter fra næste år, og det har fået mange "
          "til at reagere kraftigt på de sociale medier. Oppositionen kalder forslaget urimeligt.")


def run(*args: str, input: str | None = None) -> object:
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def test_text_is_the_kept_text(seeds: dict) -> None:
    """The German seed: its three repeated paragraphs and the copyright line go."""
    result = run("clean", str(seeds["de"]))
    assert result.exit_code == 0, result.stderr
    paragraphs = result.stdout.strip().split("\n\n")
    assert len(paragraphs) == 4
    assert "dts Nachrichtenagentur" not in result.stdout
    assert paragraphs[0].startswith("Washington - Russland")


def test_marked_shows_every_paragraph_once_with_the_reason(seeds: dict) -> None:
    result = run("clean", str(seeds["sv"]), "--format", "marked")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    marks = [line.split()[0] for line in lines]
    indices = [int(line.split()[1]) for line in lines]
    assert indices == list(range(len(lines)))  # every input paragraph, in order
    assert marks.count("T") == 1
    assert lines[marks.index("T")].endswith("USA: Ryssland köper raketer av Nordkorea")
    assert "-   0  Blekinge Läns Tidning logo  [boilerplate: common:logo]" in lines
    assert all(line.endswith("]") for line in lines if line.startswith("-"))
    assert marks.count("+") == 10


def test_json_is_stable_and_whole(seeds: dict) -> None:
    result = run("clean", str(seeds["sv"]), "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"input", "source_language", "language_confidence", "title", "title_index", "paragraphs",
                         "kept_indices", "removed", "stripped", "restored", "stats", "settings"}
    assert data["source_language"] == "sv" and data["title"] == "USA: Ryssland köper raketer av Nordkorea"
    placed = [data["title_index"], *data["kept_indices"], *(r["index"] for r in data["removed"])]
    assert sorted(placed) == list(range(data["stats"]["paragraphs"]))
    assert data["stats"]["kept_paragraphs"] == len(data["paragraphs"]) == len(data["kept_indices"])
    assert set(data["removed"][0]) == {"index", "reason", "duplicate_of", "rule", "text", "score"}
    settings = data["settings"]
    assert settings["source"] == "auto" and settings["input_format"] == "text" and settings["rules_dir"] is None
    assert settings["line_model"].startswith("sha256:") and 0 < settings["threshold"] < 1


def test_the_line_model_s_removals_carry_its_score(tmp_path: Path) -> None:
    """A scraped page of our own (its keep/drop marks cut off) whose menus and teasers
    the structure classifier drops: each such removal says how sure the line model was
    (at or above the threshold where the model alone decided); the rules' carry none."""
    marked_page = (DATA / "scraped" / "de_lesen_sie_auch.txt").read_text(encoding="utf-8")
    page = tmp_path / "page.txt"
    page.write_text("\n".join(line[2:] for line in marked_page.splitlines() if line.strip()), encoding="utf-8")
    data = json.loads(run("clean", str(page), "--format", "json").stdout)
    weighed = [r for r in data["removed"] if r["rule"].startswith("classifier:") and r["score"] is not None]
    assert weighed and all(0 <= r["score"] <= 1 for r in weighed)
    assert all(r["score"] >= data["settings"]["threshold"] for r in weighed if r["rule"] == "classifier:model")
    assert all(r["score"] is None for r in data["removed"] if not r["rule"].startswith("classifier:"))
    marked = run("clean", str(page), "--format", "marked").stdout
    assert ", P=0." in marked or ", P=1.00]" in marked


def test_html_input_is_extracted_restored_and_cleaned() -> None:
    result = run("clean", str(DATA / "sv_bro.html"), "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["settings"]["input_format"] == "html" and data["source_language"] == "sv"
    assert data["paragraphs"] and data["title"]


def test_forced_source_skips_detection(seeds: dict) -> None:
    data = json.loads(run("clean", str(seeds["de"]), "--source", "de", "--format", "json").stdout)
    assert data["language_confidence"] is None and data["settings"]["source"] == "de"


def test_stdin_and_output_file(seeds: dict, tmp_path: Path) -> None:
    out = tmp_path / "kept.txt"
    result = run("clean", "-", "-o", str(out), input=seeds["de"].read_text(encoding="utf-8"))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert out.read_text(encoding="utf-8").startswith("Washington - Russland")


def test_several_inputs_into_a_folder(seeds: dict, tmp_path: Path) -> None:
    result = run("clean", str(seeds["sv"]), str(seeds["de"]), "-o", str(tmp_path / "out"), "--format", "json")
    assert result.exit_code == 0, result.stderr
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == sorted(f"{seeds[k].stem}.clean.json" for k in ("sv", "de"))


@pytest.mark.parametrize(
    ("make_input", "message"),
    [
        (lambda d: (d / "da.txt", DANISH), "language 'da'"),
        (lambda d: (d / "empty.txt", "  \n"), "empty input"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, make_input: object, message: str) -> None:
    path, text = make_input(tmp_path)  # type: ignore[operator]
    path.write_text(text, encoding="utf-8")
    result = run("clean", str(path))
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("mtsum: error:") and message in result.stderr


def test_clean_text_api() -> None:
    text = (DATA / "de_seed_dts_nordkorea.txt").read_text(encoding="utf-8")
    result = mtsum.clean_text(text)
    assert result.source_language == "de" and result.stats["duplicates_collapsed"] == 3
    assert result.text.split("\n\n") == result.paragraphs  # no headline in this one
    with pytest.raises(mtsum.InputError):
        mtsum.clean_text(" \n")


def test_clean_loads_no_translation_model_library(seeds: dict) -> None:
    code = ("import sys, mtsum.cli\n"
            "from click.testing import CliRunner\n"
            f"r = CliRunner().invoke(mtsum.cli.main, ['clean', {str(seeds['de'])!r}])\n"
            "assert r.exit_code == 0, r.output\n"
            "print(','.join(m for m in ('torch', 'transformers', 'ctranslate2') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""
