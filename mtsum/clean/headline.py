"""Which line of a cleaned page is its headline.

Every line near the start of the main text block (from :data:`LINES_ABOVE` lines
above it to :data:`LINES_INTO` into it) that the rules left and that is shaped like a
headline at all (one sentence of at most :data:`MAX_WORDS` words, not site furniture,
not code or a list item: :func:`code_or_bullet`) is a candidate. A logistic
regression weighs each candidate's shape: where it sits
against the block, its length, whether it ends like a sentence, title case, stopwords,
digits, links, a byline's or a person's name's shape, whether another line of the page
repeats it (a page's ``<title>``, a breadcrumb), and how many of its words the lines
below it use (a headline names what its article is about). The best candidate is the
headline.

The weights ship as ``headline_model.json``, fitted by ``scripts/train_headline.py``
on two kinds of page. The public pages of ``data/cleaning/`` come with a ground truth
whose first line is the title: the candidate that is that line is the headline. The dev
pages of ``make eval-clean`` annotate no headline, but most addresses spell theirs out
(``…/erfolgreiche-tweets-zutaten/``): the candidate that names its page's address best
is labelled the headline. Held out by site, the model's best candidate is the truth's
title on 418 to 426 of the 644 public pages that show it (one trained on the addresses
alone: 357), and names the address on 134 or 135 of 222 dev pages (a hand-written walk
up from the block, which the model replaced, on 63). The script prints the figures.
"""

from __future__ import annotations

import bisect
import functools
import json
import re
from collections.abc import Callable, Collection, Sequence
from pathlib import Path

from mtsum.clean.features import Block, LineFeatures
from mtsum.clean.words import stopwords
from mtsum.text.segment import split_sentences

MODEL_FILE = Path(__file__).parent / "data" / "headline_model.json"

# Where a headline may stand: this many lines above the main text block, this many
# into it (a block may open with the headline, a byline or a date line); the first
# lines of a page without a block.
# (Chosen among six windows, 25 to 60 above and 3 to 15 into, on the held-out figures
# of scripts/train_headline.py: the widest above was best; 8 into beat 3 and 15.)
LINES_ABOVE = 60
LINES_INTO = 8
LINES_WITHOUT_BLOCK = 20
# A headline is one short sentence; a first paragraph that is a lede stays body.
MAX_WORDS = 30
# The lines below a candidate whose words it is compared with: the article's lead.
LEAD_LINES = 15
LEAD_REACH = 40
# A repeat shorter than this is a word or two, not the headline's text.
REPEAT_MIN_CHARS = 15

# A line with a separator and this few words is a breadcrumb or a menu row, not a headline.
_MENU_ROW_WORDS = 4
# A line of site vocabulary with this few words is a button or a label, not a headline.
_FURNITURE_LINE_WORDS = 3
# A line this much of whose tokens hold digits is a date, a time or a counter.
_STAMP_DIGIT_SHARE = 0.5

_BYLINE = re.compile(
    r"^(by|posted|author|written|published|updated|von|autor|autorin|geschrieben|ein artikel von"
    r"|veröffentlicht|aktualisiert|av|publicerad|uppdaterad)\b",
    re.IGNORECASE,
)
_CONTENT_WORD = re.compile(r"\w{4,}")
# Code a page leaks into its text (scripts, template markup) and list items are never
# a headline, however the model weighs their shape: an assignment or comparison, a
# call ("push(", "f()"), a statement's ";" or a brace, a camelCase identifier
# ("dataLayer"; two lower-case letters first, so "iPhone" and "eBay" pass), or a line
# opening with a bullet. A headline's own parenthesis ("Merkel (CDU) ...") is not a call.
_CODE = re.compile(r"[=;{}]|\w\(|\(\s*\)|\b[a-z]{2,}(?:[A-Z][a-z0-9]+)+\b|\b[a-z]+_[a-z]+\b")
_BULLET = re.compile(r"^[-•*·▪►–]\s")

FEATURES = (
    "offset<=-9", "offset-8..-5", "offset-4..-3", "offset-2", "offset-1", "offset0", "offset+1", "offset>=+2",
    "words1", "words2", "words3", "words4-5", "words6-9", "words10-14", "words15-20", "words>=21",
    "headline_shaped", "ends_period", "ends_question_or_exclamation",
    "title_case", "stop_share", "digit_share", "link_share", "separators", "site_vocabulary",
    "name_shaped", "byline_shaped", "repeated", "repeats", "lead_share", "names_lead",
    "after_passed", "before_prose",
)  # fmt: skip


def looks_like_headline(text: str, language: str) -> bool:
    """One sentence of at most :data:`MAX_WORDS` words."""
    words = text.split()
    return 0 < len(words) <= MAX_WORDS and len(split_sentences(text, language)) == 1


def code_or_bullet(text: str) -> bool:
    """A line shaped like code (``=``, ``;``, braces, a call, a camelCase or snake_case
    identifier) or a list item (opening with ``- ``, ``• ``, ``* `` ...): never a headline."""
    return bool(_BULLET.match(text) or _CODE.search(text))


def furniture_shaped(text: str, f: LineFeatures | None) -> bool:
    """A line no headline looks like, though the rules left it: a label, lead-in or form
    field ending in a colon or a star ("Libby sagt:", "Zugehörige Themenseiten:",
    "Name *"), a breadcrumb or menu row ("ZDNet / Regulierung", "Impressum | Kontakt"),
    a short line of site vocabulary ("1 Kommentar", "Passwort vergessen", "Email
    address"), or a time stamp ("8. April 2019 @ 13:06": half its tokens hold digits)."""
    if f is None:
        return False
    return (
        text.endswith((":", "*"))
        or f.digit_share >= _STAMP_DIGIT_SHARE
        or f.separators >= 2
        or (f.separators >= 1 and f.words <= _MENU_ROW_WORDS)
        or (f.furniture >= 1 and f.words <= _FURNITURE_LINE_WORDS)
    )


def candidates(
    texts: Sequence[str],
    language: str,
    removed: Collection[int],
    block: Block | None,
    feats: Sequence[LineFeatures | None],
) -> tuple[list[int], list[list[float]]]:
    """The lines that may be the headline, and their :data:`FEATURES`.

    *removed* are lines the rules or the structure pass took (bylines, dates, share
    buttons, breadcrumbs, links): never the headline, and not the article's lead.
    """
    n = len(texts)
    passed_memo: dict[int, bool] = {}

    def passed(i: int) -> bool:
        if i not in passed_memo:
            passed_memo[i] = i in removed or feats[i] is None or furniture_shaped(texts[i], feats[i])
        return passed_memo[i]

    if block is None:
        start, lo, hi = 0, 0, min(n, LINES_WITHOUT_BLOCK)
    else:
        start, lo, hi = block.start, max(0, block.start - LINES_ABOVE), min(n, block.start + LINES_INTO + 1)
    # A long sentence with a full stop is prose (a lede, a teaser), never a headline;
    # inside the block, neither is a short one.
    rows = [
        i
        for i in range(lo, hi)
        if not passed(i)
        and not feats[i].prose  # type: ignore[union-attr]  # passed() ruled out None
        and (i <= start or not texts[i].endswith("."))
        and looks_like_headline(texts[i], language)
        and not code_or_bullet(texts[i])
    ]
    if not rows:
        return [], []
    stop = stopwords(language)
    whole = "\n".join(texts).lower()  # where a candidate's repeats are counted
    # The lines a candidate's lead is taken from: those the rules and the shape left.
    open_lines = [j for j in range(lo, min(n, hi + LEAD_REACH)) if not passed(j)]
    words: dict[int, set[str]] = {}

    def words_of(j: int) -> set[str]:
        if j not in words:
            words[j] = set(_CONTENT_WORD.findall(texts[j].lower())) - stop
        return words[j]

    def lead(i: int) -> list[int]:
        k = bisect.bisect_right(open_lines, i)
        return [j for j in open_lines[k : k + LEAD_LINES] if j < i + LEAD_REACH]

    matrix = [_features(i, start, texts[i], feats, i > 0 and passed(i - 1), lead(i), whole, words_of) for i in rows]
    return rows, matrix


def _features(
    i: int,
    start: int,
    text: str,
    feats: Sequence[LineFeatures | None],
    after_passed: bool,
    lead: list[int],
    whole: str,
    words_of: Callable[[int], set[str]],
) -> list[float]:
    f = feats[i]
    assert f is not None  # candidates have features
    off, w = i - start, f.words
    repeats = whole.count(text.lower()) - 1 if len(text) >= REPEAT_MIN_CHARS else 0
    mine = words_of(i)
    below: set[str] = set().union(*(words_of(j) for j in lead)) if lead else set()
    share = len(mine & below) / len(mine) if mine else 0.0
    next_f = feats[lead[0]] if lead else None
    name = 2 <= w <= 4 and f.stop_share == 0 and f.digit_share == 0 and all(t[:1].isupper() for t in text.split())
    return [
        off <= -9, -8 <= off <= -5, -4 <= off <= -3, off == -2, off == -1, off == 0, off == 1, off >= 2,
        w == 1, w == 2, w == 3, 4 <= w <= 5, 6 <= w <= 9, 10 <= w <= 14, 15 <= w <= 20, w >= 21,
        w >= 2 and not text.endswith(".") and any(c.isalpha() for c in text),  # headline_shaped
        text.endswith("."), text.endswith(("?", "!")),
        f.title_case, f.stop_share, f.digit_share, f.link_share, f.separators > 0, f.furniture > 0,
        name, _BYLINE.match(text) is not None, repeats > 0, min(repeats, 3) / 3, share,
        len(mine) >= 2 and share >= 0.5,
        after_passed, next_f is not None and next_f.prose,
    ]  # fmt: skip


@functools.lru_cache(maxsize=1)
def weights() -> tuple[tuple[float, ...], float]:
    """The shipped model's coefficients (in :data:`FEATURES` order) and intercept."""
    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    if tuple(data["features"]) != FEATURES:
        raise ValueError(f"{MODEL_FILE} was trained on other features: run scripts/train_headline.py")
    return tuple(data["coef"]), float(data["intercept"])


def find_headline(
    texts: Sequence[str],
    language: str,
    removed: Collection[int],
    block: Block | None,
    feats: Sequence[LineFeatures | None],
) -> int | None:
    """The index of the headline among *texts*, or None when no line can be one."""
    rows, matrix = candidates(texts, language, removed, block, feats)
    if not rows:
        return None
    coef, intercept = weights()
    scores = [intercept + sum(c * x for c, x in zip(coef, row)) for row in matrix]
    return rows[max(range(len(rows)), key=scores.__getitem__)]
