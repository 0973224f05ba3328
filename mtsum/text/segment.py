"""Paragraphs and sentences: the units that go to the translation model.

MarianMT is a sentence-level model with a 512-token input limit, so a paragraph is
split into sentences, an over-long sentence into token-bounded pieces, and the
translations are joined back in order. Nothing is ever dropped: joining the pieces
of a paragraph with spaces gives back its text (up to whitespace).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from mtsum.text import sentences

# A line this long or longer, among similar lines, is taken as wrapped at a width.
_MIN_WRAP_WIDTH = 30
_TERMINAL = tuple('.!?:;"”»“\')')


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


def split_sentences(text: str, language: str) -> list[str]:
    """Split one paragraph into sentences with language-aware rules (see mtsum.text.sentences).

    Dates (``Am 30. Dezember``), abbreviations (``z. B.``, ``bl.a.``, ``kl. 14.00``)
    and quoted speech spanning several sentences do not break a sentence; a line
    break always does.
    """
    return sentences.split(text, language)


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
    return _cut(text, count_tokens, limit)


def split_counted(text: str, count_tokens: Callable[[str], int], limit: int) -> list[tuple[str, int]]:
    """:func:`split_long`'s pieces with their token counts: a sentence that fits is
    counted once, here, and its count goes on with it to batching."""
    if len(text) < _WHOLE_COUNT_MAX_CHARS:
        tokens = count_tokens(text)
        if tokens <= limit:
            return [(text, tokens)]
    return [(piece, count_tokens(piece)) for piece in _cut(text, count_tokens, limit)]


def _cut(text: str, count_tokens: Callable[[str], int], limit: int) -> list[str]:
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
