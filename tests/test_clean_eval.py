"""The scoring of scripts/eval_clean.py (``make eval-clean``) on a made-up page."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "eval_clean.py"


@pytest.fixture(scope="module")
def eval_clean():
    spec = importlib.util.spec_from_file_location("eval_clean", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["eval_clean"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    yield module
    del sys.modules["eval_clean"]


PAGE = {
    "id": "x",
    "language": "de",
    # A snippet may span two lines, and soft hyphens must not hide a kept snippet.
    "lines": ["Startseite", "Der Rat hat", "am Dienstag beschlossen.", "Lö\u00adsung gefunden.", "Impressum"],
    "with": ["Der Rat hat am Dienstag", "Lösung gefunden", "nicht auf der Seite"],
    "without": ["Startseite", "Impressum"],
}


@pytest.mark.parametrize(
    ("cleaned", "keep", "drop"),
    [
        ("Startseite Der Rat hat am Dienstag beschlossen. Lö\u00adsung gefunden. Impressum", 1.0, 0.0),
        ("Der Rat hat am Dienstag beschlossen. Lösung gefunden. Impressum", 1.0, 0.5),
        ("Der Rat hat", 0.0, 1.0),
    ],
)
def test_keep_and_drop_shares(eval_clean, cleaned: str, keep: float, drop: float) -> None:
    tally = eval_clean.Tally()
    tally.add(PAGE, cleaned, 0.0)
    # The snippet that is not on the page counts for neither share.
    assert (tally.keep_total, tally.drop_total) == (2, 2)
    assert (tally.keep, tally.drop) == (keep, drop)


def test_mtsum_cleans_the_page(eval_clean) -> None:
    text, _ = eval_clean.mtsum_plain(PAGE, Path("."))
    assert "Der Rat hat" in text and "Startseite" not in text
