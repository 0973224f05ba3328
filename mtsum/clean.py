"""Remove boilerplate, captions and repeated paragraphs before translation.

Works on source-language paragraphs (sv, de or en). The boilerplate rules are data,
resolved on every call:

1. ``mtsum/rules/common.yaml`` and ``mtsum/rules/<lang>.yaml`` (``en.yaml`` for a
   language that has no rules file anywhere);
2. ``common.yaml`` and ``<lang>.yaml`` in the folder named by ``$MTSUM_RULES_DIR``
   (a ``fr.yaml`` there gives French its own rules);
3. the ``extra_rules`` files, in order. Such a file may say ``language: sv`` (or a
   list) to apply to those languages only.

A later rule with the same name ("sv:ad_marker"; a name containing ":" is taken
as is, so ``common:ad_marker`` reaches a shared rule) updates the earlier one field
by field, so ``enabled: false`` switches a rule off. The rule format is documented
at the top of ``common.yaml``.

A paragraph is removed when a rule matches it as a whole, when it is a caption (or a
caption's uncredited twin), when it repeats an earlier paragraph, or when the
structure classifier in :mod:`mtsum.boilerplate` and its learned line model
(:mod:`mtsum.line_model`) find it outside the article (a run of short lines around
the text, a "related" list, a line of links or site vocabulary; rule
``classifier:<feature>``, or ``classifier:model`` where only the model decided).
A long sentence-shaped paragraph in the article's language is never dropped by the
classifier. Markers glued to the front of real text
("AnnonsWashington - ...") are stripped and the text kept. Every removal and every
strip is recorded in the result.
"""

from __future__ import annotations

import functools
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from mtsum.boilerplate import Block, analyse, decide, reads_as_text
from mtsum.errors import ConfigError
from mtsum.segment import split_sentences

__all__ = [
    "RULES_DIR_ENV",
    "CleanResult",
    "Removal",
    "Rule",
    "Stripped",
    "clean_paragraphs",
    "load_rules",
    "normalize_paragraph",
]

RULES_DIR_ENV = "MTSUM_RULES_DIR"
_PACKAGED_RULES = Path(__file__).parent / "rules"
_KINDS = ("remove", "prefix", "credit")

# Near-duplicate thresholds. A "credit" is what one paragraph adds to a copy of
# another ("… (dpa)", "Foto: X"); it must be short or the longer one says more.
_CREDIT_MAX_CHARS = 40
_CREDIT_MAX_WORDS = 6
_CONTAINED_MIN_WORDS = 5
_SHINGLE = 3
_SHINGLE_MIN_WORDS = 8
_JACCARD = 0.8
# A headline is one short sentence; a first paragraph that is a lede stays body.
_TITLE_MAX_WORDS = 30
# Rules whose line announces a list of links to other articles.
_LIST_HEADING_RULES = (":read_more", ":site_sections")
# "Läs också: <headline>" carries its one teaser; only a bare heading heads a list.
_INLINE_TEASER = re.compile(r":\s*\w")
# Lines (not removed by a rule) passed over between the headline and the text.
_TITLE_MAX_SKIPPED = 3
# A headline this near the top has the page's header above it, nothing else.
_HEADER_LINES = 10

# Invisible characters that make equal paragraphs compare unequal.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200e\u200f\u2060\ufeff"))
_WORD = re.compile(r"\w+")


def normalize_paragraph(text: str) -> str:
    """Return *text* in NFC with invisible characters removed and whitespace collapsed.

    Non-breaking and other Unicode spaces become one ordinary space; leading and
    trailing whitespace is stripped. Two paragraphs are "identical" when their
    normalized forms are equal.
    """
    if not unicodedata.is_normalized("NFC", text):  # a quick check: most text already is
        text = unicodedata.normalize("NFC", text)
    return " ".join(text.translate(_INVISIBLE).split())


@dataclass(frozen=True)
class Removal:
    """One paragraph that was dropped, and why.

    ``reason`` is "duplicate", "boilerplate" or "caption"; ``rule`` names the rule
    ("sv:ad_marker", "exact_duplicate", "caption_twin", ...) or the classifier feature
    that decided ("classifier:short-run", "classifier:related-list", ...). ``duplicate_of`` is the
    index of the kept first occurrence for duplicates, and of the credited caption
    for a caption's uncredited twin; otherwise None. ``text`` is the input paragraph.
    """

    index: int
    reason: str
    duplicate_of: int | None
    rule: str | None
    text: str


@dataclass(frozen=True)
class Stripped:
    """A marker cut from the front of a kept paragraph (``text`` is what was cut)."""

    index: int
    rule: str
    text: str


@dataclass
class CleanResult:
    """The cleaned document.

    ``title`` is the headline: the headline-shaped line just above the main text
    block (site names and menus above it are skipped and dropped), else the block's
    first paragraph if it reads as a headline (one sentence of at most 30 words);
    otherwise None. ``paragraphs`` are the kept body paragraphs after
    the title (the title is not repeated there), normalized and with glued markers
    stripped; ``kept_indices[i]`` is the input index of ``paragraphs[i]``.
    """

    title: str | None
    paragraphs: list[str]
    kept_indices: list[int]
    removed: list[Removal]
    language: str
    title_index: int | None = None
    stripped: list[Stripped] = field(default_factory=list)
    input_count: int = 0

    @property
    def stats(self) -> dict[str, int]:
        reasons = [r.reason for r in self.removed]
        return {
            "paragraphs": self.input_count,
            "boilerplate_removed": reasons.count("boilerplate"),
            "captions_removed": reasons.count("caption"),
            "duplicates_collapsed": reasons.count("duplicate"),
            "prefixes_stripped": len(self.stripped),
            "kept_paragraphs": len(self.paragraphs),
        }

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of every field plus ``stats``."""
        data = asdict(self)
        data["stats"] = self.stats
        return data


@dataclass(frozen=True)
class Rule:
    """A compiled rule; ``name`` is "<scope>:<rule>" as shown in removals."""

    name: str
    kind: str
    patterns: tuple[re.Pattern[str], ...]
    min_run: int = 1


def clean_paragraphs(
    paragraphs: Sequence[str],
    language: str,
    *,
    extra_rules: Iterable[str | os.PathLike[str]] | None = None,
) -> CleanResult:
    """Clean one document's paragraphs (in order) written in *language*.

    *extra_rules* are rules files applied over the packaged ones and over
    ``$MTSUM_RULES_DIR``. Raises ConfigError when a rules file is unreadable or
    malformed.
    """
    rules = load_rules(language, extra_rules)
    texts = [normalize_paragraph(p) for p in paragraphs]
    removed: dict[int, Removal] = {}
    stripped: list[Stripped] = []

    def drop(i: int, reason: str, rule: str | None, of: int | None = None) -> None:
        removed[i] = Removal(i, reason, of, rule, paragraphs[i])

    single: dict[int, str | None] = {}  # the first whole-line rule that needs no run
    matchers = _matchers(rules)
    prefixes = _Prefixes.of(rules)
    for i, text in enumerate(texts):
        if not text:
            drop(i, "boilerplate", "empty")
            continue
        any_rule, single[i] = _remove_matches(matchers, text)
        if any_rule is None:
            texts[i] = _strip_prefixes(prefixes, i, text, stripped)
            if texts[i] != text:
                single[i] = _remove_matches(matchers, texts[i])[1]

    for i, rule in _boilerplate(rules, texts, removed, single).items():
        drop(i, "boilerplate", rule)
    _mark_captions(rules, texts, removed, drop)
    _mark_duplicates(texts, removed, drop)

    decided = dict(removed)
    headings = [
        r.index
        for r in removed.values()
        if (r.rule or "").endswith(_LIST_HEADING_RULES) and not _INLINE_TEASER.search(texts[r.index])
    ]
    page = analyse(texts, language, list(removed), headings)
    block = page.block
    title_index = _find_title(texts, language, decided, block)
    above: list[int] = []
    if title_index is not None and block is not None and title_index <= block.start:
        # Above a headline found over the text is the page's header: site name, menus.
        above = [i for i in range(title_index) if (f := page.feats[i]) is not None and not reads_as_text(f)]
    if title_index is not None and title_index <= _HEADER_LINES:
        # A short header over the headline (site name, a few menu entries) goes whatever
        # the model thinks: it has too little page around it to judge.
        for i in above:
            drop(i, "boilerplate", "classifier:above-headline")
        above = []
    for i, rule in decide(texts, page, above).items():
        if i != title_index and i not in removed:
            drop(i, "boilerplate", rule)

    kept = [i for i in range(len(texts)) if i not in removed]
    body = [i for i in kept if i != title_index]
    return CleanResult(
        title=texts[title_index] if title_index is not None else None,
        paragraphs=[texts[i] for i in body],
        kept_indices=body,
        removed=sorted(removed.values(), key=lambda r: r.index),
        language=language,
        title_index=title_index,
        stripped=[s for s in stripped if s.index not in removed],
        input_count=len(texts),
    )


# --- rules --------------------------------------------------------------------


def load_rules(language: str, extra_rules: Iterable[str | os.PathLike[str]] | None = None) -> list[Rule]:
    """Resolve the rules for *language* now (packaged, then $MTSUM_RULES_DIR, then extras).

    A language with no rules file anywhere uses the English rules. Raises ConfigError.
    """
    lang = requested = _language_key(language)
    user_dir = os.environ.get(RULES_DIR_ENV)
    dirs = [_PACKAGED_RULES] + ([Path(user_dir).expanduser()] if user_dir else [])
    if lang is None or not any((d / f"{lang}.yaml").is_file() for d in dirs):
        lang = "en"

    # (scope, file, mtime, size): the rules are merged and compiled once per set of
    # unchanged files, not on every call (cleaning runs once per document).
    sources: list[tuple[str | None, str, int, int]] = []
    for d in dirs:
        for scope in ("common", lang):
            path = d / f"{scope}.yaml"
            if path.is_file():
                sources.append((scope, *_signature(path)))
    for extra in extra_rules or ():
        path = Path(extra).expanduser()
        if not path.is_file():
            raise ConfigError(f"rules file not found: {path}")
        sources.append((None, *_signature(path)))
    return list(_resolve(lang, requested, tuple(sources)))  # a copy: the cached list stays as read


def _signature(path: Path) -> tuple[str, int, int]:
    stat = path.stat()
    return str(path.resolve()), stat.st_mtime_ns, stat.st_size


@functools.lru_cache(maxsize=64)
def _resolve(lang: str, requested: str | None, sources: tuple[tuple[str | None, str, int, int], ...]) -> list[Rule]:
    merged: dict[str, dict[str, Any]] = {}
    for scope, path, mtime_ns, size in sources:
        data = _read_rules_cached(path, mtime_ns, size)
        if scope is None:  # an extra file: it may name the languages it is for
            applies_to = data.get("language")
            if applies_to is not None and not {lang, requested} & set(_as_list(applies_to)):
                continue
            scope = applies_to if isinstance(applies_to, str) else Path(path).stem
        _merge(merged, scope, data)
    return [_compile_rule(name, spec) for name, spec in merged.items() if spec.get("enabled", True)]


def _language_key(language: str) -> str | None:
    # "sv-SE" -> "sv"; anything that is not a plain code must not become a path.
    key = (language or "").strip().lower().replace("_", "-").split("-")[0]
    return key if re.fullmatch(r"[a-z]{2,3}", key) else None


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _merge(merged: dict[str, dict[str, Any]], scope: str, data: dict[str, Any]) -> None:
    for name, spec in data["rules"].items():
        # "common:ad_marker" names a rule of another scope exactly.
        full = name if ":" in str(name) else f"{scope}:{name}"
        # Field by field, so a user file can say just `enabled: false`.
        merged.setdefault(full, {}).update(spec, _source=data["_source"])


@functools.lru_cache(maxsize=64)
def _read_rules_cached(path: str, mtime_ns: int, size: int) -> dict[str, Any]:
    import yaml  # only when rules are needed, never at import of mtsum.clean

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        raise ConfigError(f"cannot read rules file {path}: {e}") from e
    rules = data.get("rules") if isinstance(data, dict) else None
    if not isinstance(rules, dict) or not all(isinstance(v, dict) for v in rules.values()):
        raise ConfigError(
            f"{path}: expected a top-level 'rules:' mapping of rule name -> "
            "{kind, pattern}; see mtsum/rules/common.yaml"
        )
    return {**data, "_source": path}


def _compile_rule(name: str, spec: dict[str, Any]) -> Rule:
    where = f"rule {name!r} in {spec['_source']}"
    kind = spec.get("kind", "remove")
    if kind not in _KINDS:
        raise ConfigError(f"{where}: kind must be one of {', '.join(_KINDS)}, not {kind!r}")
    sources = _as_list(spec.get("pattern"))
    if not sources or not all(isinstance(p, str) and p for p in sources):
        raise ConfigError(f"{where}: 'pattern' must be a regex or a list of regexes")
    min_run = spec.get("min_run", 1)
    if not isinstance(min_run, int) or min_run < 1:
        raise ConfigError(f"{where}: 'min_run' must be a positive integer")
    try:
        patterns = tuple(_compile(p) for p in sources)
    except re.error as e:
        raise ConfigError(f"{where}: invalid regex: {e}") from e
    return Rule(name, kind, patterns, min_run)


@functools.lru_cache(maxsize=1024)
def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


# --- stages -------------------------------------------------------------------


_Matcher = tuple[str, bool, Callable[[str], Any]]
# A group reference means something else once patterns are joined into one.
_GROUP_REFERENCE = re.compile(r"\\[1-9]|\(\?P=|\(\?P?<[A-Za-z_]")


@dataclass(frozen=True)
class _Matchers:
    """The remove rules as bound fullmatch methods, behind one joined pattern.

    Nearly every line of a page matches no rule; the joined pattern says so in one
    call instead of one per pattern (the rules loop was the largest cost of cleaning).
    """

    any_match: Callable[[str], Any] | None  # None: no joinable patterns
    joined: list[_Matcher]
    separate: list[_Matcher]  # patterns that cannot be joined (group references)
    all: list[_Matcher]


def _matchers(rules: list[Rule]) -> _Matchers:
    every = [(r.name, r.min_run > 1, p) for r in rules if r.kind == "remove" for p in r.patterns]
    joinable = [m for m in every if not _GROUP_REFERENCE.search(m[2].pattern)]
    any_match = _joined(tuple(p.pattern for _, _, p in joinable), "fullmatch")
    if any_match is None:
        joinable = []
    bound = [(name, run, p.fullmatch) for name, run, p in every]
    return _Matchers(
        any_match,
        [(name, run, p.fullmatch) for name, run, p in joinable],
        [(name, run, p.fullmatch) for name, run, p in every if (name, run, p) not in joinable],
        bound,
    )


@functools.lru_cache(maxsize=64)
def _joined(patterns: tuple[str, ...], method: str) -> Callable[[str], Any] | None:
    """One compiled alternation of *patterns*, or None where they cannot be joined."""
    if not patterns:
        return None
    try:
        return getattr(re.compile("|".join(f"(?:{p})" for p in patterns)), method)
    except (re.error, OverflowError):
        # A global flag such as (?i) in a user's pattern is only valid at the start.
        return None


def _remove_matches(matchers: _Matchers, text: str) -> tuple[str | None, str | None]:
    """The first remove rule matching *text* whole, and the first such without min_run."""
    if matchers.any_match is not None and not matchers.any_match(text):
        candidates = matchers.separate
    else:
        candidates = matchers.all
    first = None
    for name, needs_run, fullmatch in candidates:
        if first is not None and needs_run:
            continue
        if fullmatch(text):
            if not needs_run:
                return first or name, name
            first = first or name
    return first, None


@dataclass(frozen=True)
class _Prefixes:
    rules: list[Rule]
    starts: Callable[[str], Any] | None  # the joined patterns' match: most lines have no marker

    @classmethod
    def of(cls, rules: list[Rule]) -> _Prefixes:
        chosen = [r for r in rules if r.kind == "prefix"]
        return cls(chosen, _joined(tuple(p.pattern for r in chosen for p in r.patterns), "match"))


def _strip_prefixes(prefixes: _Prefixes, index: int, text: str, out: list[Stripped]) -> str:
    changed = True
    while changed:  # markers can stack: "ANNONS UTRIKES Text ..."
        changed = False
        if prefixes.starts is not None and not prefixes.starts(text):
            break
        for rule in prefixes.rules:
            for pattern in rule.patterns:
                m = pattern.match(text)
                rest = text[m.end() :].strip() if m else ""
                if m and m.end() > 0 and rest:
                    out.append(Stripped(index, rule.name, text[: m.end()]))
                    text, changed = rest, True
    return text


def _boilerplate(
    rules: list[Rule], texts: list[str], removed: dict[int, Removal], single: dict[int, str | None]
) -> dict[int, str]:
    live = [i for i in range(len(texts)) if i not in removed]
    hits = {i: name for i in live if (name := single.get(i))}
    # A run rule only counts where it matches several neighbours (menus). Lines
    # already claimed by another rule (an "Annons" inside the menu) do not break
    # the run.
    for rule in (r for r in rules if r.kind == "remove" and r.min_run > 1):
        run: list[int] = []
        for i in [*live, None]:
            if i is not None and i in hits:
                continue
            if i is not None and any(p.fullmatch(texts[i]) for p in rule.patterns):
                run.append(i)
                continue
            if len(run) >= rule.min_run:
                hits.update(dict.fromkeys(run, rule.name))
            run = []
    return hits


def _credit(rules: list[Rule], found: Callable[[str], Any] | None, text: str) -> tuple[str, int] | None:
    if found is not None and not found(text):
        return None
    for rule in rules:
        for pattern in rule.patterns:
            # The leftmost start from which the credit runs to the very end.
            m = pattern.search(text)
            while m:
                if pattern.fullmatch(text, m.start()):
                    return rule.name, m.start()
                m = pattern.search(text, m.start() + 1)
    return None


_Drop = Callable[..., None]


def _mark_captions(rules: list[Rule], texts: list[str], removed: dict[int, Removal], drop: _Drop) -> None:
    twins: dict[str, int] = {}
    credits = [r for r in rules if r.kind == "credit"]
    found = _joined(tuple(p.pattern for r in credits for p in r.patterns), "search")
    for i, text in enumerate(texts):
        if i in removed:
            continue
        hit = _credit(credits, found, text)
        if hit:
            drop(i, "caption", hit[0])
            body = text[: hit[1]].strip()
            if body:
                twins.setdefault(_key(body), i)
    if not twins:  # most pages: no credited caption, nothing to compare
        return
    for i, text in enumerate(texts):
        if i not in removed and _key(text) in twins:
            drop(i, "caption", "caption_twin", twins[_key(text)])


def _mark_duplicates(texts: list[str], removed: dict[int, Removal], drop: _Drop) -> None:
    first: dict[str, int] = {}
    seen: dict[int, tuple[str, list[str], set[tuple[str, ...]]]] = {}
    # Shingle -> earlier paragraphs holding it: a near or contained duplicate (five
    # words or more) shares at least one shingle, so only those are compared; pages
    # of thousands of lines would otherwise cost quadratic time.
    holders: dict[tuple[str, ...], list[int]] = {}
    for i, text in enumerate(texts):
        if i in removed:
            continue
        key = _key(text)
        if key in first:
            drop(i, "duplicate", "exact_duplicate", first[key])
            continue
        # Too short to be a near copy or to have one (menus, labels: most lines of a
        # page); counting spaces first spares them the tokenizer.
        if key.count(" ") < _CONTAINED_MIN_WORDS - 1 or len(words := _WORD.findall(key)) < _CONTAINED_MIN_WORDS:
            first[key] = i
            continue
        shingles = _shingles(words)
        candidates = sorted({j for sh in shingles for j in holders.get(sh, ())})
        for j in candidates:
            other_key, other_words, other_shingles = seen[j]
            rule = _near_duplicate(key, words, shingles, other_key, other_words, other_shingles)
            if rule:
                drop(i, "duplicate", rule, j)
                break
        else:
            first[key] = i
            seen[i] = (key, words, shingles)
            for sh in shingles:
                holders.setdefault(sh, []).append(i)


def _near_duplicate(
    a: str,
    a_words: list[str],
    a_sh: set[tuple[str, ...]],
    b: str,
    b_words: list[str],
    b_sh: set[tuple[str, ...]],
) -> str | None:
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    short_words = min(len(a_words), len(b_words))
    if short_words >= _CONTAINED_MIN_WORDS and short in long_:
        extra = long_.replace(short, "", 1)
        if len(extra.strip()) <= _CREDIT_MAX_CHARS and len(_WORD.findall(extra)) <= _CREDIT_MAX_WORDS:
            return "contained_duplicate"
    if (
        short_words >= _SHINGLE_MIN_WORDS
        and a_sh
        and b_sh
        and len(a_sh & b_sh) / len(a_sh | b_sh) >= _JACCARD
    ):
        return "near_duplicate"
    return None


def _key(text: str) -> str:
    # Comparison only: compatibility forms and case must not hide a repeat.
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return text.casefold()


def _shingles(words: list[str]) -> set[tuple[str, ...]]:
    return {tuple(words[k : k + _SHINGLE]) for k in range(len(words) - _SHINGLE + 1)}


def _find_title(texts: list[str], language: str, removed: dict[int, Removal], block: Block | None) -> int | None:
    """The headline: the headline-shaped line just above the main text block.

    Walking up from the block, lines the rules removed (bylines, dates, share
    buttons) are passed over; a menu entry (one or two words) ends the walk, so a
    site name above the menu is never taken. Without such a line, the block's first
    line is the title when it reads as one.
    """
    kept = [i for i in range(len(texts)) if i not in removed]
    if not kept:
        return None
    if block is None:
        return kept[0] if _looks_like_headline(texts[kept[0]], language) else None
    skipped = 0
    for i in range(block.start - 1, -1, -1):
        if i in removed:
            continue
        words = len(texts[i].split())
        if words <= 2 and not _looks_like_headline(texts[i], language, strict=True):
            break
        if _looks_like_headline(texts[i], language, strict=True):
            return i
        skipped += 1
        if skipped >= _TITLE_MAX_SKIPPED:
            break
    first = next(i for i in kept if i >= block.start)
    return first if _looks_like_headline(texts[first], language) else None


def _looks_like_headline(text: str, language: str, strict: bool = False) -> bool:
    words = text.split()
    if not words or len(words) > _TITLE_MAX_WORDS:
        return False
    if strict and (len(words) < 2 or text.endswith(".") or not any(c.isalpha() for c in text)):
        return False
    return len(split_sentences(text, language)) == 1
