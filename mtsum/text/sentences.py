"""Sentence boundaries: one linear scan with per-language abbreviation and starter lists.

Why hand-written: ``make eval-segment`` compares the libraries made for the job on
pySBD's golden rules and on our own news corpus (tests/data/sentences_*.tsv). pySBD is
the most accurate of them but has no Swedish, splits quoted speech, and is not linear:
at most 0.15 MB/s on short paragraphs, about 0.01 MB/s on a 100 KB one (we need 0.5);
syntok (no Swedish) and sentence-splitter (Moses rules) miss a quarter to a third of
the cases and are below 0.5 MB/s on long paragraphs as well.
None fits, so the decision at each candidate boundary is ours: it looks at the word
before the full stop (abbreviation? ordinal? initial?) and the word after it (lower
case? a word that starts sentences?), the way pySBD's rules do, in one pass.

The word lists for German, English and Swedish are ours (tuned on the corpus);
other languages use the Moses non-breaking-prefix lists that ship with
sentence-splitter, with Moses's own rule: never break after a listed prefix.
"""

from __future__ import annotations

import functools
import re
from importlib import resources

from mtsum.text import _sentence_words as words

# Longest stretch kept together by an open quote; an unbalanced stray quote must not
# glue a whole paragraph into one sentence.
MAX_QUOTE_CHARS = 800

# A candidate end: a spaced ellipsis (". . .") or a run of terminal punctuation and
# closing quotes/brackets, followed by whitespace or the end of the line. Matches start
# only where a run starts, and "(?=(X))\N" consumes a run whole without backtracking
# into it: a long run of dots must cost linear, not quadratic, time.
_CLOSING = """”“"»«’')]"""
_RUN = r"""[.!?…”“"»«’')\]]"""
_END = re.compile(
    rf"""{_RUN}(?<!{_RUN}.)"""  # first character of a run (starting with a character class is fast)
    rf"""(?:(?<=\.)(?<!\.[ ]\.)(?=((?:[ ]\.){{2,}}[”“"»«’')\]]*))\1"""
    rf"""|(?:(?<=[.!?…])|(?=[”“"»«’')\]]*[.!?…]))(?=({_RUN}*))\2)(?=\s|$)"""
)
# Quote characters in reading order; ",," is the typewriter form of „.
_QUOTE = re.compile(r""",,|[„“”"»«]""")
# What a quote opened by the key may be closed by (Swedish ”…” and »…», German „…“ and »…«).
_CLOSERS = {"„": "“”", ",,": "“”", "“": "”“", "»": "«»", "«": "»«", '"': '"', "”": "”"}
# The start of the next sentence: optional openers (quotes, dialogue dash), then a word.
_NEXT = re.compile(r"""\s*(?P<lead>,,|[„“”"»«‘'(\[–—•⁃-]*)\s?(?P<word>[^\W_][\w’'-]*)?""")
_DOTTED = re.compile(r"(?:[^\W\d_]{1,4}\.)+[^\W\d_]{1,4}")  # U.S, bl.a, d.v.s, z.B
_SPACED = re.compile(r"(?:(?<=[\s(„“\"»])|^)((?:[^\W\d_]{1,2}\.\s){1,2})$")  # "z. " of "z. B."
_ROMAN = re.compile(r"[IVXLC]{2,}")
_ORDINAL = re.compile(r"\d{1,3}|\d{1,2}\.\d{1,2}")  # "3", "30.12" (German dates before a month)
_NUMBER = re.compile(r"[$€£]?\d[\d.,:]*")
_MARKER_ONLY = re.compile(r"[•⁃]?\s*(?:\d{1,3}|[^\W\d_]|[ivxIVX]{1,4})[.)]*")
_LIST_START = re.compile(r"\s*(?P<bullet>[•⁃]\s*)?(?P<value>\d{1,2}|[a-z])(?P<punct>\.\)|\)|\.)\s")


@functools.lru_cache(maxsize=32)
def _rules(language: str) -> words.Rules:
    rules = words.RULES.get(language)
    if rules is not None:
        return rules
    moses = {"nb": "no", "nn": "no"}.get(language, language)
    try:
        listing = resources.files("sentence_splitter").joinpath("non_breaking_prefixes", f"{moses}.txt")
        lines = listing.read_text(encoding="utf-8").splitlines()
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        return words.RULES["en"]
    prefixes = {line.split("#")[0].strip().lower() for line in lines}
    return words.Rules(language=language, general=frozenset(prefixes - {""}))


def split(text: str, language: str) -> list[str]:
    """Split ``text`` into sentences; every line break ends a sentence.

    Joining the result with spaces gives back ``text`` up to whitespace.
    """
    rules = _rules(language)
    out: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if line:
            cuts = _boundaries(line, rules)
            out.extend(piece for a, b in zip([0, *cuts], [*cuts, len(line)]) if (piece := line[a:b].strip()))
    return out


def _boundaries(text: str, rules: words.Rules) -> list[int]:
    items = _list_items(text, rules)
    cuts = set(items)
    ii = 0
    quotes = [(m.start(), m.group()) for m in _QUOTE.finditer(text)]
    qi = 0
    stack: list[str] = []
    opened_at = 0
    held: list[int] = []  # boundaries inside the open quote, kept back until it closes
    last = 0
    for end in _END.finditer(text):
        pos = end.end()
        while ii < len(items) and items[ii] <= end.start():
            last = max(last, items[ii])
            ii += 1
        while qi < len(quotes) and quotes[qi][0] < pos:
            qpos, q = quotes[qi]
            qi += 1
            if stack and q in _CLOSERS[stack[-1]]:
                stack.pop()
                if not stack:
                    held.clear()
            elif q in _CLOSERS and len(stack) < 4:
                if not stack:
                    opened_at = qpos
                stack.append(q)
        if stack and pos - opened_at > MAX_QUOTE_CHARS:
            stack.clear()  # a stray quote: the boundaries it held are real
            cuts.update(held)
            held.clear()
        cut = _cut(text, end, last, rules)
        if cut is None:
            continue
        if stack:
            held.append(cut)
        else:
            cuts.add(cut)
            last = cut
    cuts.update(held)  # a quote still open at the end of the paragraph was never closing
    return sorted(c for c in cuts if 0 < c < len(text))


def _cut(text: str, end: re.Match[str], last: int, rules: words.Rules) -> int | None:
    """Where the candidate ``end`` ends a sentence, or None."""
    pos = end.end()
    nxt = _NEXT.match(text, pos) if pos < len(text) else None
    if nxt is None:
        return None
    lead, word = nxt.group("lead"), nxt.group("word")
    if word is None or lead == ",," or "[" in lead or word[0].islower():
        return None
    mark = end.group().lstrip(_CLOSING)  # a quote closed before the full stop: ”chockad”.
    start = pos - len(mark)
    ws = _word_start(text, start)
    before = text[ws:start].lstrip("„“”\"»«‘'([-–")
    if start - last < 12 and _MARKER_ONLY.fullmatch(text[last:start].strip() + mark.rstrip()):
        return None  # "1." / "• 3." / "a)" alone is an enumeration item's number, not a sentence
    if mark.startswith(". ") or (mark.startswith(("..", "…")) and not before):
        # Spaced or free-standing ellipses mark an omission; only a fourth dot ends the
        # sentence, and in "compounds. . . . The" the first dot does: the omission opens the next.
        if word[0].isdigit() or mark.count(".") < 4:
            return None
        return start + 1 if before and mark.startswith(". ") else pos
    if mark[0] in "!?…" or mark.startswith(".."):
        return pos
    if word[0].isdigit():
        return pos if _before_number(before, rules) else None
    return pos if _before_capital(text, ws, before, word, rules) else None


def _before_number(before: str, rules: words.Rules) -> bool:
    key = before.lower()
    if not before or _NUMBER.fullmatch(before):
        return not _ORDINAL.fullmatch(before)  # "am 1. 3." is a date; "2010. 15 Menschen" two sentences
    return not (key in rules.all_abbreviations or _looks_abbreviated(before) or before.endswith("°"))


def _before_capital(text: str, ws: int, before: str, word: str, rules: words.Rules) -> bool:
    if not before:
        return True
    starter = word in rules.starters
    if before[0].isdigit() or before[0] in "$€£":
        if rules.ordinals and _ORDINAL.fullmatch(before) and not _names_a_number(_previous(text, ws), rules):
            # German ordinals precede capitalised nouns ("der 2. Weltkrieg", "am 3. Oktober");
            # a sentence ending in a small number is followed by an article or pronoun.
            return starter and word.lower() not in rules.months
        return word.lower() not in rules.months
    if rules.initials_follow_names and len(before) == 1 and before.isupper():
        # Swedish writes names in full: "på X. Flaggorna" ends a sentence, "Carl G. Svensson" does not.
        previous = _previous(text, ws)
        return not previous[:1].isupper() or starter
    key = before.lower()
    if len(before) > 4 and before.isalpha() and key not in rules.all_abbreviations:
        return True  # most candidates: an ordinary word
    spaced = _SPACED.search(text, max(0, ws - 12), ws) if len(before) <= 4 else None
    if spaced:
        joined = (spaced.group(1) + before).replace(" ", "").lower()
        if joined in rules.nonfinal:
            return False
        if joined in rules.final:
            return True
        if before.isalpha() and len(before) <= 2:
            return starter  # the last part of "i. d. R." or an initial
    if key in rules.titles or key in rules.nonfinal:
        return False
    if key in rules.final:
        return True
    if key in rules.general or _looks_abbreviated(before):
        return starter
    return True


def _word_start(text: str, end: int) -> int:
    """Start of the word that ends at ``end``; only the last 64 characters are looked at,
    which keeps the scan linear (a longer "word" is no abbreviation anyway)."""
    start = max(0, end - 64)
    word = text[text.rfind(" ", start, end) + 1 : end]
    if not word.isprintable():  # a tab or a no-break space: rare, so the slow way
        word = text[start:end].rsplit(None, 1)[-1] if text[start:end].strip() else ""
        if end and text[end - 1].isspace():
            word = ""
    return end - len(word)


def _previous(text: str, ws: int) -> str:
    """The word before the one starting at ``ws``."""
    end = ws
    while end > 0 and text[end - 1].isspace():
        end -= 1
    return text[_word_start(text, end) : end]


def _names_a_number(previous: str, rules: words.Rules) -> bool:
    """A capitalised noun before a number takes a cardinal: "Platz 3.", "Artikel 5." (not "Am 3.")."""
    return previous[:1].isupper() and previous not in rules.starters


def _looks_abbreviated(word: str) -> bool:
    """An initial ("E."), a dotted form ("U.S.", "a.m.") or a Roman numeral ("II.")."""
    return (len(word) == 1 and word.isalpha()) or bool(_DOTTED.fullmatch(word) or _ROMAN.fullmatch(word))


def _list_items(text: str, rules: words.Rules) -> list[int]:
    """Starts of the items of an enumeration that opens the text ("1.) a 2.) b", "a. x b. y")."""
    first = _LIST_START.match(text)
    if not first:
        return []
    bullet, value, punct = first.group("bullet"), first.group("value"), first.group("punct")
    if punct == "." and not bullet and not (rules.dot_lists and (value.isdigit() or rules.letter_lists)):
        return []
    cuts: list[int] = []
    pos = first.end()
    while True:
        value = str(int(value) + 1) if value.isdigit() else chr(ord(value) + 1)
        marker = (r"[•⁃]\s*" if bullet else "") + re.escape(value + punct)
        found = re.compile(rf"\s({marker})\s").search(text, pos)
        if not found:
            return cuts
        cuts.append(found.start(1))
        pos = found.end(1)
