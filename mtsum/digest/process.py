"""Articles through the pipeline: the single place the digest calls the engine.

:func:`process_documents` is the only function that touches
:class:`~mtsum.pipeline.Pipeline`: documents go through ``summarize_many`` (shared,
token-budgeted batches across articles, the persistent translation cache) and each
one's result (or its error) is yielded as soon as its window is done; the caller
commits each result to the state before asking for the next.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError, ModelUnavailableError, MtsumError

if TYPE_CHECKING:
    from ..config import ModelsConfig, ModelSpec
    from ..inputs import Document
    from ..pipeline import Pipeline
    from ..results import SummaryResult, TranslationResult


@dataclass
class ArticleResult:
    """What the digest keeps of one article: its summary and its full cleaned translation."""

    summary: SummaryResult
    translation: TranslationResult

    @property
    def english(self) -> str:
        """The cleaned English body, paragraphs separated by blank lines (no title)."""
        return "\n\n".join(p.translation for p in self.translation.paragraphs)

    @property
    def languages(self) -> list[str]:
        """Languages that went through a translation model (English passes through)."""
        return sorted(k for k in self.summary.models if k != "summarization")


def process_documents(pipeline: Pipeline, docs: Iterable[Document],
                      summarizer: str) -> Iterator[tuple[Document, ArticleResult | MtsumError]]:
    """Summarize and translate each document; yield its result or its own error.

    Errors that doom every article (a missing model, a bad registry) are raised, not
    yielded: the run stops, and the articles already committed stay done.
    """
    for doc, result in pipeline.summarize_many(docs, summarizer):
        if isinstance(result, (ConfigError, ModelUnavailableError)):
            raise result
        if isinstance(result, MtsumError):
            yield doc, result
            continue
        assert result.translation is not None  # summarize_many always keeps it
        yield doc, ArticleResult(result, result.translation)


def model_signature(config: ModelsConfig, summarizer: str, source: str, languages: Iterable[str]) -> str:
    """A short hash of everything that decides an article's output besides its text.

    Only the models the article actually used count, so changing the German model
    re-processes German articles and nothing else.
    """
    parts: dict[str, Any] = {"summarizer": summarizer, "source": source}
    for lang in sorted(set(languages) - {"en"}):
        parts[lang] = _spec_fingerprint(config.translation.get(lang))
    if summarizer == "bart":
        parts["summarization"] = _spec_fingerprint(config.summarization)
    blob = json.dumps(parts, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def _spec_fingerprint(spec: ModelSpec | None) -> Any:
    if spec is None:
        return None
    out: dict[str, Any] = {
        "model": spec.model, "revision": spec.revision,
        "generation": spec.generation, "max_input_tokens": spec.max_input_tokens,
    }
    if spec.local:
        # A local folder has no revision: its files' sizes and times stand in for one,
        # so replacing the weights in place re-processes the articles they made.
        folder = Path(spec.model)
        try:
            out["files"] = sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns)
                                  for p in folder.iterdir() if p.is_file())
        except OSError:
            out["files"] = None  # loading will report the missing folder properly
    return out
