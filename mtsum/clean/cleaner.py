"""Remove boilerplate, captions and repeated paragraphs before translation.

Works on source-language paragraphs (sv, de or en). The boilerplate rules are data
(YAML), resolved and matched by :mod:`mtsum.clean.rules`.

A paragraph is removed when a rule matches it as a whole, when it is a caption (or a
caption's uncredited twin), when it repeats an earlier paragraph
(:mod:`mtsum.clean.duplicates`), or when the
structure classifier in :mod:`mtsum.clean.features` and its learned line model
(:mod:`mtsum.clean.line_model`, weighed in :mod:`mtsum.clean.decide`) find it outside
the article (a run of short lines around
the text, a "related" list, a line of links or site vocabulary; rule
``classifier:<feature>``, or ``classifier:model`` where only the model decided).
A long sentence-shaped paragraph in the article's language is never dropped by the
classifier. Markers glued to the front of real text
("AnnonsWashington - ...") are stripped and the text kept. Every removal and every
strip is recorded in the result. Every way in runs :func:`clean_page` once per document.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence

from mtsum.clean.decide import decide
from mtsum.clean.duplicates import mark_duplicates, repeat_key, repeats
from mtsum.clean.features import analyse, reads_as_text
from mtsum.clean.headline import find_headline
from mtsum.clean.result import CleanResult, Removal, Stripped
from mtsum.clean.rules import Prefixes, Rule, credit, joined, load_rules, matchers, remove_matches

# The public names are listed once, in mtsum/clean/__init__.py, which re-exports them.


# Rules whose line announces a list of links to other articles.
_LIST_HEADING_RULES = (":read_more", ":site_sections")
# "Läs också: <headline>" carries its one teaser; only a bare heading heads a list.
_INLINE_TEASER = re.compile(r":\s*\w")
# A headline this near the top has the page's header above it, nothing else.
_HEADER_LINES = 10
# The structure pass's verdicts (by shape) that rule a line out as the headline. Not a
# "related" list: one runs on over short lines, and over an article it often takes in the
# article's own headline ("More News", a menu, the headline, the text); the headline
# model weighs its lines like any other (held out, the truth's title on 418-426 of 644
# pages instead of 407-411).
_NOT_HEADLINES = frozenset({"link", "menu-row"})

# Invisible characters that make equal paragraphs compare unequal.
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200e\u200f\u2060\ufeff]")


def _composed(text: str) -> str:
    """*text* in NFC."""
    # A quick check first: most text already is.
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def normalize_paragraph(text: str) -> str:
    """Return *text* in NFC with invisible characters removed and whitespace collapsed.

    Non-breaking and other Unicode spaces become one ordinary space; leading and
    trailing whitespace is stripped. Two paragraphs are "identical" when their
    normalized forms are equal.
    """
    text = _composed(text)
    if _INVISIBLE.search(text):  # most lines have none: a search is cheaper than a substitution
        text = _INVISIBLE.sub("", text)
    return " ".join(text.split())


def clean_paragraphs(
    paragraphs: Sequence[str],
    language: str,
    *,
    extra_rules: Iterable[str | os.PathLike[str]] | None = None,
    extracted: bool = False,
) -> CleanResult:
    """Clean one document's paragraphs (in order) written in *language*.

    *extra_rules* are rules files applied over the packaged ones and over
    ``$MTSUM_RULES_DIR``. *extracted* says the paragraphs are an extractor's choice
    from an HTML page: the structure classifier, made to find furniture in whole pages,
    then drops nothing (on held-out sites it cost more article text there than
    boilerplate it removed); the rules, duplicates and the page header above the
    headline still go.

    Raises:
        ConfigError: a rules file is unreadable or malformed.
    """
    return clean_page(paragraphs, language, extra_rules=extra_rules, structure=not extracted)


def line_scores(
    paragraphs: Sequence[str], language: str, *, extra_rules: Iterable[str | os.PathLike[str]] | None = None
) -> dict[int, float]:
    """The line model's P(boilerplate) for each paragraph the rules, captions and
    duplicates left, by index; empty without a model file."""
    scores: dict[int, float] = {}
    clean_page(paragraphs, language, extra_rules=extra_rules, scores=scores)
    return scores


def clean_page(
    paragraphs: Sequence[str],
    language: str,
    *,
    extra_rules: Iterable[str | os.PathLike[str]] | None = None,
    structure: bool = True,
    scores: dict[int, float] | None = None,
    undo: Callable[[Removal], bool] | None = None,
) -> CleanResult:
    """The cleaning every entry point runs, once per document.

    *structure* lets the structure classifier and the line model drop lines (off after
    an extraction); *scores*, when given, receives the line model's P(boilerplate) of
    every line it weighed; removals *undo* accepts are put back (normalized, unstripped)
    once everything is decided, as they were evidence for the headline and the rest.
    """
    rules = load_rules(language, extra_rules)
    if structure:
        rules = _learned_rules(rules)
    page = _Page(paragraphs)
    _rule_pass(page, rules, keep_longer=not structure)
    title_index = _structure_pass(page, language, structure, scores)
    return page.result(language, title_index, undo)


class _Page:
    """One document being cleaned: its normalized texts and what was removed or stripped."""

    def __init__(self, paragraphs: Sequence[str]) -> None:
        self.paragraphs = paragraphs
        self.texts = [normalize_paragraph(p) for p in paragraphs]
        self.removed: dict[int, Removal] = {}
        self.stripped: list[Stripped] = []

    def drop(self, i: int, reason: str, rule: str | None, of: int | None = None, score: float | None = None) -> None:
        self.removed[i] = Removal(i, reason, of, rule, self.paragraphs[i], score)

    def shown(self, i: int, cut: set[int]) -> str:
        """Paragraph *i* as the input wrote it, in NFC with whitespace collapsed: cleaning
        chooses paragraphs and does not rewrite them (a soft hyphen or a zero-width space
        stays, so text copied from the page is found in the output; translation normalizes
        its own input). NFC changes no character a reader sees, and puts a page's
        decomposed letters in the form almost all text has. A paragraph that lost a glued
        marker (*cut*) is its normalized rest."""
        if i in cut:
            return self.texts[i]
        return " ".join(_composed(self.paragraphs[i]).split())

    def result(self, language: str, title_index: int | None, undo: Callable[[Removal], bool] | None) -> CleanResult:
        texts, removed = self.texts, self.removed
        stripped = [s for s in self.stripped if s.index not in removed]
        if undo is not None:
            for r in [r for r in removed.values() if undo(r)]:
                del removed[r.index]
                texts[r.index] = normalize_paragraph(self.paragraphs[r.index])
        body = [i for i in range(len(texts)) if i not in removed and i != title_index]
        kept = ([] if title_index is None else [title_index]) + body
        repeat_of = repeats([texts[i] for i in kept], kept, normalize_paragraph)
        cut = {s.index for s in stripped}
        return CleanResult(
            title=self.shown(title_index, cut) if title_index is not None else None,
            paragraphs=[self.shown(i, cut) for i in body],
            kept_indices=body,
            removed=sorted(removed.values(), key=lambda r: r.index),
            language=language,
            title_index=title_index,
            stripped=stripped,
            input_count=len(texts),
            repeat_of=repeat_of[len(kept) - len(body):],
        )


def _rule_pass(page: _Page, rules: list[Rule], keep_longer: bool) -> None:
    """Empty lines, the rules (whole lines, runs, glued prefixes), captions and duplicates."""
    texts = page.texts
    single: dict[int, str | None] = {}  # the first whole-line rule that needs no run
    matched: set[int] = set()  # lines some remove rule matches: the only ones a run rule may
    rule_matchers = matchers(rules)
    prefixes = Prefixes.of(rules)
    for i, text in enumerate(texts):
        if not text:
            page.drop(i, "boilerplate", "empty")
            continue
        any_rule, single[i] = remove_matches(rule_matchers, text)
        if any_rule is None:
            texts[i] = _strip_prefixes(prefixes, i, text, page.stripped)
            if texts[i] != text:
                any_rule, single[i] = remove_matches(rule_matchers, texts[i])
        if any_rule is not None:
            matched.add(i)
    for i, rule in _boilerplate(rules, texts, page.removed, single, matched).items():
        page.drop(i, "boilerplate", rule)
    _mark_captions(rules, texts, page.removed, page.drop)
    mark_duplicates(texts, page.removed, page.drop, keep_longer=keep_longer)


def _structure_pass(page: _Page, language: str, structure: bool, scores: dict[int, float] | None) -> int | None:
    """Find the headline and the page header above it; with *structure*, let the line
    model drop what it finds outside the article. Returns the headline's index."""
    texts, removed = page.texts, page.removed
    decided = dict(removed)
    headings = [
        r.index
        for r in removed.values()
        if (r.rule or "").endswith(_LIST_HEADING_RULES) and not _INLINE_TEASER.search(texts[r.index])
    ]
    analysis = analyse(texts, language, list(removed), headings)
    block = analysis.block
    # Lines the structure pass calls links or menu rows by their shape are passed over
    # like the rules' removals: a breadcrumb is no headline. Not site
    # vocabulary: a headline may well say "membership" or "privacy".
    furniture = {i for i, v in analysis.drops.items() if v.split(":")[1] in _NOT_HEADLINES}
    title_index = find_headline(texts, language, decided.keys() | furniture, block, analysis.feats)
    above: list[int] = []
    if title_index is not None and block is not None and title_index <= block.start:
        # Above a headline found over the text is the page's header: site name, menus.
        above = [i for i in range(title_index) if (f := analysis.feats[i]) is not None and not reads_as_text(f)]
    # A short header over the headline (site name, a few menu entries): the model has
    # too little page around it to judge, so it goes whatever the model thinks, where
    # the model's training found that verdict held (mtsum.clean.decide).
    header = above if title_index is not None and title_index <= _HEADER_LINES else []
    if not structure:
        for i in header:
            page.drop(i, "boilerplate", "classifier:above-headline")
        return title_index
    weighed: dict[int, float] = {}
    for i, rule in decide(texts, analysis, above, scores, language, weighed, header).items():
        if i != title_index and i not in removed:
            page.drop(i, "boilerplate", rule, score=weighed.get(i))
    return title_index


# --- stages -------------------------------------------------------------------


def _learned_rules(rules: list[Rule]) -> list[Rule]:
    """*rules* less the packaged ones the line model's training left out of plain-text
    cleaning (they did not hold on its training folds); a user's file naming one keeps it."""
    import mtsum.clean.line_model as line_model  # numpy: only once a page is cleaned

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
