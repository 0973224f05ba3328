"""TF-IDF cosine similarity of English texts: the one implementation behind the extractive
summarizer (sentences) and the digest's story grouping (articles).

Hand-written over numpy: scikit-learn's TfidfVectorizer would add scipy and ~50 MB for
a few lines of arithmetic, and NLTK-based tools want stopword corpora downloaded at
run time. Sublinear tf and smoothed idf, as in scikit-learn.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Any

_WORD = re.compile(r"\w+")
# Function words carry no topic; without them similarity links texts by content. A
# short fixed list: a downloaded stopword corpus is what we avoid.
STOPWORDS = frozenset("""
a about above after again against all also am an and any are as at be because been
before being below between both but by can could did do does doing down during each
few for from further had has have having he her here hers herself him himself his how
i if in into is it its itself just me more most my myself no nor not now of off on once
only or other our ours ourselves out over own same she should so some such than that
the their theirs them themselves then there these they this those through to too under
until up very was we were what when where which while who whom why will with would you
your yours yourself yourselves said says say mr mrs ms
""".split())


def terms(text: str) -> list[str]:
    """Content words of ``text``, lower-cased."""
    return [w for w in _WORD.findall(text.lower()) if w not in STOPWORDS and (len(w) > 1 or w.isdigit())]


def tfidf_rows(texts: list[str]) -> tuple[Any, Any, Any, int]:
    """The texts' L2-normalized TF-IDF vectors as a sparse matrix, one entry per (text, shared term).

    Returns ``(rows, cols, values, n_cols)``: numpy arrays of equal length, entry ``k`` being
    ``x[rows[k], cols[k]] = values[k]``, rows in text order. Only terms that occur in at
    least two texts get a column (``n_cols`` of them): a term in one text only adds to its
    norm, never to a dot product. Memory is linear in the length of the texts, whatever
    their number or vocabulary.
    """
    import numpy as np

    n = len(texts)
    counts = [Counter(terms(t)) for t in texts]
    df = Counter(term for c in counts for term in c)
    idf = {term: math.log((1 + n) / (1 + k)) + 1.0 for term, k in df.items()}
    weights = [{t: (1.0 + math.log(k)) * idf[t] for t, k in c.items()} for c in counts]
    norms = [math.sqrt(sum(w * w for w in row.values())) or 1.0 for row in weights]
    shared = {t: j for j, t in enumerate(sorted(t for t, k in df.items() if k > 1))}
    rows: list[int] = []
    cols: list[int] = []
    values: list[float] = []
    for i, row in enumerate(weights):
        for term, w in row.items():
            j = shared.get(term)
            if j is not None:
                rows.append(i)
                cols.append(j)
                values.append(w / norms[i])
    return (np.array(rows, dtype=np.intp), np.array(cols, dtype=np.intp),
            np.array(values, dtype=np.float64), len(shared))


def cosine_matrix(texts: list[str]) -> Any:
    """The n x n numpy matrix of cosine similarities of the texts' TF-IDF vectors
    (the diagonal is 1 for a text with shared terms, else 0).

    Dense: n x n floats. Fine for the digest's hundreds of articles; the extractive
    summarizer, which may see tens of thousands of sentences, works on
    :func:`tfidf_rows` instead and never builds this matrix.
    """
    import numpy as np

    rows, cols, values, n_cols = tfidf_rows(texts)
    x = np.zeros((len(texts), max(n_cols, 1)), dtype=np.float64)
    x[rows, cols] = values
    return x @ x.T
