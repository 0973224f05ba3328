"""Repeated paragraphs: exact, near (word shingles) and contained copies of earlier ones.

A page repeats its paragraphs (a teaser above the text, a pull quote, a syndicated copy
with a credit appended); :func:`mark_duplicates` drops every repeat of an earlier
paragraph, naming the earlier one, but for a headline's decorated copies: a first line
that is a later one with the site's name ("Headline | Site", a page's ``<title>`` saved
with it) goes instead of the headline under it (rule ``site_title``), and so does a
line just above its bare copy that adds a breadcrumb or a section label ("Home › News ›
Headline", "Opinion|Headline"; rule ``decorated_copy``). Fingerprints are kept for lines seen before
(:mod:`mtsum.clean.recurring`).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Collection, Sequence

from mtsum.clean.recurring import Kept

__all__ = ["mark_duplicates", "repeat_key", "repeats"]

# Near-duplicate thresholds. A "credit" is what one paragraph adds to a copy of
# another ("… (dpa)", "Foto: X"); it must be short or the longer one says more.
_CREDIT_MAX_CHARS = 40
_CREDIT_MAX_WORDS = 6
_CONTAINED_MIN_WORDS = 5
_SHINGLE = 3
_SHINGLE_MIN_WORDS = 8
_JACCARD = 0.8
_MAX_CANDIDATES = 16
_MAX_HOLDERS = 16
# Paragraphs' duplicate fingerprints (mtsum.clean.recurring), weighed by their words and
# one: some 100 bytes a word with its shingle.
_FINGERPRINT_WORDS_MAX = 100_000
_fingerprints: Kept[tuple[str, tuple[str, ...], frozenset[tuple[str, ...]]]] = Kept(_FINGERPRINT_WORDS_MAX)
_WORD = re.compile(r"\w+")


def mark_duplicates(texts: list[str], removed: Collection[int], drop: Callable[..., None],
                    keep_longer: bool = False) -> None:
    """Drop repeats of earlier paragraphs: exact, near (shingles) and contained ones.

    *keep_longer* (an extractor's paragraphs) keeps a later paragraph that holds an
    earlier one after words of its own ("My Top 10 Women Talking Sports" under the
    headline "Top 10 Women Talking Sports"): the extractor chose it as text, and dropping
    it would lose those words. A repeat with a credit after it ("… (dpa)") still goes. In
    a whole flattened page a longer repeat is mostly furniture (a teaser's headline
    repeated with its kicker), so there it goes.
    """
    first: dict[str, int] = {}
    seen: dict[int, tuple[str, tuple[str, ...], frozenset[tuple[str, ...]]]] = {}
    # Shingle -> earlier paragraphs holding it: a near or contained duplicate (five
    # words or more) shares at least one shingle, so only those are compared; pages
    # of thousands of lines would otherwise cost quadratic time. The first holder is
    # kept apart from the rest: most shingles have one, and a list made for each
    # shingle of every line cost more than the search.
    first_holder: dict[tuple[str, ...], int] = {}
    more_holders: dict[tuple[str, ...], list[int]] = {}
    for i, text in enumerate(texts):
        if i in removed:
            continue
        key, words, shingles = _fingerprint(text)
        if key in first:
            drop(i, "duplicate", "exact_duplicate", first[key])
            continue
        if len(words) < _CONTAINED_MIN_WORDS:  # too short to be a near copy or to have one
            first[key] = i
            continue
        # Only the earlier lines sharing the most shingles are compared (in page order),
        # and shingles on very many lines (a phrase repeated all over the page) are not
        # counted: a copy shares nearly all its shingles, rare ones included, and on a
        # page of thousands of lines in a small vocabulary the search would be quadratic.
        common = shingles & first_holder.keys()  # most lines share none: no Python loop for them
        held = [h for sh in common
                if len(h := [first_holder[sh], *more_holders.get(sh, ())]) <= _MAX_HOLDERS]
        shared = Counter(j for h in held for j in h) if held else {}
        if len(shared) > _MAX_CANDIDATES:
            shared = dict(shared.most_common(_MAX_CANDIDATES))
        candidates = [j for j in sorted(shared) if j in seen]
        for j in candidates:
            other_key, other_words, other_shingles = seen[j]
            rule = _near_duplicate(key, words, shingles, other_key, other_words, other_shingles, keep_longer)
            instead = None  # the earlier line goes instead of this one
            if rule and j < _TITLE_LINES and _site_title(texts[j], text):
                # The page's first line is this one with the site's name: its <title>, saved
                # with the page. The headline is the line without it, so the <title> goes.
                instead = "site_title"
            elif rule == "contained_duplicate" and _just_above(texts, j, i) and _decorated(texts[j], text):
                # "Home › News › Headline" or "Section|Headline" just above the bare headline:
                # the bare copy is the headline, the decorated one goes.
                instead = "decorated_copy"
            if instead:
                drop(j, "duplicate", instead, i)
                del seen[j]
                first[other_key] = i
                rule = None
            if rule:
                drop(i, "duplicate", rule, j)
                break
        else:
            first[key] = i
            seen[i] = (key, words, shingles)
            for sh in common:
                more_holders.setdefault(sh, []).append(i)
            first_holder.update(dict.fromkeys(shingles - common, i))


def repeats(texts: Sequence[str], indices: Sequence[int], key: Callable[[str], str]) -> list[int | None]:
    """For each of *texts* (at input positions *indices*), the position of the first
    earlier one with the same *key*, else None: the identical paragraphs a translation
    keeps and ``--dedupe`` leaves out of its output."""
    first: dict[str, int] = {}
    out: list[int | None] = []
    for i, text in zip(indices, texts):
        k = key(text)
        out.append(first.get(k))
        first.setdefault(k, i)
    return out


def _near_duplicate(
    a: str,
    a_words: Sequence[str],
    a_sh: frozenset[tuple[str, ...]],
    b: str,
    b_words: Sequence[str],
    b_sh: frozenset[tuple[str, ...]],
    keep_longer: bool = False,
) -> str | None:
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    short_words = min(len(a_words), len(b_words))
    # *a* is the later paragraph; with keep_longer it stays where it has words before the earlier one's.
    own_words_first = keep_longer and len(a) > len(b) and not a.startswith(b)
    if short_words >= _CONTAINED_MIN_WORDS and short in long_ and not own_words_first:
        extra = long_.replace(short, "", 1)
        if len(extra.strip()) <= _CREDIT_MAX_CHARS and len(_WORD.findall(extra)) <= _CREDIT_MAX_WORDS:
            return "contained_duplicate"
    if short_words >= _SHINGLE_MIN_WORDS and a_sh and b_sh:
        small, large = sorted((len(a_sh), len(b_sh)))
        # The Jaccard index is at most small / large, so most pairs need no intersection;
        # and the union's size follows from the intersection's, without building it.
        if small / large >= _JACCARD:
            common = len(a_sh & b_sh)
            if common / (small + large - common) >= _JACCARD:
                return "near_duplicate"
    return None


# A page saved with its <head> starts with its <title>: "Headline | Site".
_TITLE_LINES = 3
# "Headline | Site", "Site – Headline": a site's name (one to six words) set off by a
# separator. Not a slash or a colon: "Zitat / Headline" and "Kicker: Headline" are
# headlines of their own.
_SITE_SEPARATOR = r"\s[|–—·»-]{1,2}\s"
_SITE_NAME = r"[^|–—·»]{1,40}"


def _site_title(longer: str, line: str) -> bool:
    """*longer* is *line* with a site's name before or after it, set off by a separator."""
    if len(longer) <= len(line):
        return False
    if longer.startswith(line):  # "Headline | Site", "Headline - Section - Site"
        return re.fullmatch(f"(?:{_SITE_SEPARATOR}{_SITE_NAME}){{1,3}}", longer[len(line):]) is not None
    if longer.endswith(line):
        return re.fullmatch(f"(?:{_SITE_NAME}{_SITE_SEPARATOR}){{1,3}}", longer[: -len(line)]) is not None
    return False


# A decorated copy stands this few lines above the bare one, with no paragraph of text
# between (a breadcrumb ending in the headline over the headline; a teaser further down
# the page is another matter).
_DECORATED_REACH = 5
_PARAGRAPH_WORDS = 12
# What may end a decoration glued to the headline ("Opinion|", "News›", "1/3"), and what
# sets a site's name off after it.
_SEPARATOR_END = re.compile(r"[|>»›/:·•–—-]")
# What sets a kicker off from its headline ("Brückenstreit: …", "„Endlich“ / …"), which
# makes the longer line a headline of its own rather than a decorated copy.
_KICKER_END = re.compile(r"(?:\w[\"”“'’]?:|^[^/]+\s/)$")


def _just_above(texts: Sequence[str], j: int, i: int) -> bool:
    """Line *j* stands just above line *i*: a few lines, none of them a paragraph."""
    return i - j <= _DECORATED_REACH and all(len(texts[k].split()) < _PARAGRAPH_WORDS for k in range(j + 1, i))


def _decorated(longer: str, line: str) -> bool:
    """*longer* is *line* with words on one side that decorate it: a breadcrumb or a section
    label before it ("Home News Headline", "Opinion|Headline"), a site's name after a
    separator ("Headline | CBC News"); not a kicker set off by a colon or one slash, words
    that go on ("Headline (dpa)", "… Review by Jane Doe"), or the rest of a word (*line* a
    teaser cut short, "MSV-" before "Interimstrainer")."""
    at = longer.find(line)
    if at < 0 or len(longer) <= len(line):
        return False  # a copy only under NFKC or case folding ("Die Schweiz ist ein …", "Ein …")
    before, after = longer[:at], longer[at + len(line) :]
    if before.strip() and after.strip():
        return False
    if after.strip():  # a site's name after a separator ("Headline | Site"), not words that go on
        return _SEPARATOR_END.match(after.lstrip()) is not None
    if not before:
        return False
    glued = before[-1]
    separated = glued.isspace() or (glued != "-" and _SEPARATOR_END.match(glued) is not None)
    # Links run together ("HomeNewsTo combat …"): a small letter or digit, then a capital.
    run_together = glued.isalnum() and not glued.isupper() and line[0].isupper()
    if not (separated or run_together):
        return False  # "MSV-Interimstrainer": a word's own start
    return _KICKER_END.search(before.strip()) is None


def repeat_key(text: str) -> str:
    # Comparison only: compatibility forms and case must not hide a repeat.
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return text.casefold()


def _fingerprint(text: str) -> tuple[str, tuple[str, ...], frozenset[tuple[str, ...]]]:
    """*text* as the duplicate search compares it: its key, the key's words and their
    shingles; no words for a line too short to hold five (menus, labels)."""
    if (known := _fingerprints.values.get(text)) is not None:
        return known
    made = _fingerprint_of(text)
    return _fingerprints.add(text, made, len(made[1]) + 1)


def _fingerprint_of(text: str) -> tuple[str, tuple[str, ...], frozenset[tuple[str, ...]]]:
    key = repeat_key(text)
    # Words are \w+ runs ("52-09-W" is three): a cheaper count (spaces) changed which
    # lines the line model was trained on, so only lines too short to hold five words skip it.
    words = tuple(_WORD.findall(key)) if len(key) >= 2 * _CONTAINED_MIN_WORDS - 1 else ()
    if len(words) < _CONTAINED_MIN_WORDS:
        return key, (), frozenset()
    return key, words, frozenset(zip(*(words[k:] for k in range(_SHINGLE))))
