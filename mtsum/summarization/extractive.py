"""Extractive summaries without model weights: TextRank over TF-IDF sentence similarity.

``--summarizer extractive`` must work with no model at all and no network, so this
is hand-written (TF-IDF in :mod:`mtsum.text.tfidf`): sumy and other NLTK-based summarizers need punkt/stopword data
downloaded at run time, gensim removed its summarizer in 4.0, and pytextrank needs
spaCy plus a language model. The algorithm is small: sentences are nodes, edges are
the cosine similarity of their TF-IDF vectors, and PageRank (power iteration) ranks
them. The top sentences are returned verbatim, in document order.

numpy is the only numeric dependency (it comes with transformers); torch is never
imported here.
"""

from __future__ import annotations

from typing import Any

from mtsum.errors import ConfigError, InputError, MtsumError
from mtsum.summarization.bart import SummaryOutput
from mtsum.text.segment import split_sentences
from mtsum.text.tfidf import tfidf_rows

__all__ = ["ExtractiveSummarizer", "textrank_scores"]

DEFAULT_SENTENCES = 3
DAMPING = 0.85
# BART's byte-level BPE spends about 1.3 tokens per English word, so a token
# budget meant for the abstractive model becomes a comparable word budget.
WORDS_PER_TOKEN = 0.75

def textrank_scores(sentences: list[str], damping: float = DAMPING,
                    tol: float = 1e-10, max_iter: int = 200) -> list[float]:
    """PageRank centrality of each sentence in their TF-IDF cosine-similarity graph.

    The graph is never built: with X the sentences' normalized TF-IDF rows (sparse,
    :func:`mtsum.text.tfidf.tfidf_rows`), the similarity matrix is S = X Xᵀ with its diagonal
    removed, so each power-iteration step computes S v as X (Xᵀ v) - diag(S) v. That is the
    same PageRank as over the dense n x n matrix (the scores agree to float rounding),
    in memory linear in the text rather than quadratic in the sentence count: a
    30,000-sentence article would need 6.7 GiB per n x n matrix.
    """
    import numpy as np

    n = len(sentences)
    if n <= 1:
        return [1.0] * n
    rows, cols, values, n_cols = tfidf_rows(sentences)
    self_similarity = np.bincount(rows, weights=values * values, minlength=n)

    def similarity_times(v: Any) -> Any:
        """S v, S being the cosine-similarity matrix with a zero diagonal."""
        through_terms = np.bincount(cols, weights=values * v[rows], minlength=n_cols)
        return np.bincount(rows, weights=values * through_terms[cols], minlength=n) - self_similarity * v

    out_weight = similarity_times(np.ones(n))
    # A sentence that shares no term with any other (no entry in X: every similarity
    # exactly 0) votes for all sentences evenly.
    linked = np.bincount(rows, minlength=n) > 0
    share = np.where(linked, 1.0 / np.where(linked, out_weight, 1.0), 0.0)
    rank = np.full(n, 1.0 / n)
    for _ in range(max_iter):
        spread = float(rank[~linked].sum()) / n
        new = (1.0 - damping) / n + damping * (similarity_times(rank * share) + spread)
        done = float(np.abs(new - rank).sum()) < tol
        rank = new
        if done:
            break
    return [float(r) for r in rank]


class ExtractiveSummarizer:
    """Picks the most central sentences of a document; no model, no downloads."""

    def __init__(self, language: str = "en", default_sentences: int = DEFAULT_SENTENCES,
                 damping: float = DAMPING) -> None:
        self.language = language
        self.default_sentences = default_sentences
        self.damping = damping

    def describe(self) -> dict[str, Any]:
        return {"model": "textrank", "revision": None}

    def summarize_many(self, documents: list[list[str]], *, max_length: int | None = None,
                       min_length: int | None = None) -> list[SummaryOutput | MtsumError]:
        """Each document on its own (no model: nothing to batch); a document's error is its outcome."""
        out: list[SummaryOutput | MtsumError] = []
        for paragraphs in documents:
            try:
                out.append(self.summarize(paragraphs, max_length=max_length, min_length=min_length))
            except (InputError, ConfigError) as exc:
                out.append(exc)
        return out

    def summarize(self, paragraphs: list[str], max_sentences: int | None = None,
                  max_words: int | None = None, *, max_length: int | None = None,
                  min_length: int | None = None) -> SummaryOutput:
        """Summarize paragraphs by selecting whole sentences.

        Length: at most ``max_sentences`` sentences and ``max_words`` words. A
        ``max_length``/``min_length`` in model tokens (the abstractive summarizer's
        units) becomes a word budget/floor when ``max_words`` is not given; the floor
        may add sentences beyond ``max_sentences`` but never beyond ``max_words``.
        With no limit at all, ``default_sentences`` sentences. The top-ranked
        sentence is kept even if it alone exceeds the word budget.

        Raises:
            InputError: there is no sentence to select.
            ConfigError: a limit is below 1.
        """
        for name, value in (("max_sentences", max_sentences), ("max_words", max_words),
                            ("max_length", max_length)):
            if value is not None and value < 1:
                raise ConfigError(f"extractive summary: {name} must be at least 1, got {value}")
        sentences = [s for p in paragraphs if p and p.strip()
                     for s in split_sentences(p, self.language)]
        if not sentences:
            raise InputError("nothing to summarize: the text has no sentences left")
        if max_words is None and max_length is not None:
            max_words = max(1, round(max_length * WORDS_PER_TOKEN))
        min_words = round(min_length * WORDS_PER_TOKEN) if min_length else 0
        if max_sentences is None and max_words is None:
            max_sentences = self.default_sentences

        chosen = _select(sentences, textrank_scores(sentences, damping=self.damping),
                         max_sentences, max_words, min_words)
        return SummaryOutput(
            summary=" ".join(sentences[i] for i in sorted(chosen)),
            chunks=1,
            rounds=0,
            settings={
                "summarizer": "extractive",
                "algorithm": "textrank",
                "similarity": "tfidf-cosine",
                "damping": self.damping,
                "max_sentences": max_sentences,
                "max_words": max_words,
                "min_words": min_words,
                "sentences": len(sentences),
                "selected": len(chosen),
            },
            model=self.describe(),
        )


def _select(sentences: list[str], scores: list[float], max_sentences: int | None, max_words: int | None,
            min_words: int) -> list[int]:
    """Indices of the best-ranked distinct sentences within the limits; the top one at least."""
    # Rounding makes equal scores (float noise aside) tie; ties go to the earlier sentence.
    ranked = sorted(range(len(sentences)), key=lambda i: (-round(scores[i], 12), i))
    chosen: list[int] = []
    seen: set[str] = set()
    words = 0
    for i in ranked:
        if max_sentences is not None and len(chosen) >= max_sentences and words >= min_words:
            break
        size = len(sentences[i].split())
        if sentences[i] in seen or (max_words is not None and words + size > max_words):
            continue
        chosen.append(i)
        seen.add(sentences[i])
        words += size
    return chosen or [ranked[0]]
