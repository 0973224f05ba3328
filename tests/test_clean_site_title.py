"""A headline's decorated copies go instead of the headline.

A page saved with its <head> starts with its <title>, "Headline | Site": the headline
under it is no duplicate of it; the <title> goes instead (rule ``site_title``). A
breadcrumb or a section label ending in the headline just above it ("Startseite »
Politik » Headline") goes too (rule ``decorated_copy``)."""

from __future__ import annotations

import pytest

from mtsum.clean import clean_paragraphs

BODY = [
    "Die Stadt Bergheim hat am Dienstag beschlossen, die alte Brücke über den Fluss bis zum Sommer "
    "vollständig zu sanieren und in dieser Zeit für den Autoverkehr zu sperren.",
    "Die Arbeiten sollen im März beginnen und rund vier Millionen Euro kosten, teilte die Verwaltung "
    "am Mittwoch mit. Fußgänger und Radfahrer können die Brücke weiter nutzen.",
    "Der Stadtrat hatte lange über die Kosten gestritten; die Opposition wollte einen Neubau statt "
    "der Sanierung und scheiterte mit ihrem Antrag knapp.",
]
HEADLINE = "Bergheim saniert die alte Brücke über die Erft"


@pytest.mark.parametrize(
    "title",
    [
        f"{HEADLINE} | Kölner Stadt-Anzeiger",
        f"{HEADLINE} - ksta.de",
        f"{HEADLINE} – Rhein-Erft-Kreis – Nachrichten",
        f"Kölner Stadt-Anzeiger · {HEADLINE}",
        f"ksta.de » {HEADLINE}",
    ],
)
def test_the_title_goes_and_the_headline_stays(title: str) -> None:
    result = clean_paragraphs([title, "Startseite", HEADLINE, *BODY], "de")
    removed = {r.index: r for r in result.removed}
    assert removed[0].reason == "duplicate"
    assert removed[0].rule == "site_title"
    assert removed[0].duplicate_of == 2
    assert 2 not in removed
    assert result.title == HEADLINE


@pytest.mark.parametrize(
    ("lines", "repeat"),
    [
        # a kicker is part of the headline, a colon or a slash sets it off
        ([f"Brückenstreit: {HEADLINE}", "Startseite", HEADLINE, *BODY], 2),
        ([f"„Endlich“ / {HEADLINE}", "Startseite", HEADLINE, *BODY], 2),
        # an agency's credit after the text is no site name
        ([f"{HEADLINE} (dpa)", "Startseite", HEADLINE, *BODY], 2),
        # a teaser "Headline | Site" further down is no <title>: its later copy goes, as before
        (["Startseite", "Politik", "Sport", f"{HEADLINE} | ksta.de", *BODY, HEADLINE], 3 + len(BODY) + 1),
    ],
)
def test_other_longer_copies_keep_their_place(lines: list[str], repeat: int) -> None:
    result = clean_paragraphs(lines, "de")
    removed = {r.index: r for r in result.removed}
    assert removed[repeat].reason == "duplicate"
    assert removed[repeat].rule == "contained_duplicate"
    assert not [r for r in result.removed if r.rule == "site_title"]


@pytest.mark.parametrize(
    "decorated",
    [
        f"Startseite » Politik » {HEADLINE}",
        f"Home / Region / {HEADLINE}",
        f"Startseite Region {HEADLINE}",
        f"Region|{HEADLINE}",
        f"StartseiteRegion{HEADLINE}",  # a breadcrumb's links glued together
        f"{HEADLINE} | Kölner Stadt-Anzeiger",
        f"Teilen: {HEADLINE}".replace(":", " :"),
    ],
)
def test_a_decorated_copy_just_above_the_headline_goes(decorated: str) -> None:
    lines = ["Startseite", "Politik", "Sport", "Kultur", decorated, "Vor 2 Stunden", HEADLINE, *BODY]
    result = clean_paragraphs(lines, "de")
    removed = {r.index: r for r in result.removed}
    assert (removed[4].reason, removed[4].rule, removed[4].duplicate_of) == ("duplicate", "decorated_copy", 6)
    assert 6 not in removed and result.title == HEADLINE


@pytest.mark.parametrize(
    "longer",
    [
        f"Brückenstreit: {HEADLINE}",  # a kicker: a headline of its own
        f"„Endlich“ / {HEADLINE}",
        f"{HEADLINE} (dpa)",  # a credit
        f"{HEADLINE} und der Streit im Rat",  # words that go on
        f"Erft-{HEADLINE}",  # a word's own start
    ],
)
def test_a_longer_line_that_is_no_decoration_keeps_its_place(longer: str) -> None:
    lines = ["Startseite", "Politik", "Sport", "Kultur", longer, HEADLINE, *BODY]
    result = clean_paragraphs(lines, "de")
    assert not [r for r in result.removed if r.rule == "decorated_copy"]
    removed = {r.index: r for r in result.removed}
    assert removed[5].rule == "contained_duplicate" and 4 not in removed


def test_a_copy_further_down_is_no_decoration() -> None:
    """A paragraph of text between: the teaser's later copy goes, as any repeat does."""
    lines = ["Startseite", "Politik", "Sport", "Kultur", f"Politik » {HEADLINE}", BODY[0], HEADLINE, *BODY[1:]]
    removed = {r.index: r for r in clean_paragraphs(lines, "de").removed}
    assert removed[6].rule == "contained_duplicate" and 4 not in removed
