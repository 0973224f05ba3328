"""Quality evaluation: BLEU/chrF for translations (sacrebleu), ROUGE for summaries.

Scores are reported exactly as the reference tools compute them, so a figure from
``mtsum eval`` can be put next to a published one: BLEU and chrF on sacrebleu's
0-100 scale with their signatures, ROUGE F-measures (``rouge_score``, Porter
stemmer) scaled to 0-100 like in papers. Hypotheses come either from files (no
model is loaded) or from mtsum's own pipeline via ``translate_lines`` /
``summarize_docs``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from mtsum.errors import InputError, MissingDependencyError
from mtsum.text.segment import split_sentences

ROUGE_TYPES = ("rouge1", "rouge2", "rougeL", "rougeLsum")


def read_lines(path: str | os.PathLike[str]) -> list[str]:
    """Lines of a text file, read the way the sacrebleu CLI reads them.

    sacrebleu opens with ``newline="\\n"`` and ``rstrip()``s each line; doing the same
    keeps our figures identical to ``sacrebleu REF -i HYP``.

    Raises:
        InputError: the file is missing, a directory, or not UTF-8.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: no such file" if not p.exists() else f"{p}: is not a file")
    try:
        with open(p, encoding="utf-8", newline="\n") as fh:
            return [line.rstrip() for line in fh]
    except UnicodeDecodeError as exc:
        raise InputError(f"{p}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise InputError(f"cannot read {p}: {exc.strerror}") from None


def score_translation(hyps: Sequence[str], refs: Sequence[str]) -> dict[str, Any]:
    """Corpus BLEU and chrF of ``hyps`` against one reference per line.

    Returns a dict with ``bleu``/``chrf`` (0-100 floats, unrounded), their sacrebleu
    ``*_signature`` strings, sacrebleu's one-line ``*_text`` and ``lines``.

    Raises:
        InputError: the line counts differ or there are no lines.
        MissingDependencyError: sacrebleu is not installed.
    """
    if len(hyps) != len(refs):
        raise InputError(
            f"hypotheses and references differ in length: {len(hyps)} vs {len(refs)} lines "
            "(they must be line-aligned, one segment per line)"
        )
    if not hyps:
        raise InputError("nothing to score: the hypothesis and reference files are empty")
    try:
        from sacrebleu.metrics import BLEU, CHRF
    except ImportError as exc:
        raise MissingDependencyError(
            "BLEU/chrF need sacrebleu, a dependency of mtsum missing from this environment: "
            "pip install sacrebleu (or reinstall mtsum)"
        ) from exc
    bleu, chrf = BLEU(), CHRF()
    bleu_score = bleu.corpus_score(list(hyps), [list(refs)])
    chrf_score = chrf.corpus_score(list(hyps), [list(refs)])
    return {
        "lines": len(hyps),
        "bleu": bleu_score.score,
        "chrf": chrf_score.score,
        "bleu_signature": str(bleu.get_signature()),
        "chrf_signature": str(chrf.get_signature()),
        "bleu_text": str(bleu_score),
        "chrf_text": str(chrf_score),
    }


def score_summaries(hyps: Mapping[str, str] | Sequence[str],
                    refs: Mapping[str, str] | Sequence[str]) -> dict[str, Any]:
    """Mean ROUGE-1/2/L/Lsum F-measures (0-100) of summaries against references.

    ``hyps`` and ``refs`` are both dicts keyed by document name (matched by key) or
    both lists (matched by position). Returns ``{"documents": n, "rouge1": ..,
    ..., "per_document": {name: {rouge1: ..}}}``.

    Raises:
        InputError: the documents do not match one to one, or there are none.
        MissingDependencyError: rouge-score is not installed.
    """
    names, pairs = _matched(hyps, refs)
    try:
        from rouge_score import rouge_scorer
    except ImportError as exc:
        raise MissingDependencyError(
            "ROUGE needs rouge-score, a dependency of mtsum missing from this environment: "
            "pip install rouge-score (or reinstall mtsum)"
        ) from exc
    # The Porter stemmer is code, not NLTK data: nothing is downloaded.
    scorer = rouge_scorer.RougeScorer(list(ROUGE_TYPES), use_stemmer=True)
    per_doc: dict[str, dict[str, float]] = {}
    for name, (hyp, ref) in zip(names, pairs):
        scores = scorer.score(_sentence_lines(ref), _sentence_lines(hyp))
        per_doc[name] = {t: 100 * scores[t].fmeasure for t in ROUGE_TYPES}
    result: dict[str, Any] = {"documents": len(pairs)}
    for t in ROUGE_TYPES:
        result[t] = sum(d[t] for d in per_doc.values()) / len(per_doc)
    result["per_document"] = per_doc
    result["scorer"] = "rouge_score, use_stemmer=True, F-measure x100, mean over documents"
    return result


def _matched(hyps: Mapping[str, str] | Sequence[str],
             refs: Mapping[str, str] | Sequence[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """Document names and ``(summary, reference)`` pairs, matched by name or by position."""
    if isinstance(hyps, Mapping) != isinstance(refs, Mapping):
        raise InputError("summaries and references must both be keyed by name or both be lists")
    if isinstance(hyps, Mapping) and isinstance(refs, Mapping):
        missing_ref = sorted(set(hyps) - set(refs))
        missing_hyp = sorted(set(refs) - set(hyps))
        if missing_ref or missing_hyp:
            parts = []
            if missing_hyp:
                parts.append(f"no summary for: {', '.join(missing_hyp[:10])}")
            if missing_ref:
                parts.append(f"no reference for: {', '.join(missing_ref[:10])}")
            raise InputError("summaries and references do not match by name; " + "; ".join(parts))
        names = sorted(refs)
        pairs = [(hyps[n], refs[n]) for n in names]
    else:
        if len(hyps) != len(refs):
            raise InputError(f"{len(hyps)} summaries but {len(refs)} references")
        names = [str(i) for i in range(len(refs))]
        pairs = list(zip(hyps, refs))
    if not pairs:
        raise InputError("nothing to score: no summaries")
    return names, pairs


def _sentence_lines(text: str) -> str:
    """One sentence per line, for rougeLsum (the "R-L" of the BART paper; the other
    ROUGE types ignore newlines). Summaries are English; a line break ends a sentence."""
    return "\n".join(split_sentences(text, "en"))


def read_dir(folder: str | os.PathLike[str]) -> dict[str, str]:
    """``{file stem: text}`` for the text files in a folder (matched by name across folders).

    Raises:
        InputError: the folder is missing or holds no readable files.
    """
    d = Path(folder)
    if not d.is_dir():
        raise InputError(f"{d}: no such folder" if not d.exists() else f"{d}: is not a folder")
    out: dict[str, str] = {}
    for p in sorted(d.iterdir()):
        if not p.is_file() or p.name.startswith("."):
            continue
        if p.stem in out:
            raise InputError(f"{d}: two files share the name '{p.stem}' (names match documents)")
        try:
            out[p.stem] = p.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise InputError(f"{p}: not UTF-8 text") from None
    if not out:
        raise InputError(f"{d}: no files")
    return out


def translate_lines(lines: Sequence[str], source: str, models_config: Any = None,
                    device: str | None = None, batch_size: int | None = None,
                    offline: bool | None = None) -> list[str]:
    """Translate line-aligned segments with mtsum's pipeline; one output line per input line.

    Blank lines stay blank (the pipeline drops empty paragraphs, so they are not sent).

    Raises:
        whatever ``Pipeline.translate_document`` raises (InputError, ModelUnavailableError, ...).
    """
    from mtsum.io.inputs import text_document  # the pipeline, and torch with it, only when needed
    from mtsum.pipeline.core import Pipeline, Settings

    # A line's newline inside a segment would split it into two paragraphs.
    todo = [(i, " ".join(line.split())) for i, line in enumerate(lines)]
    todo = [(i, line) for i, line in todo if line]
    out = [""] * len(lines)
    if not todo:
        return out
    doc = text_document("\n".join(line for _, line in todo), "<text>", "auto")
    pipeline = Pipeline(models_config, Settings(source=source, device=device, batch_size=batch_size, offline=offline))
    result = pipeline.translate_document(doc)
    paragraphs = list(result.paragraphs)
    if len(paragraphs) != len(todo):
        raise InputError(
            f"internal: sent {len(todo)} lines to translate but got {len(paragraphs)} paragraphs back"
        )
    for (i, _), para in zip(todo, paragraphs):
        out[i] = " ".join(str(para.translation).split())
    return out


def summarize_docs(docs: Mapping[str, str], models_config: Any = None,
                   device: str | None = None, offline: bool | None = None) -> dict[str, str]:
    """Summarize each document with mtsum's BART summarizer (shared batches): ``{name: summary}``.

    Raises:
        the first error of any document (InputError, ModelUnavailableError, ...).
    """
    from mtsum.errors import MtsumError
    from mtsum.io.inputs import Document
    from mtsum.pipeline.core import Pipeline, Settings

    pipeline = Pipeline(models_config, Settings(device=device, offline=offline))
    out: dict[str, str] = {}
    for doc, result in pipeline.summarize_many([Document(n, t, "text") for n, t in docs.items()], "bart"):
        if isinstance(result, MtsumError):
            raise result
        out[doc.name] = result.summary
    return out
