"""Articles through the pipeline: the single place the digest calls the engine.

:func:`process_documents` is the only function that runs
:class:`~mtsum.pipeline.core.Pipeline`: documents go through ``summarize_many`` (token-budgeted
batches, the persistent translation cache) and each one's result (or its error) is
yielded when it is done. The digest gives it one article at a time and commits each
result before reading the next, so a stop at any moment loses at most the article in
hand (batches across articles would make every article of a window of up to 64 wait
for the last one). :func:`read_article` reads a file once, without ever blocking.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mtsum.digest.names import one_line
from mtsum.errors import ConfigError, InputError, ModelUnavailableError, MtsumError
from mtsum.signature import Signature, content_hash

if TYPE_CHECKING:
    from mtsum.config import ModelsConfig, ModelSpec
    from mtsum.io.inputs import Document
    from mtsum.pipeline.core import Pipeline
    from mtsum.results import SummaryResult, TranslationResult


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


def read_article(path: Path, *, decode: bool = True) -> tuple[Document | None, str, float]:
    """Read ``path`` once: its document (with ``decode``), the sha256 of its bytes, its mtime.

    Opened without blocking and checked to be a regular file, so a FIFO put in place of
    an article is refused instead of waited on for ever. The document is built from the
    same bytes that are hashed, as :func:`mtsum.io.inputs.read_input` builds one, and named
    by the path as shown (:func:`~mtsum.digest.names.one_line`).

    Raises:
        InputError: unreadable, not a regular file, empty, binary, undecodable, no text.
    """
    label = one_line(str(path))
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise InputError(f"{label}: cannot read: {exc.strerror or exc}") from None
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputError(f"{label}: not a regular file (a FIFO, socket or device); skipped")
        try:
            data = f.read()
        except OSError as exc:
            raise InputError(f"{label}: cannot read: {exc.strerror or exc}") from None
    digest = content_hash(data).removeprefix("sha256:")  # the state keeps bare hex
    return (_document(label, path.suffix.lower(), data) if decode else None), digest, info.st_mtime


def _document(label: str, suffix: str, data: bytes) -> Document:
    from mtsum.io.inputs import decode_bytes, text_document

    return text_document(decode_bytes(data, label), label, suffix=suffix, url=label)


def conversion_hint(pipeline: Pipeline, summarizer: str) -> str | None:
    """A suggestion to run ``mtsum models convert``, where it would make the run faster:
    the backend is ``auto``, ctranslate2 is installed, and a configured model has no
    conversion. None otherwise (nothing is loaded or imported beyond the check)."""
    from mtsum.backends import ctranslate2_installed

    if pipeline.backend_name != "auto" or not ctranslate2_installed():
        return None
    from mtsum.backends.convert import find_converted

    config = pipeline.config
    specs = list(config.translation.values())
    if summarizer == "bart" and config.summarization is not None:
        specs.append(config.summarization)
    missing = [spec for spec in specs if spec.backend in (None, "auto")
               and find_converted(spec, pipeline.settings.compute_type or spec.compute_type) is None]
    if not missing:
        return None
    return (f"ctranslate2 is installed but {len(missing)} model(s) have no conversion for it; "
            "`mtsum models convert` makes the digest's translation and summaries several times faster")


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
    return Signature(parts).key(16)


def _spec_fingerprint(spec: ModelSpec | None) -> Any:
    if spec is None:
        return None
    out: dict[str, Any] = {
        "model": spec.model, "revision": spec.revision,
        "generation": spec.generation, "max_input_tokens": spec.max_input_tokens,
    }
    if spec.local:
        # A local folder has no revision: its files' sizes and times stand in for one,
        # so replacing the weights in place re-processes the articles they made. Listed,
        # not signature.folder_fingerprint: existing states hold signatures made this way.
        folder = Path(spec.model)
        try:
            out["files"] = sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns)
                                  for p in folder.iterdir() if p.is_file())
        except OSError:
            out["files"] = None  # loading will report the missing folder properly
    return out
