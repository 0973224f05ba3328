"""Language identification with lingua, restricted to the languages that matter.

lingua ships its n-gram models inside the wheel (nothing downloaded at run time) and
is accurate on short text. Restricting it to a candidate set makes it faster and
more accurate, but a set of only sv/de/en would label Danish or Norwegian as
Swedish and Dutch as German: the neighbours are candidates so they are recognised
and reported as unsupported instead of mistranslated.

Two more things keep a text from being read as a language it is not written in. A word
with a letter no candidate writes (Dvořák, Erdoğan, Đoković) is left out of every
reading: one such name made lingua read an English sentence as Swedish with confidence
1.0. And a text with such a word, or one the candidates read as unsupported or are
unsure of, is read once more against every language lingua knows: the candidates alone
read Turkish as Swedish (0.98), and it would have been translated with the Swedish model.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from mtsum.settings import SOURCE_LANGUAGES

# The languages mtsum reads: those with a translation model, and English.
SUPPORTED = (*SOURCE_LANGUAGES, "en")
CANDIDATES = (*SUPPORTED, "da", "nb", "nn", "nl", "fr", "es", "it", "pt", "pl", "fi", "is", "ru")
# The letters the candidates write besides a-z (and Cyrillic, for Russian).
_CANDIDATE_LETTERS = "åäöüßéæøóòôëïèáíúàâçêîœùûÿñìãõąćęłńśźżšžðýþ"
# The reading against every language lingua knows must give another language than the
# candidates more than this share (more than all the others together) to overrule them.
BEYOND_CONFIDENCE = 0.5
# A document the candidates read as a supported language with less confidence than this
# is read against every language lingua knows too.
UNSURE = 0.5
# The letters of a document's long paragraphs that reading looks at: its cost grows with
# the text, and a few paragraphs settle it.
_BEYOND_LETTERS = 2000
# Below this many letters a paragraph's own detection is not trusted (headlines,
# bylines, "Annons"): it inherits the document's language.
MIN_LETTERS_FOR_PARAGRAPH = 40
# Tokens that are not language must not vote: a 300 KB base64 line is "Norwegian
# Nynorsk" with confidence 1.00 to lingua and, by length, outweighs the article.
_LONGEST_WORD = 50  # German compounds reach ~40 letters; base64, hashes, minified code go on
_URL_PREFIXES = ("http://", "https://", "ftp://", "www.")
_CODE_CHARS = frozenset("_{}<>[]\\|=#$^*~`@")
_CAMEL = re.compile(r"[a-zäöüåæøéß][A-ZÄÖÜÅÆØÉ]")
_TOKEN = re.compile(r"\S+")
_FOREIGN_LETTER = re.compile(
    "[^\\W\\d_a-zA-Zа-яА-ЯёЁ" + _CANDIDATE_LETTERS + _CANDIDATE_LETTERS.upper() + "]"
)


@dataclass(frozen=True)
class Detection:
    """The most likely language of a text and lingua's confidence (0..1)."""

    language: str
    confidence: float
    alternatives: dict[str, float] = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict[str, object]:
        return {"language": self.language, "confidence": round(self.confidence, 4)}


# lingua reads a text of this many letters or more with its trigram models alone, in
# either of its modes; a shorter one also with its 1-, 2-, 4- and 5-gram models, and
# loading those for all candidates took 2.5 s of the 2.7 s `mtsum clean` spent on a
# seed. Paragraphs are therefore read first with the trigram models (exact from here
# on), and a short one again in full only where its reading could change a decision
# (detect_paragraphs).
TRIGRAM_LETTERS = 120


@functools.lru_cache(maxsize=4)
def _detector(accurate: bool = True, extra: str | None = None):
    """lingua over the candidates (and *extra*, a language beyond them to weigh as well)."""
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    codes = (*CANDIDATES, extra) if extra else CANDIDATES
    languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in codes]
    builder = LanguageDetectorBuilder.from_languages(*languages)
    return (builder if accurate else builder.with_low_accuracy_mode()).build()


@functools.lru_cache(maxsize=1)
def _every_language_detector():
    from lingua import LanguageDetectorBuilder

    # Trigram models only: lingua shares its models between detectors and loads them on
    # first use; those of every language take 0.2-0.3 s to load, full models seconds.
    return LanguageDetectorBuilder.from_all_languages().with_low_accuracy_mode().build()


def detect_language(text: str) -> Detection:
    """Detect the language of ``text`` among :data:`CANDIDATES`, or another language
    lingua knows where the text calls for it (see the module's docstring).

    A text of several paragraphs is judged paragraph by paragraph, weighted by
    length (see :func:`detect_paragraphs`). Returns ``Detection("und", 0.0)`` for text
    with no letters.
    """
    from mtsum.text.segment import split_paragraphs

    if not any(ch.isalpha() for ch in text):
        return Detection("und", 0.0)
    return detect_paragraphs(split_paragraphs(text))[0]


def detect_paragraphs(paragraphs: list[str]) -> tuple[Detection, list[Detection | None]]:
    """The document's language and each paragraph's own detection (None: too short to judge).

    Each paragraph is detected once. lingua on the whole of a mixed text can favour
    the language with the most distinctive n-grams (three English paragraphs and one
    German one come out as German with confidence 1.0), whereas a document's language
    is what most of it is written in: the paragraphs of 40+ letters vote, weighted by
    length, and the confidence is the length-weighted confidence of the paragraphs in
    the winning language. With fewer than two such paragraphs the whole text is judged
    at once.

    A paragraph under :data:`TRIGRAM_LETTERS` letters is first read with lingua's
    trigram models alone (loading the others is most of a short run's time), and
    again in full where that reading differs from the document's language or where
    the short paragraphs could change the vote; one read as the document's language
    keeps the quick reading (its confidence may differ slightly from a full one).
    """
    letters = [_letters(p) for p in paragraphs]
    found: list[Detection | None] = [
        _detect_one(p, accurate=False) if n >= MIN_LETTERS_FOR_PARAGRAPH else None for p, n in zip(paragraphs, letters)
    ]
    voters = [i for i, d in enumerate(found) if d is not None]
    if len(voters) < 2:
        whole = "\n".join(paragraphs)
        if not any(ch.isalpha() for ch in whole):
            return Detection("und", 0.0), found
        return _beyond_candidates(_detect_one(whole), whole), found
    best = _vote(found, letters, voters).language
    quick = {i for i in voters if letters[i] < TRIGRAM_LETTERS}  # read with trigrams only: provisional
    # A short paragraph read as another language than the document's is read again in
    # full: its own language may be translated (paragraph_language).
    for i in [i for i in quick if found[i].language != best]:  # type: ignore[union-attr]
        found[i] = _detect_one(paragraphs[i])
        quick.discard(i)
    if not _settled(found, letters, voters, quick, best):
        for i in quick:
            found[i] = _detect_one(paragraphs[i])
    sample, total = [], 0
    for i in sorted(voters, key=lambda i: -letters[i]):
        sample.append(paragraphs[i])
        total += letters[i]
        if total >= _BEYOND_LETTERS:
            break
    return _beyond_candidates(_vote(found, letters, voters), "\n".join(sample)), found


def _beyond_candidates(document: Detection, text: str) -> Detection:
    """*document*, or the language lingua finds in *text* among every language it knows
    where that is none of the candidates and wins more than :data:`BEYOND_CONFIDENCE`,
    both there and against the candidates with lingua's full models.

    A text read as a supported language is read again only where it has a letter no
    candidate writes, or where that reading is unsure (:data:`UNSURE`; Welsh read as
    English, Zulu as German): the trigram models of every language take 0.2-0.3 s to
    load. A text read as another candidate is always read again.
    """
    if document.language in SUPPORTED and document.confidence >= UNSURE and not _FOREIGN_LETTER.search(text):
        return document
    reading = _beyond_reading(text)
    return document if reading is None else reading


@functools.lru_cache(maxsize=256)
def _beyond_reading(text: str) -> Detection | None:
    # Without the words no candidate writes where others are left (names spoil a reading).
    blanked = linguistic_text(text)
    text = blanked if any(ch.isalpha() for ch in blanked) else linguistic_text(text, foreign=True)
    if not any(ch.isalpha() for ch in text):
        return None
    reading = _read(_every_language_detector(), text)
    if reading.language in CANDIDATES or reading.confidence <= BEYOND_CONFIDENCE:
        return None
    # Trigrams alone misread short text (an English sentence with "Antonín" as Yoruba,
    # 0.78): the full models must agree, weighing that language against the candidates.
    confirmed = _read(_detector(True, reading.language), text)
    if confirmed.language != reading.language or confirmed.confidence <= BEYOND_CONFIDENCE:
        return None
    return confirmed


def _vote(found: list[Detection | None], letters: list[int], voters: list[int]) -> Detection:
    weight: dict[str, int] = {}
    confident: dict[str, float] = {}
    for i in voters:
        detection = found[i]
        assert detection is not None  # voters have one
        weight[detection.language] = weight.get(detection.language, 0) + letters[i]
        confident[detection.language] = confident.get(detection.language, 0.0) + letters[i] * detection.confidence
    total = sum(weight.values())
    ranked = sorted(weight, key=lambda lang: (-weight[lang], lang))
    best = ranked[0]
    return Detection(best, confident[best] / total, {lang: weight[lang] / total for lang in ranked[:3]})


def _settled(found: list[Detection | None], letters: list[int], voters: list[int], quick: set[int], best: str) -> bool:
    """Whether *best* wins the vote whatever the *quick* (provisional) readings turn out to be."""
    sure: dict[str, int] = {}
    for i in voters:
        if i not in quick:
            lang = found[i].language  # type: ignore[union-attr]
            sure[lang] = sure.get(lang, 0) + letters[i]
    unsure = sum(letters[i] for i in quick)
    rival = max((w for lang, w in sure.items() if lang != best), default=0)
    return sure.get(best, 0) > rival + unsure


def linguistic_text(text: str, foreign: bool = False) -> str:
    """``text`` with the tokens that are not language blanked out: over-long runs
    (base64, hashes), URLs, e-mail addresses, numbers, code-like tokens and camelCase
    identifiers, and, unless *foreign*, words with a letter no candidate writes (the
    candidates' models cannot weigh them). Whitespace and line breaks are kept, so
    paragraphs stay paragraphs."""
    return _TOKEN.sub(_blank_non_language if foreign else _blank_non_language_or_foreign, text)


def _blank_non_language(match: re.Match[str]) -> str:
    token = match.group()
    if (len(token) >= _LONGEST_WORD or token.lower().startswith(_URL_PREFIXES)
            or any(ch.isdigit() or ch in _CODE_CHARS for ch in token) or _CAMEL.search(token)):
        return " "
    return token


def _blank_non_language_or_foreign(match: re.Match[str]) -> str:
    token = _blank_non_language(match)
    return " " if _FOREIGN_LETTER.search(token) else token


@functools.lru_cache(maxsize=4096)
def _detect_one(text: str, accurate: bool = True) -> Detection:
    """lingua on one piece of text (cached: agency copy repeats paragraphs across articles);
    without *accurate*, with its trigram models alone (the same reading from
    :data:`TRIGRAM_LETTERS` letters on)."""
    text = linguistic_text(text)
    letters = sum(ch.isalpha() for ch in text)
    if not letters:
        return Detection("und", 0.0)
    return _read(_detector(accurate and letters < TRIGRAM_LETTERS), text)


def _read(detector, text: str) -> Detection:
    values = detector.compute_language_confidence_values(text)
    ranked = {v.language.iso_code_639_1.name.lower(): float(v.value) for v in values[:3]}
    best = values[0]
    return Detection(best.language.iso_code_639_1.name.lower(), float(best.value), ranked)


def _letters(text: str) -> int:
    return sum(ch.isalpha() for ch in linguistic_text(text))


def paragraph_language(found: Detection | None, document_language: str) -> str:
    """Language a paragraph is translated from, given its own detection and its document's language.

    A long enough paragraph confidently in another *supported* language keeps its
    own (an English quote in a German article passes through untranslated); short
    or unclear paragraphs (``found`` is None), and neighbours such as Danish inside a
    Swedish article, follow the document.
    """
    if found is not None and found.language in SUPPORTED and found.language != document_language \
            and found.confidence >= 0.7:
        return found.language
    return document_language
