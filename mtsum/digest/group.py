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
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..tfidf import cosine_matrix

# Calibrated on tests/data/digest: reports of one story by different outlets score
# 0.29-0.35 against each other, unrelated news below 0.05; a shared agency copy
# scores 1.0 containment, a different report of the same event about 0.05.
DEFAULT_STORY_THRESHOLD = 0.15
DEFAULT_COPY_THRESHOLD = 0.7
SHINGLE = 4

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
    sim = tfidf_similarity(texts)
    clusters = _average_linkage(sim, threshold)
    shingles = [_shingles(t) for t in texts]
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
