"""Measure mtsum.detect.detect_language on a hand-written evaluation set.

Reads a TSV (``lang<TAB>sentence`` with a header line), detects every sentence and
prints a Markdown table: per language the number of sentences, the accuracy of the
top label, the accuracy on short sentences (at most 10 words), for languages the
product does not support the share flagged as unsupported (predicted label not in
sv/de/en: a Danish text must not be taken for Swedish), and the most common
confusions. Below the table: the time per sentence after a warm-up pass.

    .venv/bin/python scripts/detect_accuracy.py [--tsv tests/data/detect_sentences.tsv]
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import Counter, defaultdict
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mtsum.detect import SUPPORTED, detect_language  # noqa: E402

DEFAULT_TSV = ROOT / "tests" / "data" / "detect_sentences.tsv"
SHORT_WORDS = 10


def read_tsv(path: Path) -> list[tuple[str, str]]:
    """(lang, sentence) rows of ``path``; the header line is skipped."""
    rows: list[tuple[str, str]] = []
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader, None)
        if header is None or [h.strip() for h in header[:2]] != ["lang", "sentence"]:
            raise SystemExit(f"{path}: expected a header line 'lang<TAB>sentence'")
        for lineno, row in enumerate(reader, start=2):
            if not row or not "".join(row).strip():
                continue
            if len(row) != 2:
                raise SystemExit(f"{path}:{lineno}: expected 2 tab-separated columns, got {len(row)}")
            rows.append((row[0].strip(), row[1].strip()))
    return rows


def evaluate(rows: list[tuple[str, str]]) -> tuple[dict[str, dict[str, object]], float, float]:
    """Per-language statistics, seconds for the cold first pass and per sentence warm.

    lingua loads each language's n-gram models lazily, on the first text that needs
    them, so the first pass over the set is the warm-up (and gives the predictions);
    a second, timed pass measures the steady state.
    """
    start = time.perf_counter()
    predictions = [detect_language(sentence).language for _, sentence in rows]
    cold = time.perf_counter() - start
    start = time.perf_counter()
    for _, sentence in rows:
        detect_language(sentence)
    per_sentence = (time.perf_counter() - start) / len(rows)

    by_lang: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for (lang, sentence), pred in zip(rows, predictions):
        by_lang[lang].append((sentence, pred))

    stats: dict[str, dict[str, object]] = {}
    for lang, items in by_lang.items():
        n = len(items)
        short = [(s, p) for s, p in items if len(s.split()) <= SHORT_WORDS]
        confusions = Counter(p for _, p in items if p != lang)
        stats[lang] = {
            "n": n,
            "accuracy": sum(p == lang for _, p in items) / n,
            "n_short": len(short),
            "short_accuracy": (sum(p == lang for _, p in short) / len(short)) if short else None,
            "unsupported": sum(p not in SUPPORTED for _, p in items) / n,
            "confusions": confusions,
            "errors": [(s, p) for s, p in items if p != lang],
        }
    return stats, cold, per_sentence


def _order(langs: list[str]) -> list[str]:
    first = [lang for lang in (*SUPPORTED, "da", "nb", "nl") if lang in langs]
    return first + sorted(lang for lang in langs if lang not in first)


def render(stats: dict[str, dict[str, object]], cold: float, per_sentence: float, total: int) -> str:
    lines = [
        "| language | sentences | accuracy | accuracy ≤10 words | flagged as unsupported | confusions |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for lang in _order(list(stats)):
        st = stats[lang]
        short = st["short_accuracy"]
        short_cell = "—" if short is None else f"{short:.3f} (n={st['n_short']})"
        unsupported = "—" if lang in SUPPORTED else f"{st['unsupported']:.3f}"
        confusions = st["confusions"]
        conf_cell = ", ".join(f"{p} ×{c}" for p, c in confusions.most_common(3)) or "none"
        lines.append(
            f"| {lang} | {st['n']} | {st['accuracy']:.3f} | {short_cell} | {unsupported} | {conf_cell} |"
        )
    try:
        lingua_version = version("lingua-language-detector")
    except PackageNotFoundError:  # pragma: no cover - lingua is a dependency
        lingua_version = "unknown"
    lines.append("")
    lines.append(
        f"{total} sentences; {per_sentence * 1000:.2f} ms per sentence after warm-up "
        f"(first pass, loading lingua's models: {cold:.1f} s; lingua-language-detector {lingua_version})."
    )
    return "\n".join(lines)


def render_errors(stats: dict[str, dict[str, object]]) -> str:
    lines = ["", "Misdetected sentences:", ""]
    for lang in _order(list(stats)):
        for sentence, pred in stats[lang]["errors"]:
            lines.append(f"- {lang} → {pred}: {sentence}")
    if len(lines) == 3:
        lines.append("- none")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tsv", type=Path, default=DEFAULT_TSV, help="lang<TAB>sentence file with a header")
    parser.add_argument("--errors", action="store_true", help="also list every misdetected sentence")
    args = parser.parse_args(argv)
    rows = read_tsv(args.tsv)
    if not rows:
        raise SystemExit(f"{args.tsv}: no sentences")
    stats, cold, per_sentence = evaluate(rows)
    print(render(stats, cold, per_sentence, len(rows)))
    if args.errors:
        print(render_errors(stats))
    return 0


if __name__ == "__main__":
    sys.exit(main())
