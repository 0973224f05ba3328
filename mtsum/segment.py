"""Paragraphs and sentences: the units that go to the translation model.

MarianMT is a sentence-level model with a 512-token input limit, so a paragraph is
split into sentences, an over-long sentence into token-bounded pieces, and the
translations are joined back in order. Nothing is ever dropped: joining the pieces
of a paragraph with spaces gives back its text (up to whitespace).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

# A line this long or longer, among similar lines, is taken as wrapped at a width.
_MIN_WRAP_WIDTH = 30
_TERMINAL = tuple('.!?:;"”»“\')')
_SPLITTER_LANGUAGES = {"sv", "de", "en", "da", "nb", "nn", "nl", "fr", "es", "it", "pt", "pl", "fi"}
# Abbreviations the Moses prefix lists lack; #NUMERIC_ONLY# means "only before a number".
_EXTRA_PREFIXES = {
    "sv": "jan feb febr mars apr jun jul aug sep sept okt nov dec kl ca #NUMERIC_ONLY#\n"
          "Kl Ca bl t ex s k d v s p g a",
    "de": "Jan Feb Mär Apr Jun Jul Aug Sep Sept Okt Nov Dez Nr Abs Art Bd Bsp ca Ca Hrsg "
          "Mio Mrd Prof Str usw vgl Vgl z B d h u a o ä s o bzw ggf inkl evtl",
}
# Quote characters: opener -> closer. Swedish uses ” for both; the straight quote too.
_QUOTE_PAIRS = {"„": "“", "“": "”", "»": "«", "«": "»", "‚": "‘"}
_SYMMETRIC_QUOTES = {'"', "”"}
# Safety valve: an unbalanced stray quote must not glue a whole paragraph together.
_MAX_QUOTE_MERGE_CHARS = 800


# Every line boundary of str.splitlines: a paragraph separator and a form feed (a page
# break) end a paragraph; the others (U+2028, NEL, vertical tab, CR, file/group/record
# separators) end a line.
_LINE_BREAKS = {"\r\n": "\n", "\r": "\n", "\u2028": "\n", "\x85": "\n", "\v": "\n", "\x1c": "\n",
                "\x1d": "\n", "\x1e": "\n", "\u2029": "\n\n", "\f": "\n\n"}


def split_paragraphs(text: str) -> list[str]:
    """Split text into paragraphs.

    Blank lines separate paragraphs. A text without any blank line is one paragraph
    per line (the usual shape of scraped news). Inside a blank-line-separated block,
    hard-wrapped lines (wrapped mid-sentence at a fixed width) are reflowed into one
    paragraph; a block of short or ragged lines keeps one paragraph per line.
    """
    for old, new in _LINE_BREAKS.items():  # str.replace runs at C speed; translate() would not on non-ASCII text
        if old in text:
            text = text.replace(old, new)
    blocks = re.split(r"\n[ \t]*\n", text.strip("\n"))
    if len(blocks) == 1:
        return [_clean_line(line) for line in text.split("\n") if line.strip()]
    paragraphs: list[str] = []
    for block in blocks:
        block_lines = [_clean_line(line) for line in block.split("\n") if line.strip()]
        if not block_lines:
            continue
        if _is_hard_wrapped(block_lines):
            paragraphs.append(_reflow(block_lines))
        else:
            paragraphs.extend(block_lines)
    return paragraphs


def _clean_line(line: str) -> str:
    return re.sub(r"[ \t\u00a0]+", " ", line).strip()


def _is_hard_wrapped(lines: list[str]) -> bool:
    """Lines of similar width that mostly stop mid-sentence were wrapped by an editor."""
    if len(lines) < 2:
        return False
    body = lines[:-1]
    width = max(len(line) for line in lines)
    if width < _MIN_WRAP_WIDTH or min(len(line) for line in body) < 0.5 * width:
        return False
    open_ended = sum(not line.endswith(_TERMINAL) for line in body)
    return open_ended * 2 >= len(body)


def _reflow(lines: list[str]) -> str:
    out = lines[0]
    for line in lines[1:]:
        # "Ver-\nteidigung": a hyphen before a lower-case continuation was a line-break hyphen
        # only in old typesetting; compounds ("US-\nKongress") keep it, so keep it and don't add a space.
        if out.endswith("-") and not out.endswith(" -"):
            out += line
        else:
            out += " " + line
    return out


@functools.lru_cache(maxsize=16)
def _splitter(language: str):
    from sentence_splitter import SentenceSplitter

    splitter = SentenceSplitter(language=language)
    extra = _EXTRA_PREFIXES.get(language)
    if extra:
        # The library reads one prefix file; we add to its table rather than ship a
        # modified copy of the Moses lists. tests/test_segment.py guards this hook.
        table = splitter._SentenceSplitter__non_breaking_prefixes  # type: ignore[attr-defined]
        numeric = SentenceSplitter.PrefixType.NUMERIC_ONLY
        default = SentenceSplitter.PrefixType.DEFAULT
        for line in extra.splitlines():
            kind = numeric if "#NUMERIC_ONLY#" in line else default
            for prefix in line.replace("#NUMERIC_ONLY#", "").split():
                table.setdefault(prefix, kind)
    return splitter


def split_sentences(text: str, language: str) -> list[str]:
    """Split one paragraph into sentences with language-aware abbreviation rules.

    Dates (``Am 30. Dezember``), abbreviations (``z. B.``, ``bl.a.``, ``kl. 14.00``)
    and quoted speech spanning several sentences do not break a sentence.
    """
    text = text.strip()
    if not text:
        return []
    lang = language if language in _SPLITTER_LANGUAGES else "en"
    pieces = [p.strip() for p in _splitter(lang).split(text) if p.strip()]
    return [part for piece in _merge_open_quotes(pieces) for part in _split_at_quotes(piece)]


# The Moses rules neither end a sentence at a closing „…“ / ”…” quote nor before an
# opening ” (Swedish uses ” on both sides); split there when no quote is open.
_AT_QUOTE = re.compile(
    r"(?<=[.!?][“”\"»«])\s+(?=[–\"„“”»«]?[A-ZÅÄÖÆØÜ])|(?<=[.!?])\s+(?=[\"„“”»«]\s*[A-ZÅÄÖÆØÜ])"
)


def _split_at_quotes(text: str) -> list[str]:
    parts, start = [], 0
    for match in _AT_QUOTE.finditer(text):
        if not _quote_open(text[start:match.start()]):
            parts.append(text[start:match.start()])
            start = match.end()
    parts.append(text[start:])
    return parts


def _merge_open_quotes(sentences: list[str]) -> list[str]:
    merged: list[str] = []
    carry = ""
    for sentence in sentences:
        carry = f"{carry} {sentence}" if carry else sentence
        if _quote_open(carry) and len(carry) < _MAX_QUOTE_MERGE_CHARS:
            continue
        merged.append(carry)
        carry = ""
    if carry:
        merged.append(carry)
    return merged


def _quote_open(text: str) -> bool:
    stack: list[str] = []
    for ch in text:
        if stack and ch == stack[-1]:
            stack.pop()
        elif ch in _SYMMETRIC_QUOTES:
            stack.append(ch)
        elif ch in _QUOTE_PAIRS:
            stack.append(_QUOTE_PAIRS[ch])
    return bool(stack)


_WHOLE_COUNT_MAX_CHARS = 100_000


def split_long(text: str, count_tokens: Callable[[str], int], limit: int) -> list[str]:
    """Split ``text`` into pieces of at most ``limit`` tokens, at word boundaries.

    Prefers to cut after clause punctuation; a single word longer than the limit is
    cut between characters. Joining the pieces with spaces restores the text.

    Linear in the length of the text: each piece is found by a search over its own
    length that starts from the previous piece's size, so ``count_tokens`` sees only
    strings about as long as a piece, a few times each. (A 1 MB run without spaces
    used to be re-measured from its start for every piece cut off it: hours.)
    """
    # Counting a huge text whole would cost as much as cutting it; the search below
    # finds "it all fits" by itself, so only ordinary sentences take this shortcut.
    if len(text) < _WHOLE_COUNT_MAX_CHARS and count_tokens(text) <= limit:
        return [text]
    words = text.split()
    pieces: list[str] = []
    i, guess = 0, 2
    while i < len(words):
        if count_tokens(words[i]) > limit:
            pieces.extend(_split_word(words[i], count_tokens, limit))
            i += 1
            continue
        size = _longest_fit(lambda n, i=i: " ".join(words[i:i + n]), len(words) - i, count_tokens, limit, guess)
        cut = len(words) if i + size == len(words) else i + _clause_cut(words[i:i + size])
        pieces.append(" ".join(words[i:cut]))
        i, guess = cut, size
    return pieces


def _longest_fit(piece: Callable[[int], str], most: int, count_tokens: Callable[[str], int], limit: int,
                 guess: int) -> int:
    """A large n (1..most) with ``count_tokens(piece(n)) <= limit``; n = 1 is taken to fit.

    The answer is the largest such n, or one whose count is within ``limit // 32``
    of the limit (a piece need not be filled to the last token). Token counts grow
    about in proportion to n, so each probe aims just under the limit at the rate
    measured so far (one or two probes per piece when the text is uniform); every
    third probe bisects once an upper bound is known, keeping the worst case
    logarithmic. Probes never go far beyond the answer.
    """
    slack = limit // 32
    fits, too_big = 1, most + 1
    n, probes = guess, 0
    while too_big - fits > 1:
        n = min(max(n, fits + 1), too_big - 1)
        tokens = count_tokens(piece(n))
        if tokens <= limit:
            fits = n
            if tokens >= limit - slack:
                break
        else:
            too_big = n
        probes += 1
        if probes % 3 == 0 and too_big <= most:
            n = (fits + too_big) // 2
        else:
            # counts include a constant (the end-of-sentence token); aim inside the slack
            n = int(n * (limit - 1 - slack / 2) / max(tokens - 1, 1))
            if n <= fits:
                n = fits + 1
    return fits


def _clause_cut(words: list[str]) -> int:
    """Index after the last clause-ending word in the second half, else cut everything."""
    for i in range(len(words) - 1, len(words) // 2, -1):
        if words[i - 1].endswith((",", ";", ":", "–", "—")):
            return i
    return len(words)


def _split_word(word: str, count_tokens: Callable[[str], int], limit: int) -> list[str]:
    pieces, start, size = [], 0, 2
    while start < len(word):
        # one character always goes, even if the tokenizer counts it over the limit
        size = _longest_fit(lambda n, s=start: word[s:s + n], len(word) - start, count_tokens, limit, size)
        pieces.append(word[start:start + size])
        start += size
    return pieces
