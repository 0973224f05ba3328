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
    # A snippet may span two lines. It is compared as the page has it, whitespace
    # collapsed and nothing else: one copied with a soft hyphen needs it in the output.
    "lines": ["Startseite", "Der Rat hat", "am  Dienstag beschlossen.", "Lö\u00adsung gefunden.", "Impressum"],
    "with": ["Der Rat hat am Dienstag", "Lö\u00adsung gefunden", "nicht auf der Seite", "Lösung gefunden"],
    "without": ["Startseite", "Impressum"],
}


@pytest.mark.parametrize(
    ("cleaned", "keep", "drop"),
    [
        ("Startseite Der Rat hat am Dienstag beschlossen. Lö\u00adsung gefunden. Impressum", 1.0, 0.0),
        ("Der Rat hat am Dienstag beschlossen. Lösung gefunden. Impressum", 0.5, 0.5),
        ("Der Rat hat", 0.0, 1.0),
    ],
)
def test_keep_and_drop_shares(eval_clean, cleaned: str, keep: float, drop: float) -> None:
    tally = eval_clean.Tally()
    tally.add(PAGE, cleaned, 0.0)
    # The snippets not on the page (one of them only without its soft hyphen) count for neither share.
    assert (tally.keep_total, tally.drop_total) == (2, 2)
    assert (tally.keep, tally.drop) == (keep, drop)


LONG_PAGE = {
    "id": "long",
    "language": "de",
    "lines": [f"Absatz Nummer {k} des Artikels." for k in range(12)] + ["Impressum", "Kontakt"],
    "with": [f"Absatz Nummer {k} des Artikels." for k in range(12)],
    "without": ["Impressum", "Kontakt"],
}


@pytest.mark.parametrize(
    ("per_page", "keep_total", "keep", "drop"),
    [
        # Every snippet once: the long page's twelve article snippets outweigh the short page's two.
        (None, 14, 8 / 14, 0.5),
        # At most three a kind a page: the long page counts as three article snippets,
        # of which it kept half; each page weighs about alike.
        (3, 5, (3 * 6 / 12 + 2) / 5, 0.5),
        # A cap above every page's count changes nothing.
        (20, 14, 8 / 14, 0.5),
    ],
)
def test_snippets_per_page_weigh_pages_alike(eval_clean, per_page, keep_total, keep, drop) -> None:
    tally = eval_clean.Tally(per_page=per_page)
    tally.add(PAGE, "Der Rat hat am Dienstag beschlossen. Lö\u00adsung gefunden. Impressum", 0.0)
    half = " ".join(f"Absatz Nummer {k} des Artikels." for k in range(6))
    tally.add(LONG_PAGE, half + " Impressum", 0.0)
    assert tally.keep_total == pytest.approx(keep_total)
    assert (tally.keep, tally.drop) == (pytest.approx(keep), pytest.approx(drop))
    assert tally.pages == 2


def test_mtsum_cleans_the_page(eval_clean) -> None:
    text, _ = eval_clean.mtsum_plain(PAGE, Path("."))
    assert "Der Rat hat" in text and "Startseite" not in text


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("https://www.example.de/blog/2018/12/05/erfolgreiche-tweets-zutaten/",
         {"blog", "erfolgreiche", "tweets", "zutaten"}),
        # Umlauts as slugs spell them; an archived page's own address, not the archive's.
        ("https://web.archive.org/web/20190101/https://www.example.com/news/brücke-über-die-erft",
         {"news", "bruecke", "ueber", "erft"}),
        ("https://www.example.com/?p=123", set()),
    ],
)
def test_address_words(eval_clean, url: str, words: set[str]) -> None:
    assert eval_clean.address_words(url) == words


def test_headline_figures_count_pages_whose_headline_names_the_address(eval_clean) -> None:
    body = ("Die Stadt Bergheim hat am Dienstag beschlossen, die alte Brücke über den Fluss bis zum Sommer "
            "vollständig zu sanieren und in dieser Zeit für den Autoverkehr zu sperren.")
    page = {"language": "de", "url": "https://example.de/lokales/bruecke-ueber-die-erft-wird-saniert",
            "lines": ["Brücke über die Erft wird saniert", body, body.replace("Dienstag", "Mittwoch")]}
    untitled = {**page, "lines": page["lines"][1:], "url": "https://example.de/mittwoch-bruecke-abend"}
    short = {**page, "url": "https://example.de/p/123"}  # too few words to count
    figures = eval_clean.headline_figures([page, untitled, short])
    assert "of the 2 pages" in figures and "2 have a line" in figures and "on 1 the headline" in figures


def test_title_figures_count_headlines_that_are_the_truths_title(eval_clean) -> None:
    body = ("Die Stadt Bergheim hat am Dienstag beschlossen, die alte Brücke über den Fluss bis zum Sommer "
            "vollständig zu sanieren und in dieser Zeit für den Autoverkehr zu sperren.")
    truth = "Brücke über die Erft wird saniert\n" + body
    found = {"dataset": "a", "language": "de", "truth": truth,
             "lines": ["Brücke über die Erft wird saniert", body, body.replace("Dienstag", "Mittwoch")]}
    # typed with other quotes than the truth's: the same title
    quoted = {**found, "truth": "„Brücke“ über die Erft\n" + body,
              "lines": ['"Brücke" über die Erft', body, body.replace("Dienstag", "Mittwoch")]}
    days = [body.replace("Dienstag", day) for day in ("Mittwoch", "Montag", "Freitag")]
    missed = {**found, "dataset": "b",
              "lines": ["Bergheim plant Umleitungen für den Sommer", body, *days, "Brücke über die Erft wird saniert"]}
    unseen = {**found, "dataset": "b", "lines": found["lines"][1:]}  # the page never shows its title
    no_truth = {**found, "truth": ""}
    figures = eval_clean.title_figures([found, quoted, missed, unseen, no_truth])
    assert "a 2 of 2, b 0 of 1; 2 of 3" in figures
