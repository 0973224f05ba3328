"""The words a line is weighed by: function words (jusText's stoplists) and site vocabulary.

Prose in sv/de/en has 0.3-0.5 of its words on the stoplists, menus, names and product
lists almost none; the site vocabulary ("cookie", "prenumer", "weiterlesen") marks lines
that speak of the website rather than of the world. :mod:`mtsum.clean.features` counts both.
"""

from __future__ import annotations

import functools
import importlib.util
import re
from pathlib import Path

__all__ = ["site_vocabulary", "stopwords"]

# jusText's stoplist file for each language code; others fall back to English.
_STOPLIST_NAMES = {
    "sv": "Swedish", "de": "German", "en": "English", "da": "Danish", "nb": "Norwegian_Bokmal",
    "no": "Norwegian_Bokmal", "nn": "Norwegian_Nynorsk", "nl": "Dutch", "fr": "French",
    "es": "Spanish", "it": "Italian", "pt": "Portuguese", "pl": "Polish", "fi": "Finnish",
}

# Words that speak of the website rather than of the world: cookie banners, comment
# forms, newsletter and paywall prompts. Stems, matched case-insensitively at a word
# start. A line of prose needs two of them to lose its protection.
FURNITURE = {
    "common": r"cookie|newsletter|e-?mail|javascript|browser|akismet|spam|wordpress|copyright|rss\b|"
              r"[\w-]+\.(?:de|se|com|at|ch|org|net|nu|eu)\b",
    "en": r"subscri|sign up|sign in|log ?in|regist|account|password|comment|repl(?:y|ies)\b|privacy|"
          r"terms of|rights reserved|advertis|sponsor|affiliate|share|follow us|website|"
          r"click|download (?:the|our) app|donat|support (?:us|our)|membership|posted (?:in|by|on)|"
          r"tagged|filed under|permalink|read more|related",
    "de": r"abonn|abo\b|anmeld|registr|konto|passwort|kommentar|antwort|datenschutz|impressum|"
          r"nutzungsbedingung|agb\b|urheberrecht|werbung|partnerlink|affiliate|teilen\b|"
          r"folgen sie|folge uns|webseite|website|klicken|spende|unterstütze|weiterlesen|"
          r"mehr zum thema|verwandte|ähnliche beiträge|veröffentlicht|verschlagwortet|kündbar|einlogg",
    "sv": r"prenumer|logga|konto|lösenord|kommentar|svara\b|integritet|personuppgift|villkor|"
          r"upphovsrätt|annons(?:er|era)?\b|reklam|dela\b|följ oss|webbplats|sajt|klicka|kakor|"
          r"läs mer|läs också|läsa vidare|relaterad|publicerad|gratisartik|inloggad|nyhetsbrev|inkorg|anmäl dig",
}


@functools.lru_cache(maxsize=32)
def stopwords(language: str) -> frozenset[str]:
    """jusText's stoplist for *language* (lower case); English for a language it lacks."""
    spec = importlib.util.find_spec("justext")
    if spec is None or not spec.submodule_search_locations:
        from mtsum.errors import MissingDependencyError

        raise MissingDependencyError("cleaning needs jusText's stoplists: pip install jusText")
    folder = Path(next(iter(spec.submodule_search_locations))) / "stoplists"
    name = _STOPLIST_NAMES.get(language, "English")
    words = (folder / f"{name}.txt").read_text(encoding="utf-8").split()
    return frozenset(w.lower() for w in words)


@functools.lru_cache(maxsize=32)
def site_vocabulary(language: str) -> re.Pattern[str]:
    """The site vocabulary of *language* (and English, and every site's) as one pattern
    over a lower-cased line."""
    own = FURNITURE.get(language, "")
    alternatives = [a for w in (FURNITURE["common"], FURNITURE["en"], own) if w for a in _alternatives(w)]
    # Matched on the lower-cased line: three times faster than re.IGNORECASE.
    return re.compile(rf"(?<!\w)(?:{_by_first_letter(alternatives)})")


def _alternatives(pattern: str) -> list[str]:
    """The top-level branches of *pattern* ("a|b(?:c|d)" -> ["a", "b(?:c|d)"])."""
    out, depth, start, k = [], 0, 0, 0
    while k < len(pattern):
        c = pattern[k]
        if c == "\\":
            k += 1
        elif c == "[":
            k = pattern.index("]", k + 2)  # "[]…]" holds "]" as its first member
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            out.append(pattern[start:k])
            start = k + 1
        k += 1
    return [*out, pattern[start:]]


def _by_first_letter(alternatives: list[str]) -> str:
    """*alternatives* as one alternation, the branches that begin with the same letter
    grouped under it ("abonn|abo\\b" -> "a(?:bonn|bo\\b)").

    Python's regex engine tries the branches of an alternation one by one at every word
    start; grouped, it tries one per first letter, which made the site-vocabulary count
    the most expensive line feature no more. Matches are the same: branches that begin
    with different letters cannot match at the same place, the order within a letter is
    kept, and a branch that does not begin with a plain letter ends a group, so none
    moves past it.
    """
    out: list[str] = []
    group: dict[str, list[str]] = {}

    def close() -> None:
        out.extend(f"{c}(?:{'|'.join(rest)})" for c, rest in group.items())
        group.clear()

    for branch in alternatives:
        if branch[:1].isalpha() and branch[1:2] not in ("?", "*", "+", "{"):
            group.setdefault(branch[0], []).append(branch[1:])
        else:
            close()
            out.append(branch)
    close()
    return "|".join(out)
