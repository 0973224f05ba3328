"""Which lines of a scraped page are the article: a classifier on structure, not words.

A person skimming a scrape finds the article as the stretch of long, sentence-shaped
lines full of function words ("der", "och", "the") and reads the short lines inside it
(sub-headings, list items, a price) as part of it, while runs of short lines around it
(menus, "related" lists, footers) are not. This module describes a page that way:

1. every line gets features: length, share of function words (jusText's stoplists,
   maintained with jusText and installed with it), sentence-final punctuation, Title
   Case, digits/currency/time stamps, links, handles and e-mail, a truncated "…" teaser;
2. from them a class as in jusText (Pomikálek 2011): *good* (long prose), *near-good*,
   *short*, or *bad* (links, one-line menus, site vocabulary);
3. good lines with small gaps between them form the text blocks, each widened by the
   headline and lede just above it and the short sentences just below; the block with
   the most text is the main one, and the headline is looked for above it;
4. hand-written verdicts from that structure: inside a block only clearly bad lines,
   outside it runs of short lines (menus, footers) and the teaser headlines under a
   "related" heading wherever they stand.

:func:`mtsum.clean.decide.decide` then lets the learned model (:mod:`mtsum.clean.line_model`)
weigh all of it with the line's context. This module depends on neither.

Hand-written because jusText works on an HTML tree, not on the lines mtsum gets, and
its fixed thresholds drop the short lines inside an article (sub-headings, list items).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from mtsum.clean.recurring import Kept
from mtsum.clean.words import site_vocabulary, stopwords

__all__ = ["Analysis", "Block", "LineFeatures", "analyse", "features", "reads_as_text"]

# Thresholds, in characters and shares of words. Prose in sv/de/en has 0.3-0.5 of its
# words on the stoplists; menus, names and product lists have almost none.
GOOD_CHARS = 100
NEARGOOD_CHARS = 50
STOP_GOOD = 0.25
STOP_NEARGOOD = 0.15
# A line this long in words that reads as prose is never dropped by the classifier.
PROSE_WORDS = 12
# Good lines this close (in short lines; a bad line counts twice) are one stretch of text.
MAX_GAP = 8
# A line this short (in words) with one word of site vocabulary is site furniture.
FURNITURE_WORDS = 8
# Short lines outside the text go when they come in a run at least this long.
MIN_RUN = 3
# A text with fewer short lines than this share is an article already, not a scrape.
ARTICLE_SHORT_SHARE = 0.5
# A teaser headline in a "related" list has at most this many words.
LIST_ITEM_WORDS = 14
# Inside the text, a line needs this many site-vocabulary words to go (a paywall or
# newsletter box between paragraphs); an article about cookies has one or two.
FURNITURE_INSIDE = 3
# Lines above a stretch of text that may belong to it (headline, standfirst, lede).
EXTEND_BEFORE = 3

_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
# What may close a sentence after its full stop: quotes and brackets.
_CLOSERS = "\"”»“’')]"
_TEASER_END = re.compile(r"(?:\.\.\.|…)\s*(?:\[?mehr\]?|\[?more\]?|\[?mer\]?|»|›|>)?$", re.IGNORECASE)
# The look-behind starts an address only at the start of a run of characters, so a
# long line without spaces costs linear, not quadratic, time.
_LINK = re.compile(r"https?://\S+|www\.\S+|(?<![\w.+-])[\w.+-]+@[\w-]+\.\w{2,}|(?<!\w)[@#]\w+")
_SEPARATORS = re.compile(r"\s[|·•»›/]\s|\s[|·•]|[|·•]\s")
_SEPARATOR_CHARS = re.compile(r"[|·•»›/]")
_DIGIT_OR_CURRENCY = re.compile(r"[\d€$£%]")
_first = operator.itemgetter(0)


# Not frozen: one is made per line of every page, and a frozen dataclass's __init__
# costs five times as much (object.__setattr__ per field).
@dataclass(slots=True)
class LineFeatures:
    """What the classifier sees of one line."""

    chars: int
    words: int
    stop_share: float
    sentence_end: bool
    teaser: bool
    link_share: float
    digit_share: float
    title_case: float
    separators: int
    furniture: int

    @property
    def prose(self) -> bool:
        """Long, sentence-shaped, with function words: article text, never dropped."""
        return self.words >= PROSE_WORDS and self.stop_share >= STOP_GOOD and self.sentence_end and not self.teaser


@dataclass(frozen=True)
class Block:
    """The main text block, ``start`` to ``end`` inclusive (input indices)."""

    start: int
    end: int


def features(
    text: str, stop: frozenset[str], english: frozenset[str], furniture: re.Pattern[str]
) -> LineFeatures:
    """The features of one normalized line.

    *stop* is the language's stoplist; *english* is English's, since pages mix in English
    quotes and widgets: the higher share counts. *furniture* finds website vocabulary.
    """
    words = _WORD.findall(text)
    n = len(words)
    low = text.lower()
    # The substring test skips the link pattern on the many lines without a link.
    maybe_link = "@" in text or "#" in text or "http" in low or "www." in low
    link_chars = sum(len(m) for m in _LINK.findall(text)) if maybe_link else 0
    # Cheap character tests first: most lines have no digit and no separator.
    digit_share = _digit_share(text) if _DIGIT_OR_CURRENCY.search(text) else 0.0
    lower = " ".join(words).lower().split(" ") if n else []
    # Positional: LineFeatures' field order. Keyword arguments cost a third more, per line.
    return LineFeatures(
        len(text),
        n,
        _stop_share(lower, stop, english),
        # String methods, not a pattern searched from every position: the same answer
        # in a tenth of the time, on every line of every page.
        text.rstrip(_CLOSERS).endswith((".", "!", "?")),
        ("..." in text or "…" in text) and bool(_TEASER_END.search(text)),
        link_chars / len(text) if text else 0.0,
        digit_share,
        sum(map(str.isupper, map(_first, words))) / n if n else 0.0,
        len(_SEPARATORS.findall(text)) if _SEPARATOR_CHARS.search(text) else 0,
        len(furniture.findall(low)),
    )


# Kept per language, as a line's features depend on its text and language alone
# (mtsum.clean.recurring); weighed by the text's characters and 64 for the features. Not
# functools.lru_cache: its key would hold the compiled vocabulary pattern, whose hash
# hashes all its code.
_SEEN_MAX = 4_000_000
_seen: dict[str, Kept[LineFeatures]] = {}


def _page_features(texts: Sequence[str], language: str, gone: Collection[int]) -> list[LineFeatures | None]:
    stop, english, furniture = stopwords(language), stopwords("en"), site_vocabulary(language)
    kept = _seen.get(language)
    if kept is None:
        kept = _seen[language] = Kept(_SEEN_MAX)
    known = kept.values
    out: list[LineFeatures | None] = []
    for i, text in enumerate(texts):
        if i in gone:
            out.append(None)
        elif (f := known.get(text)) is not None:
            out.append(f)
        else:
            out.append(kept.add(text, features(text, stop, english, furniture), len(text) + 64))
    return out


def _digit_share(text: str) -> float:
    """The share of *text*'s tokens (runs of non-space characters) that hold a digit or
    a currency sign: dates, times, prices, counters. *text* holds one, so it has a token.

    One search per token: a pattern finding such tokens (a look-behind for the space
    before each) is tried at every position of the line, and cost twice as much.
    """
    tokens = text.split()
    return sum(map(bool, map(_DIGIT_OR_CURRENCY.search, tokens))) / len(tokens)


def _stop_share(lower: list[str], stop: frozenset[str], english: frozenset[str]) -> float:
    if not lower:
        return 0.0
    own = sum(map(stop.__contains__, lower))
    other = sum(map(english.__contains__, lower)) if english is not stop else 0
    return max(own, other) / len(lower)


def _line_class(f: LineFeatures) -> tuple[str, str | None]:
    """(class, the feature that made it bad)."""
    if f.link_share > 0.5:
        return "bad", "link"
    if f.furniture and not f.prose and (f.words <= FURNITURE_WORDS or f.furniture > 1):
        return "bad", "site-furniture"
    if f.separators >= 2 and f.stop_share < STOP_NEARGOOD:
        return "bad", "menu-row"
    if f.teaser:
        return "short", "teaser"
    if f.chars >= GOOD_CHARS and f.stop_share >= STOP_GOOD:
        return ("neargood" if f.furniture > 1 else "good"), None
    if f.chars >= NEARGOOD_CHARS and f.stop_share >= STOP_NEARGOOD:
        return "neargood", None
    if f.chars >= GOOD_CHARS:
        return "short", "no-function-words"
    return "short", None


def _clusters(classes: list[str], feats: list[LineFeatures | None]) -> list[tuple[int, int, int]]:
    """Runs of good lines whose gaps are small: (first, last, characters of good text)."""
    out: list[tuple[int, int, int]] = []
    gap = 0.0
    for i, cls in enumerate(classes):
        if cls == "good":
            f = feats[i]
            size = f.chars if f else 0
            if out and gap <= MAX_GAP:
                first, _, mass = out[-1]
                out[-1] = (first, i, mass + size)
            else:
                out.append((i, i, size))
            gap = 0.0
        elif cls == "bad":
            gap += 2
        elif cls == "short":
            f = feats[i]
            gap += 0.5 if f and f.sentence_end else 1
    return out


@dataclass
class Analysis:
    """What the structure pass found on a page, for the learned model to weigh."""

    feats: list[LineFeatures | None]
    classes: list[str]
    drops: dict[int, str]  # the hand-written verdicts: strong evidence, not the decision
    block: Block | None
    inside: list[bool]
    runs: list[int]
    extracted: bool
    related: frozenset[int]


def analyse(
    texts: Sequence[str], language: str, removed: Sequence[int], list_headings: Sequence[int] = ()
) -> Analysis:
    """Features, jusText classes, text blocks and the hand-written verdicts of a page."""
    feats = _page_features(texts, language, set(removed))
    classes: list[str] = []
    bad_feature: dict[int, str] = {}
    for i, f in enumerate(feats):
        if f is None:
            classes.append("removed")
            continue
        cls, why = _line_class(f)
        classes.append(cls)
        if why:
            bad_feature[i] = why

    drops: dict[int, str] = {}
    for h in list_headings:
        for i in _list_under(h, feats):
            drops[i] = "classifier:related-list"
    related = frozenset(drops)
    line_classes = [("removed" if i in related else c) for i, c in enumerate(classes)]
    clusters = _clusters(line_classes, feats)
    inside = [False] * len(texts)
    if not clusters:
        return Analysis(feats, classes, drops, None, inside, [0] * len(texts), False, related)
    main = max(clusters, key=lambda c: c[2])
    block = Block(_extend_before(main[0], line_classes, feats), _extend_after(main[1], line_classes, feats))
    for first, last, _ in clusters:
        first = _extend_before(first, line_classes, feats)
        last = _extend_after(last, line_classes, feats)
        for i in range(first, last + 1):
            inside[i] = True
    outside = [
        f is not None and not inside[i] and not (f.prose and f.furniture < 2) for i, f in enumerate(feats)
    ]
    runs = _run_lengths(outside, feats)
    # Mostly prose already (an extracted article, a pasted text): its short lines are
    # its own headings and lists, so only clearly bad lines go. Lines the rules
    # removed count as short: they were page furniture.
    extracted = sum(c in ("short", "bad", "removed") for c in line_classes) < ARTICLE_SHORT_SHARE * len(classes)
    for i, f in enumerate(feats):
        if f is None or i in drops:
            continue
        if inside[i]:
            if classes[i] == "bad":
                drops[i] = f"classifier:{bad_feature[i]}"
            elif f.furniture >= FURNITURE_INSIDE:
                # A verdict of its own, not "site-furniture": it judges text that reads
                # as a sentence (a paywall box, or an article about accounts and
                # passwords), and training decides apart whether it may overrule the model.
                drops[i] = "classifier:furniture-prose"
        elif outside[i] and not extracted and (classes[i] == "bad" or runs[i] >= MIN_RUN):
            drops[i] = f"classifier:{bad_feature.get(i, 'short-run')}"
        elif outside[i] and classes[i] == "bad" and bad_feature[i] in _ALWAYS_BAD:
            drops[i] = f"classifier:{bad_feature.get(i, 'short-run')}"
    return Analysis(feats, classes, drops, block, inside, runs, extracted, related)


def _list_under(heading: int, feats: list[LineFeatures | None]) -> list[int]:
    # Teaser headlines: short, no full stop, no site vocabulary needed.
    out = []
    for i in range(heading + 1, len(feats)):
        f = feats[i]
        if f is None:
            if out:
                break
            continue
        if f.prose or (f.sentence_end and f.words > 3) or f.words > LIST_ITEM_WORDS:
            break
        out.append(i)
    return out


def reads_as_text(f: LineFeatures) -> bool:
    """Whether a line reads as running text: prose, a sentence with function words, or a
    long line of them."""
    sentence = f.sentence_end and f.words >= 4 and f.stop_share >= STOP_NEARGOOD
    return (f.prose and f.furniture < 2) or sentence or _line_class(f)[0] in ("good", "neargood")


# Features that are boilerplate wherever they turn up.
_ALWAYS_BAD = frozenset({"link", "site-furniture", "menu-row"})


def _run_lengths(flags: list[bool], feats: list[LineFeatures | None]) -> list[int]:
    # Length of the run of flagged lines each line is in; removed lines neither break
    # nor lengthen a run (a menu with an "Annons" in it is still one menu).
    out = [0] * len(flags)
    run: list[int] = []
    for i in [*range(len(flags)), None]:
        if i is not None and feats[i] is None:
            continue
        if i is not None and flags[i]:
            run.append(i)
            continue
        for j in run:
            out[j] = len(run)
        run = []
    return out


def _extend_before(first: int, classes: list[str], feats: list[LineFeatures | None]) -> int:
    # A headline, a standfirst and a lede sit just above the first long paragraph; a
    # menu entry (one or two words without function words) ends the walk.
    taken = 0
    i = first - 1
    while i >= 0 and taken < EXTEND_BEFORE:
        f = feats[i]
        if f is None:
            i -= 1
            continue
        # One or two words, or a few in Title Case, without a function word.
        menu_like = (f.words <= 2 or (f.words <= 4 and f.title_case == 1.0)) and f.stop_share == 0
        if menu_like and not f.sentence_end:
            break
        if classes[i] == "bad" or f.teaser or f.furniture or f.digit_share > 0.5:
            break
        first = i
        taken += 1
        i -= 1
    return first


def _extend_after(last: int, classes: list[str], feats: list[LineFeatures | None]) -> int:
    # Short sentences right after the text ("Det blev ja.") end the article, not a menu.
    i = last + 1
    while i < len(classes):
        f = feats[i]
        if f is None:
            i += 1
            continue
        if (
            classes[i] in ("short", "neargood")
            and f.sentence_end
            and f.stop_share > 0
            and not f.teaser
            and not f.furniture
            and f.digit_share <= 0.5  # a comment's time stamp is not a sentence
        ):
            last = i
            i += 1
            continue
        break
    return last
