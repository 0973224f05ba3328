"""Story grouping: articles about the same story together, agency copies as one entry.

Hand-written over numpy on purpose: scikit-learn (TfidfVectorizer, AgglomerativeClustering)
would add scipy and ~50 MB to a tool whose nightly job needs neither, and MinHash
libraries (datasketch) estimate what is cheap to compute exactly at digest sizes
(hundreds of articles). Two measures, each suited to its question:

- *Same story?* TF-IDF cosine over content words (sublinear tf, smoothed idf, as in
  scikit-learn), then average-linkage agglomerative clustering stopped at
  ``threshold``: average linkage, unlike single linkage, does not chain A~B~C into one
  story when A and C have nothing in common.
- *Same text?* Word 4-gram shingles, overlap measured as containment (shared shingles
  over the smaller set), so a copy that an outlet trimmed or extended by a paragraph
  is still a copy.

Both look at each article's *body*: its text without the run's boilerplate
(:func:`boilerplate`), so an outlet's "about us" footer under every one of its articles
neither makes them one story nor copies of each other. (What the cleaner removes, an
article's own site furniture, is already gone from the stored translations.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mtsum.text.tfidf import cosine_matrix

# Calibrated on tests/data/digest: reports of one story by different outlets score
# 0.29-0.35 against each other, unrelated news below 0.05; a shared agency copy
# scores 1.0 containment, a different report of the same event about 0.05.
DEFAULT_STORY_THRESHOLD = 0.15
DEFAULT_COPY_THRESHOLD = 0.7
SHINGLE = 4
# A text that articles share is a footer, not their body, where at least two of them have
# this much text of their own beside it (and at least OWN_SHARE of its length).
OWN_WORDS = 20
OWN_SHARE = 0.5

_WORD = re.compile(r"\w+")


@dataclass
class Grouping:
    """Stories as lists of entries; an entry is a list of article indices (copies)."""

    stories: list[list[list[int]]]
    similarity: list[list[float]]  # the TF-IDF cosine matrix, for inspection and tests


def group_articles(texts: list[str], threshold: float = DEFAULT_STORY_THRESHOLD,
                   copy_threshold: float = DEFAULT_COPY_THRESHOLD) -> Grouping:
    """Group English ``texts`` into stories, and copies within each story.

    Within a story, entries are ordered by centrality (mean similarity to the other
    articles); within an entry the longest copy comes first. Stories keep the order of
    their first article.
    """
    n = len(texts)
    if n == 0:
        return Grouping([], [])
    bodies = strip_boilerplate(texts)
    sim = tfidf_similarity(bodies)
    clusters = _average_linkage(sim, threshold)
    shingles = [_shingles(t) for t in bodies]
    stories = []
    for members in sorted(clusters, key=min):
        copies = _copy_sets(members, shingles, copy_threshold)
        for c in copies:
            c.sort(key=lambda i: (-len(texts[i]), i))
        if len(members) > 1:
            centrality = {i: sum(sim[i][j] for j in members if j != i) / (len(members) - 1) for i in members}
            copies.sort(key=lambda c: (-max(centrality[i] for i in c), min(c)))
        stories.append(copies)
    return Grouping(stories, sim)


def strip_boilerplate(texts: list[str]) -> list[str]:
    """Each text without the paragraphs :func:`boilerplate` finds (all of it where nothing else is left)."""
    paragraphs = [_paragraphs(t) for t in texts]
    shared = boilerplate(paragraphs)
    bodies = []
    for text, paras in zip(texts, paragraphs):
        body = [p for p in paras if _key(p) not in shared]
        bodies.append("\n\n".join(body) if body else text)
    return bodies


def boilerplate(articles: list[list[str]]) -> set[str]:
    """Normalised paragraphs that are boilerplate in this run: text shared across stories.

    Paragraphs shared by exactly the same articles form a block. A block is boilerplate
    when at least two of its articles have text of their own besides it (outside every
    block that all of them share) of at least :data:`OWN_WORDS` words, and that text is
    either about different things (TF-IDF cosine below the story threshold: an outlet's
    footer under different stories) or at least :data:`OWN_SHARE` of the block's length
    in both (a footer under two reports of one story). An agency text that several
    outlets carry, with nothing beside it but a "read more" line or a short local
    addition, is their body.
    """
    where: dict[str, set[int]] = {}
    keys = [[k for k in dict.fromkeys(map(_key, paras)) if k] for paras in articles]
    for i, ks in enumerate(keys):
        for k in ks:
            where.setdefault(k, set()).add(i)
    shared = {k: frozenset(d) for k, d in where.items() if len(d) > 1}
    blocks: dict[frozenset[int], list[str]] = {}
    for k, docs in shared.items():
        blocks.setdefault(docs, []).append(k)
    found: set[str] = set()
    for docs, block in blocks.items():
        size = sum(len(k.split()) for k in block)
        own = {i: " ".join(k for k in keys[i] if not (k in shared and shared[k] >= docs)) for i in sorted(docs)}
        words = {i: len(text.split()) for i, text in own.items()}
        besides = [i for i in own if words[i] >= OWN_WORDS]
        if len(besides) < 2:
            continue
        if sum(words[i] >= OWN_SHARE * size for i in besides) >= 2 or _apart([own[i] for i in besides]):
            found.update(block)
    return found


def _apart(texts: list[str]) -> bool:
    """Are some two of the texts about different things?"""
    import numpy as np

    sim = cosine_matrix(texts)
    np.fill_diagonal(sim, 1.0)
    return bool((sim < DEFAULT_STORY_THRESHOLD).any())


def _paragraphs(text: str) -> list[str]:
    return [p for p in re.split(r"\n\s*\n", text) if p.strip()]


def _key(paragraph: str) -> str:
    return " ".join(_WORD.findall(paragraph.casefold()))


def tfidf_similarity(texts: list[str]) -> list[list[float]]:
    """Cosine similarity of the texts' TF-IDF vectors (n x n, 1.0 on the diagonal)."""
    import numpy as np

    sim = cosine_matrix(texts)
    np.fill_diagonal(sim, 1.0)
    return sim.round(6).tolist()


def _average_linkage(sim: list[list[float]], threshold: float) -> list[list[int]]:
    import numpy as np

    n = len(sim)
    s = np.array(sim, dtype=np.float64)
    np.fill_diagonal(s, -np.inf)
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    while len(members) > 1:
        flat = int(np.argmax(s))
        i, j = divmod(flat, n)
        if s[i, j] < threshold:
            break
        a, b = min(i, j), max(i, j)
        na, nb = len(members[a]), len(members[b])
        # Lance-Williams update for average linkage: the new cluster's similarity to
        # any other is the size-weighted mean of its parts'.
        merged = (na * s[a] + nb * s[b]) / (na + nb)
        s[a, :] = merged
        s[:, a] = merged
        s[b, :] = -np.inf
        s[:, b] = -np.inf
        s[a, a] = -np.inf
        members[a] += members.pop(b)
    return [sorted(m) for m in members.values()]


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = _WORD.findall(text.lower())
    if len(words) < SHINGLE:
        return {tuple(words)} if words else set()
    return {tuple(words[k:k + SHINGLE]) for k in range(len(words) - SHINGLE + 1)}


def containment(a: set[tuple[str, ...]], b: set[tuple[str, ...]]) -> float:
    """Shared shingles over the smaller set's size (0 when either is empty)."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def _copy_sets(members: list[int], shingles: list[set[tuple[str, ...]]], threshold: float) -> list[list[int]]:
    parent = {i: i for i in members}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for k, i in enumerate(members):
        for j in members[k + 1:]:
            if containment(shingles[i], shingles[j]) >= threshold:
                parent[find(j)] = find(i)
    sets: dict[int, list[int]] = {}
    for i in members:
        sets.setdefault(find(i), []).append(i)
    return sorted(sets.values(), key=min)
