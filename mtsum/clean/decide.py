"""The decision on each line the rules left: the learned model weighs the structure.

:func:`mtsum.clean.features.analyse` describes a page and gives its hand-written
verdicts; :func:`decide` lets the learned model (:mod:`mtsum.clean.line_model`) weigh
them with each line's context. Links, menu rows, site vocabulary and "related" lists go
whatever it says (where the model's training found those verdicts held), and long prose
in the article's language always stays.

The cleaner calls this; it depends on features and line_model, neither of which
depends back on it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from mtsum.clean.features import Analysis

__all__ = ["decide"]

# The verdict on a line above the headline that does not read as text.
_ABOVE = "classifier:above-headline"
# The verdicts that drop a line whatever the model says, for a model file that does not
# name its own (scripts/train_clean.py chooses them on training folds); such a file came
# before "furniture-prose" was told apart from "site-furniture", and dropped both.
_STRONG_VERDICTS = frozenset({"link", "site-furniture", "furniture-prose", "menu-row", "related-list",
                              "above-headline"})


def decide(
    texts: Sequence[str],
    page: Analysis,
    above_headline: Sequence[int] = (),
    scores: dict[int, float] | None = None,
    language: str | None = None,
    weighed: dict[int, float] | None = None,
    header: Collection[int] = (),
) -> dict[int, str]:
    """The lines of *page* to drop: {index: "classifier:<feature>"}.

    *above_headline* are lines above the headline that do not read as text (the page
    header): one more hand-written verdict. The learned model (:mod:`mtsum.clean.line_model`)
    decides, with the hand-written verdicts among its features; a dropped line is named
    after the verdict that agreed, else ``classifier:model``. Without a model file the
    hand-written verdicts decide. *scores*, when given, receives the model's
    P(boilerplate) of every line it weighed (guarded prose included); *language*
    picks the model's threshold. *weighed*, when given, receives the P(boilerplate) the
    decision rested on, of every line the model could drop (guarded prose excluded).
    *header* (a subset of *above_headline*) is the page's header over a headline near
    the top: it goes whatever the model says where the model's verdicts say so.
    """
    import mtsum.clean.line_model as line_model  # numpy: only once a page is weighed

    verdicts = dict(page.drops)
    for i in above_headline:
        verdicts.setdefault(i, _ABOVE)
    model = line_model.current()
    if model is None:
        return {**verdicts, **dict.fromkeys(header, _ABOVE)}
    strong = _STRONG_VERDICTS if model.strong is None else model.strong
    rows, structure, guard = line_model.matrix(texts, page, frozenset(above_headline))
    # Guarded rows stay whatever the trees say: their features are needed only for scores.
    x = model.features([texts[i] for i in rows], structure, None if scores is not None else ~guard)
    known = None
    if scores is not None:
        known = model.probability(x)
        scores.update(zip(rows, known.tolist()))
    p = model.weigh(x, guard, known)
    if weighed is not None:
        weighed.update((i, w) for i, w in zip(rows, p.tolist()) if w == w)  # NaN: guarded
    drop = model.drops(p, language)
    out = {i: verdicts.get(i, "classifier:model") for i, d in zip(rows, drop) if d}
    # Links, menu rows, site vocabulary and "related" lists are boilerplate wherever they stand.
    # A line above a headline further down is only evidence: the header rule is *header*'s.
    out.update({i: v for i, v in verdicts.items() if v.split(":")[1] in strong and v != _ABOVE})
    if "above-headline" in strong:
        out.update(dict.fromkeys(header, _ABOVE))
    return out
