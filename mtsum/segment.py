"""Paragraphs and sentences: the units that go to the translation model.

MarianMT is a sentence-level model with a 512-token input limit, so a paragraph is
split into sentences, an over-long sentence into token-bounded pieces, and the
translations are joined back in order. Nothing is ever dropped: joining the pieces
of a paragraph with spaces gives back its text (up to whitespace).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from . import sentences

# A line this long or longer, among similar lines, is taken as wrapped at a width.
_MIN_WRAP_WIDTH = 30
_TERMINAL = tuple('.!?:;"”»“\')')


def split_paragraphs(text: str) -> list[str]:
    """Split text into paragraphs.

    Blank lines separate paragraphs. A text without any blank line is one paragraph
    per line (the usual shape of scraped news). Inside a blank-line-separated block,
    hard-wrapped lines (wrapped mid-sentence at a fixed width) are reflowed into one
    paragraph; a block of short or ragged lines keeps one paragraph per line.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2029", "\n\n")
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
    """Split one paragraph into sentences with language-aware rules (see mtsum.sentences).

    Dates (``Am 30. Dezember``), abbreviations (``z. B.``, ``bl.a.``, ``kl. 14.00``)
    and quoted speech spanning several sentences do not break a sentence; a line
    break always does.
    """
    return sentences.split(text, language)


def split_long(text: str, count_tokens: Callable[[str], int], limit: int) -> list[str]:
    """Split ``text`` into pieces of at most ``limit`` tokens, at word boundaries.

    Prefers to cut after clause punctuation; a single word longer than the limit is
    cut between characters. Joining the pieces with spaces restores the text.
    """
    if count_tokens(text) <= limit:
        return [text]
    words = text.split()
    pieces: list[str] = []
    current: list[str] = []
    for word in words:
        if count_tokens(word) > limit:
            if current:
                pieces.append(" ".join(current))
                current = []
            pieces.extend(_split_word(word, count_tokens, limit))
            continue
        if current and count_tokens(" ".join([*current, word])) > limit:
            cut = _clause_cut(current)
            pieces.append(" ".join(current[:cut]))
            current = current[cut:]
        current.append(word)
    if current:
        pieces.append(" ".join(current))
    return pieces


def _clause_cut(words: list[str]) -> int:
    """Index after the last clause-ending word in the second half, else cut everything."""
    for i in range(len(words) - 1, len(words) // 2, -1):
        if words[i - 1].endswith((",", ";", ":", "–", "—")):
            return i
    return len(words)


def _split_word(word: str, count_tokens: Callable[[str], int], limit: int) -> list[str]:
    pieces, start = [], 0
    while start < len(word):
        end = len(word)
        while end - start > 1 and count_tokens(word[start:end]) > limit:
            end = start + max(1, (end - start) // 2)
        pieces.append(word[start:end])
        start = end
    return pieces
