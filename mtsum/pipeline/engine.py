"""Shared batches across documents: windows of prepared documents, translated together.

Documents come prepared (:mod:`mtsum.pipeline.prepare`) into a window; when the window
holds enough segments (or documents), the unique segments of all of them are
translated per language, with the token counts preparation made, in token-budgeted
batches, and each document is assembled (:mod:`mtsum.pipeline.assemble`) and yielded
in input order. One document's failure (its language, its model) is its outcome; the
others go on.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from mtsum.errors import Interrupted, MtsumError
from mtsum.pipeline.prepare import PreparedDocument

if TYPE_CHECKING:
    from mtsum.io.inputs import Document
    from mtsum.results import TranslationResult
    from mtsum.translation.translator import Translation, Translator

# A window of documents shares batches; its results are yielded when it is done.
WINDOW_SEGMENTS = 2048
WINDOW_DOCUMENTS = 64
# The in-run memo of translations is dropped past this many entries (memory bound).
_MEMO_MAX = 200_000

Outcome = tuple["Document", "PreparedDocument | MtsumError"]
# Assembles a prepared document from the memo; the second argument is what this
# window translated (not the cache), each counted for the first document that has it.
Assemble = Callable[[PreparedDocument, set[tuple[str, str]]], "TranslationResult"]


class Engine:
    """Translates windows of prepared documents with one in-run memo of translations."""

    def __init__(self, translator: Callable[[str], Translator]) -> None:
        self.translator = translator
        self.memo: dict[tuple[str, str], Translation] = {}

    def run(self, items: Iterable[Outcome], assemble: Assemble
            ) -> Iterator[tuple[Document, TranslationResult | MtsumError]]:
        """Each item's ``(doc, result or error)``, in input order, a window at a time."""
        window: list[Outcome] = []
        pending = 0
        for doc, prepared in items:
            window.append((doc, prepared))
            if isinstance(prepared, PreparedDocument):
                pending += len(prepared.counted_segments())
            # Outcomes keep input order, so a failure waits for its window too.
            if pending >= WINDOW_SEGMENTS or len(window) >= WINDOW_DOCUMENTS:
                yield from self._flush(window, assemble)
                window, pending = [], 0
        if window:
            yield from self._flush(window, assemble)

    def _flush(self, window: list[Outcome], assemble: Assemble
               ) -> Iterator[tuple[Document, TranslationResult | MtsumError]]:
        failed, translated_now = self._translate([p for _, p in window if isinstance(p, PreparedDocument)])
        for doc, prepared in window:
            if isinstance(prepared, MtsumError):
                yield doc, prepared
                continue
            needed = {lang for lang, _, _ in prepared.counted_segments()}
            error = next((failed[lang] for lang in sorted(needed) if lang in failed), None)
            yield doc, error if error is not None else assemble(prepared, translated_now)

    def _translate(self, ready: list[PreparedDocument]
                   ) -> tuple[dict[str, MtsumError], set[tuple[str, str]]]:
        """Translate the window's segments not in the memo, per language; returns the
        languages whose translation failed and the segments translated by a model now."""
        # Cleared first: every segment of the window is then in the memo for assembly.
        if len(self.memo) > _MEMO_MAX:
            self.memo.clear()
        todo: dict[str, dict[str, int]] = {}  # per language, unique segments and their tokens, in order
        for prepared in ready:
            for lang, seg, tokens in prepared.counted_segments():
                if (lang, seg) not in self.memo:
                    todo.setdefault(lang, {}).setdefault(seg, tokens)
        failed: dict[str, MtsumError] = {}
        translated_now: set[tuple[str, str]] = set()
        for lang, counted in todo.items():
            unique = list(counted)
            try:
                translator = self.translator(lang)
                if _takes_counts(translator):
                    outputs = translator.translate(unique, token_counts=list(counted.values()))
                else:
                    outputs = translator.translate(unique)
            except Interrupted:
                raise
            except MtsumError as exc:
                failed[lang] = exc
                continue
            for seg, out in zip(unique, outputs, strict=True):
                self.memo[(lang, seg)] = out
                if not out.cached:
                    translated_now.add((lang, seg))
        return failed, translated_now


def _takes_counts(translator: Translator) -> bool:
    # A translator written before token counts were passed on (a user's own) counts again.
    return "token_counts" in inspect.signature(translator.translate).parameters
