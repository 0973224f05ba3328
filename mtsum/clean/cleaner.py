"""Remove boilerplate, captions and repeated paragraphs before translation.

Works on source-language paragraphs (sv, de or en). The boilerplate rules are data
(YAML), resolved and matched by :mod:`mtsum.clean.rules`.

A paragraph is removed when a rule matches it as a whole, when it is a caption (or a
caption's uncredited twin), when it repeats an earlier paragraph
(:mod:`mtsum.clean.duplicates`), or when the
structure classifier in :mod:`mtsum.clean.features` and its learned line model
(:mod:`mtsum.clean.line_model`) find it outside the article (a run of short lines around
the text, a "related" list, a line of links or site vocabulary; rule
``classifier:<feature>``, or ``classifier:model`` where only the model decided).
A long sentence-shaped paragraph in the article's language is never dropped by the
classifier. Markers glued to the front of real text
("AnnonsWashington - ...") are stripped and the text kept. Every removal and every
strip is recorded in the result.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from mtsum.clean.duplicates import mark_duplicates, repeat_key
from mtsum.clean.features import analyse, decide, reads_as_text
from mtsum.clean.headline import find_headline
from mtsum.clean.rules import Prefixes, Rule, credit, joined, load_rules, matchers, remove_matches

# The public names are listed once, in mtsum/clean/__init__.py, which re-exports them.


# Rules whose line announces a list of links to other articles.
_LIST_HEADING_RULES = (":read_more", ":site_sections")
# "Läs också: <headline>" carries its one teaser; only a bare heading heads a list.
_INLINE_TEASER = re.compile(r":\s*\w")
# A headline this near the top has the page's header above it, nothing else.
_HEADER_LINES = 10
# The structure pass's verdicts (by shape) that rule a line out as the headline.
_NOT_HEADLINES = frozenset({"link", "menu-row", "related-list"})

# Invisible characters that make equal paragraphs compare unequal.
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200e\u200f\u2060\ufeff]")


def normalize_paragraph(text: str) -> str:
    """Return *text* in NFC with invisible characters removed and whitespace collapsed.

    Non-breaking and other Unicode spaces become one ordinary space; leading and
    trailing whitespace is stripped. Two paragraphs are "identical" when their
    normalized forms are equal.
    """
    if not unicodedata.is_normalized("NFC", text):  # a quick check: most text already is
        text = unicodedata.normalize("NFC", text)
    if _INVISIBLE.search(text):  # most lines have none: a search is cheaper than a substitution
        text = _INVISIBLE.sub("", text)
    return " ".join(text.split())


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
    # The line model's P(boilerplate) where the structure classifier dropped the line
    # and the model weighed it; None for rules, captions and duplicates.
    score: float | None = None


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
    # Input indices of lines put back from the page around an HTML extraction (mtsum.clean.restore).
    restored: list[int] = field(default_factory=list)

    @property
    def stats(self) -> dict[str, int]:
        reasons = [r.reason for r in self.removed]
        return {
            "paragraphs": self.input_count,
            "boilerplate_removed": reasons.count("boilerplate"),
            "captions_removed": reasons.count("caption"),
            "duplicates_collapsed": reasons.count("duplicate"),
            "prefixes_stripped": len(self.stripped),
            "lines_restored": len(self.restored),
            "kept_paragraphs": len(self.paragraphs),
        }

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of every field plus ``stats``."""
        data = asdict(self)
        data["stats"] = self.stats
        return data


def clean_paragraphs(
    paragraphs: Sequence[str],
    language: str,
    *,
    extra_rules: Iterable[str | os.PathLike[str]] | None = None,
    extracted: bool = False,
    restored: Iterable[int] = (),
) -> CleanResult:
    """Clean one document's paragraphs (in order) written in *language*.

    *extra_rules* are rules files applied over the packaged ones and over
    ``$MTSUM_RULES_DIR``. *extracted* says the paragraphs are an extractor's choice
    from an HTML page: the structure classifier, made to find furniture in whole pages,
    then drops nothing (on held-out sites it cost more article text there than
    boilerplate it removed); the rules, duplicates and the page header above the
    headline still go. *restored* are the indices of paragraphs put back from the page
    (:func:`mtsum.clean.restore.restore_article_lines`), recorded in the result. Raises
    ConfigError when a rules file is unreadable or malformed.
    """
    result = _clean(paragraphs, language, extra_rules, None, structure=not extracted)
    result.restored = sorted(restored)
    return result


def line_scores(
    paragraphs: Sequence[str], language: str, *, extra_rules: Iterable[str | os.PathLike[str]] | None = None
) -> dict[int, float]:
    """The line model's P(boilerplate) for each paragraph the rules, captions and
    duplicates left, by index; empty without a model file."""
    scores: dict[int, float] = {}
    _clean(paragraphs, language, extra_rules, scores)
    return scores


def _clean(
    paragraphs: Sequence[str],
    language: str,
    extra_rules: Iterable[str | os.PathLike[str]] | None,
    scores: dict[int, float] | None,
    structure: bool = True,
) -> CleanResult:
    rules = load_rules(language, extra_rules)
    if structure:
        rules = _learned_rules(rules)
    texts = [normalize_paragraph(p) for p in paragraphs]
    removed: dict[int, Removal] = {}
    stripped: list[Stripped] = []

    def drop(i: int, reason: str, rule: str | None, of: int | None = None, score: float | None = None) -> None:
        removed[i] = Removal(i, reason, of, rule, paragraphs[i], score)

    single: dict[int, str | None] = {}  # the first whole-line rule that needs no run
    matched: set[int] = set()  # lines some remove rule matches: the only ones a run rule may
    rule_matchers = matchers(rules)
    prefixes = Prefixes.of(rules)
    for i, text in enumerate(texts):
        if not text:
            drop(i, "boilerplate", "empty")
            continue
        any_rule, single[i] = remove_matches(rule_matchers, text)
        if any_rule is None:
            texts[i] = _strip_prefixes(prefixes, i, text, stripped)
            if texts[i] != text:
                any_rule, single[i] = remove_matches(rule_matchers, texts[i])
        if any_rule is not None:
            matched.add(i)

    for i, rule in _boilerplate(rules, texts, removed, single, matched).items():
        drop(i, "boilerplate", rule)
    _mark_captions(rules, texts, removed, drop)
    mark_duplicates(texts, removed, drop, keep_longer=not structure)

    decided = dict(removed)
    headings = [
        r.index
        for r in removed.values()
        if (r.rule or "").endswith(_LIST_HEADING_RULES) and not _INLINE_TEASER.search(texts[r.index])
    ]
    page = analyse(texts, language, list(removed), headings)
    block = page.block
    # Lines the structure pass calls links, menu rows or a related list by their shape
    # are passed over like the rules' removals: a breadcrumb is no headline. Not site
    # vocabulary: a headline may well say "membership" or "privacy".
    furniture = {i for i, v in page.drops.items() if v.split(":")[1] in _NOT_HEADLINES}
    title_index = find_headline(texts, language, decided.keys() | furniture, block, page.feats)
    above: list[int] = []
    if title_index is not None and block is not None and title_index <= block.start:
        # Above a headline found over the text is the page's header: site name, menus.
        above = [i for i in range(title_index) if (f := page.feats[i]) is not None and not reads_as_text(f)]
    # A short header over the headline (site name, a few menu entries): the model has
    # too little page around it to judge, so it goes whatever the model thinks, where
    # the model's training found that verdict held (structure.decide).
    header = above if title_index is not None and title_index <= _HEADER_LINES else []
    if not structure:
        for i in header:
            drop(i, "boilerplate", "classifier:above-headline")
    weighed: dict[int, float] = {}
    for i, rule in (decide(texts, page, above, scores, language, weighed, header) if structure else {}).items():
        if i != title_index and i not in removed:
            drop(i, "boilerplate", rule, score=weighed.get(i))

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


# --- stages -------------------------------------------------------------------


def _learned_rules(rules: list[Rule]) -> list[Rule]:
    """*rules* less the packaged ones the line model's training left out of plain-text
    cleaning (they did not hold on its training folds); a user's file naming one keeps it."""
    from mtsum.clean import line_model  # numpy: only once a page is cleaned

    model = line_model.current()
    if model is None or not model.rules_off:
        return rules
    return [r for r in rules if not (r.packaged and r.name in model.rules_off)]


def _strip_prefixes(prefixes: Prefixes, index: int, text: str, out: list[Stripped]) -> str:
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
    rules: list[Rule],
    texts: list[str],
    removed: dict[int, Removal],
    single: dict[int, str | None],
    matched: set[int],
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
            if i is not None and i in matched and any(p.fullmatch(texts[i]) for p in rule.patterns):
                run.append(i)
                continue
            if len(run) >= rule.min_run:
                hits.update(dict.fromkeys(run, rule.name))
            run = []
    return hits


_Drop = Callable[..., None]


def _mark_captions(rules: list[Rule], texts: list[str], removed: dict[int, Removal], drop: _Drop) -> None:
    twins: dict[str, int] = {}
    credits = [r for r in rules if r.kind == "credit"]
    found = joined(tuple(p.pattern for r in credits for p in r.patterns), "search")
    for i, text in enumerate(texts):
        if i in removed:
            continue
        hit = credit(credits, found, text)
        if hit:
            drop(i, "caption", hit[0])
            body = text[: hit[1]].strip()
            if body:
                twins.setdefault(repeat_key(body), i)
    if not twins:  # most pages: no credited caption, nothing to compare
        return
    for i, text in enumerate(texts):
        if i not in removed and repeat_key(text) in twins:
            drop(i, "caption", "caption_twin", twins[repeat_key(text)])
