"""mtsum digest end to end: outputs, state, re-processing decisions, failures, locking.

English articles pass through untranslated and ``--summarizer extractive`` needs no
model, so most tests here run on real English wording (tests/data/digest) with no
model at all; the tiny models cover the Swedish and German seeds.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from mtsum.cli import main
from mtsum.digest import State, build_digest
from mtsum.pipeline.core import Pipeline

ARTICLES = Path(__file__).parent / "data" / "digest"
DANISH = ("Regeringen har besluttet at hæve skatten på cigaretter fra næste år, og det har fået mange "
          "til at reagere kraftigt på de sociale medier. Oppositionen kalder forslaget urimeligt.")


def run(*args: str) -> object:
    return CliRunner().invoke(main, ["digest", *args], catch_exceptions=False)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A scraper's drop folder: the English test articles, some in a sub-folder."""
    src = tmp_path / "in"
    shutil.copytree(ARTICLES, src)
    (src / "storm").mkdir()
    for f in src.glob("storm_*.txt"):
        f.rename(src / "storm" / f.name)
    return src


def digest(folder: Path, tmp_path: Path, *extra: str) -> object:
    return run(str(folder), "--out", str(tmp_path / "out"), "--state", str(tmp_path / "state.db"),
               "--summarizer", "extractive", *extra)


def load_json(tmp_path: Path) -> dict:
    return json.loads((tmp_path / "out" / "digest.json").read_text(encoding="utf-8"))


def sources(data: dict) -> list[str]:
    return [s["path"] for story in data["stories"] for e in story["entries"] for s in e["sources"]]


def test_digest_writes_three_formats_with_grouped_stories(folder: Path, tmp_path: Path) -> None:
    result = digest(folder, tmp_path, "--title", "Morning <digest>")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "9 new, 0 unchanged, 0 failed"
    out = tmp_path / "out"
    assert {p.name for p in out.iterdir()} == {"digest.md", "digest.html", "digest.json", "digest.xml", "translations",
                                               ".mtsum-digest.json", ".mtsum-digest.lock"}
    data = load_json(tmp_path)
    assert data["counts"] == {"new": 9, "unchanged": 0, "failed": 0, "articles": 9, "stories": 5}
    stems = [[[Path(s["path"]).stem for s in e["sources"]] for e in story["entries"]] for story in data["stories"]]
    # The three-outlet North Korea story and the storm (an agency copy collapsed into one entry) lead.
    assert sorted(map(sorted, stems[0])) == [["nk_denial"], ["nk_missiles_paper"], ["nk_missiles_wire"]]
    assert stems[1] == [["storm_agency_a", "storm_agency_b"], ["storm_local"]]
    assert sorted(stems[2:]) == [[["ecb_rates"]], [["football_final"]], [["nato_hungary"]]]
    assert sorted(sources(data)) == sorted(str(p) for p in folder.rglob("*.txt"))
    storm = data["stories"][1]
    assert storm["title"] == "Storm Babet brings record rainfall and floods to southern Sweden"
    assert storm["entries"][0]["languages"] == ["en"]
    assert storm["entries"][0]["summary"].startswith("Storm Babet swept across southern Sweden")
    # Every source links to its full translation, written beside the digest.
    for src in (s for story in data["stories"] for e in story["entries"] for s in e["sources"]):
        assert (out / src["translation_txt"]).read_text(encoding="utf-8").startswith(src["title"])
        assert (out / src["translation_html"]).is_file()
    assert data["settings"]["summarizer"] == "extractive" and data["models"] == {"summarization": ["textrank"]}

    html = (out / "digest.html").read_text(encoding="utf-8")
    assert "<title>Morning &lt;digest&gt;</title>" in html and "<digest>" not in html
    assert html.count('<section class="story"') == 5 and 'href="#story-1"' in html
    assert "translations/storm_local.en.html" in html
    md = (out / "digest.md").read_text(encoding="utf-8")
    assert md.startswith("# Morning \\<digest\\>\n")
    assert "[full translation](<translations/nk_denial.en.txt>)" in md
    assert "9 new, 0 unchanged, 0 failed" in md


def test_second_run_processes_nothing_and_an_edit_reprocesses_one(folder: Path, tmp_path: Path) -> None:
    assert digest(folder, tmp_path).exit_code == 0
    second = digest(folder, tmp_path)
    assert second.stdout.strip() == "0 new, 9 unchanged, 0 failed"
    assert load_json(tmp_path)["counts"]["articles"] == 9

    # Touching a file re-processes exactly that file (its translations come from the cache).
    touched = os.stat(folder / "ecb_rates.txt")
    os.utime(folder / "ecb_rates.txt", ns=(touched.st_atime_ns, touched.st_mtime_ns + 10**9))
    assert digest(folder, tmp_path).stdout.strip() == "1 new, 8 unchanged, 0 failed"
    assert digest(folder, tmp_path).stdout.strip() == "0 new, 9 unchanged, 0 failed"

    edited = folder / "ecb_rates.txt"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nMarkets had expected the decision.\n",
                      encoding="utf-8")
    third = digest(folder, tmp_path)
    assert third.stdout.strip() == "1 new, 8 unchanged, 0 failed"
    assert f"[1/1] {edited}" in third.stderr
    assert "Markets had expected the decision." in (
        tmp_path / "out" / "translations" / "ecb_rates.en.txt").read_text(encoding="utf-8")

    assert digest(folder, tmp_path, "--rebuild").stdout.strip() == "9 new, 0 unchanged, 0 failed"
    with sqlite3.connect(tmp_path / "state.db") as db:
        assert db.execute("SELECT count(*) FROM articles").fetchone() == (9,)
        assert db.execute("SELECT count(*) FROM runs WHERE finished_at IS NOT NULL").fetchone() == (6,)


def test_failed_articles_are_reported_skipped_and_exit_4(folder: Path, tmp_path: Path) -> None:
    (folder / "danish.txt").write_text(DANISH, encoding="utf-8")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02" * 50)
    result = digest(folder, tmp_path)
    assert result.exit_code == 4
    assert result.stdout.strip() == "9 new, 0 unchanged, 2 failed"
    assert f"mtsum: error: {folder / 'danish.txt'}: unsupported language 'da'" in result.stderr
    assert f"mtsum: error: {folder / 'binary.txt'}: binary data" in result.stderr
    data = load_json(tmp_path)
    assert sorted(Path(f["path"]).name for f in data["failed"]) == ["binary.txt", "danish.txt"]
    assert data["counts"]["articles"] == 9
    assert "Not included (2 failed)" in (tmp_path / "out" / "digest.html").read_text(encoding="utf-8")
    # Failures are not remembered as done: they are tried again (and fail again) next time.
    assert digest(folder, tmp_path).stdout.strip() == "0 new, 9 unchanged, 2 failed"


def test_quiet_log_file_formats_and_globs(folder: Path, tmp_path: Path) -> None:
    log = tmp_path / "logs" / "digest.log"
    result = run(str(folder / "nk_*.txt"), str(folder / "storm"), "--out", str(tmp_path / "out"),
                 "--state", str(tmp_path / "s.db"), "--summarizer", "extractive", "--format", "md,json",
                 "--quiet", "--log-file", str(log))
    assert result.exit_code == 0
    assert result.stdout == "" and result.stderr == ""
    assert sorted(p.name for p in (tmp_path / "out").iterdir() if not p.name.startswith(".")) == [
        "digest.json", "digest.md", "translations"]
    assert not list((tmp_path / "out" / "translations").glob("*.html"))
    logged = log.read_text(encoding="utf-8")
    assert "[6/6]" in logged and logged.rstrip().endswith("6 new, 0 unchanged, 0 failed")


def test_since_keeps_recent_files_only(folder: Path, tmp_path: Path) -> None:
    for f in folder.rglob("*.txt"):
        os.utime(f, (1_600_000_000, 1_600_000_000))  # September 2020
    os.utime(folder / "football_final.txt")
    result = digest(folder, tmp_path, "--since", "2021-01-01")
    assert result.stdout.strip() == "1 new, 0 unchanged, 0 failed"
    assert [Path(p).name for p in sources(load_json(tmp_path))] == ["football_final.txt"]
    bad = digest(folder, tmp_path, "--since", "last tuesday")
    assert bad.exit_code == 2 and "use a date (2024-01-31)" in bad.stderr


def test_output_folder_inside_the_input_folder_is_not_read(folder: Path, tmp_path: Path) -> None:
    args = (str(folder), "--out", str(folder / "digest"), "--state", str(tmp_path / "s.db"),
            "--summarizer", "extractive")
    assert run(*args).stdout.strip() == "9 new, 0 unchanged, 0 failed"
    assert run(*args).stdout.strip() == "0 new, 9 unchanged, 0 failed"


def test_missing_input_is_a_usage_error(tmp_path: Path) -> None:
    result = run(str(tmp_path / "nope"), "--out", str(tmp_path / "out"), "--state", str(tmp_path / "s.db"))
    assert result.exit_code == 2 and "nope: no such file or folder" in result.stderr


def test_state_held_by_another_digest_exits_75(folder: Path, tmp_path: Path) -> None:
    with State(tmp_path / "state.db"):
        result = digest(folder, tmp_path)
    assert result.exit_code == 75
    assert "another mtsum digest is using the state" in result.stderr and "--wait" in result.stderr
    assert digest(folder, tmp_path).exit_code == 0


def test_state_default_comes_from_environment(folder: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MTSUM_STATE", str(tmp_path / "env" / "state.db"))
    result = run(str(folder / "ecb_rates.txt"), "--out", str(tmp_path / "out"), "--summarizer", "extractive")
    assert result.exit_code == 0 and (tmp_path / "env" / "state.db").is_file()


def test_not_a_database_is_a_clear_error(folder: Path, tmp_path: Path) -> None:
    (tmp_path / "state.db").write_text("not sqlite " * 100)
    result = digest(folder, tmp_path)
    assert result.exit_code == 2 and "is not a usable SQLite database" in result.stderr


def test_seeds_with_tiny_models(tiny_models: Path, seeds: dict, tmp_path: Path) -> None:
    folder = tmp_path / "seeds"
    folder.mkdir()
    for path in seeds.values():
        shutil.copy(path, folder)
    pipeline = Pipeline(tiny_models)
    report = build_digest([str(folder)], tmp_path / "out", summarizer="extractive",
                          state_path=tmp_path / "s.db", pipeline=pipeline)
    assert report.summary_line == "3 new, 0 unchanged, 0 failed"
    data = load_json(tmp_path)
    found = {Path(s["path"]).name: s["language"] for story in data["stories"] for e in story["entries"]
             for s in e["sources"]}
    assert found == {p.name: ("de" if k == "de" else "sv") for k, p in seeds.items()}
    assert set(data["models"]) == {"sv", "de", "summarization"}
    entries = [e for story in data["stories"] for e in story["entries"]]
    assert all(e["summary"] for e in entries)
    # A heading is the headline, or a first sentence the summary does not repeat, or none.
    assert all(e["title"] is None or (e["title"].strip() and e["title"] not in e["summary"]) for e in entries)
    assert len(list((tmp_path / "out" / "translations").glob("*.en.txt"))) == 3

    # Unchanged: no model is even loaded.
    fresh = Pipeline(tiny_models)
    again = build_digest([str(folder)], tmp_path / "out", summarizer="extractive", state_path=tmp_path / "s.db",
                         pipeline=fresh)
    assert again.summary_line == "0 new, 3 unchanged, 0 failed" and not fresh.components.translators

    # A changed Swedish model re-processes the Swedish articles only.
    changed = tiny_models.with_name("models-sv-beams.yaml")
    changed.write_text(tiny_models.read_text(encoding="utf-8").replace(
        "sv: {model: ./tiny-opus-mt-sv-en}", "sv: {model: ./tiny-opus-mt-sv-en, generation: {num_beams: 2}}"),
        encoding="utf-8")
    third = build_digest([str(folder)], tmp_path / "out", summarizer="extractive", state_path=tmp_path / "s.db",
                         pipeline=Pipeline(changed))
    assert third.summary_line == "2 new, 1 unchanged, 0 failed"
