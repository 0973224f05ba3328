"""mtsum.clean.extracted: after an HTML extraction only the rules remove anything."""

from __future__ import annotations

import pytest

from mtsum.clean import clean_paragraphs
from mtsum.clean.extracted import STEPS, clean_extracted, step_of

TITLE = "Bergheim saniert die Brücke über die Erft"
BODY = [
    "Die Stadt Bergheim hat am Dienstag beschlossen, die alte Brücke über die Erft bis zum Sommer "
    "vollständig zu sanieren und in dieser Zeit für den Autoverkehr zu sperren.",
    "Nach Angaben der Verwaltung kostet die Sanierung der Brücke rund drei Millionen Euro, von denen "
    "das Land den größten Teil übernehmen wird, wie ein Sprecher mitteilte.",
]

# (paragraphs, indices clean_extracted keeps besides the title, step the full cleaning used)
CASES = [
    # A rule's removal stays removed.
    ([TITLE, BODY[0], "Anzeige", BODY[1]], [1, 3], "rules"),
    # A repeat stays: a tutorial's repeated code line, or a quote repeated as a pull quote.
    ([TITLE, BODY[0], "SELECT", BODY[1], "SELECT"], [1, 2, 3, 4], "duplicate"),
    # Lines above the headline stay: over an extraction they are the kicker, not a menu.
    (["Lokales", "Brücken", TITLE, *BODY], [0, 1, 3, 4], "above-headline"),
]


@pytest.mark.parametrize(("paragraphs", "kept", "step"), CASES)
def test_only_the_rules_remove(paragraphs: list[str], kept: list[int], step: str) -> None:
    full = clean_paragraphs(paragraphs, "de", extracted=True)
    assert step in {step_of(r) for r in full.removed}  # the full cleaning would remove something
    result = clean_extracted(paragraphs, "de")
    assert result.kept_indices == kept
    assert result.paragraphs == [paragraphs[i] for i in kept]
    assert {step_of(r) for r in result.removed} <= STEPS
    assert result.title == TITLE and len(result.removed) + len(kept) + 1 == len(paragraphs)


def test_all_steps_is_the_full_cleaning() -> None:
    paragraphs = ["Lokales", TITLE, BODY[0], "Anzeige", BODY[1], BODY[1]]
    everything = frozenset({"rules", "duplicate", "caption", "above-headline"})
    assert clean_extracted(paragraphs, "de", everything) == clean_paragraphs(paragraphs, "de", extracted=True)
