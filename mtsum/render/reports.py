"""The text format of the report commands: ``mtsum models``, ``cache stats``, ``eval`` and
``doctor``. (Their ``--format json`` is :func:`mtsum.render.json.json_document` of the same data.)

Each function returns what goes to stdout, without the final newline.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from mtsum.render.tables import human_size, table

if TYPE_CHECKING:
    from mtsum.models.manage import ConvertedModel, ModelStatus, PullReport, VerifyResult


def models_list(statuses: Sequence[ModelStatus]) -> str:
    """One row per configured model: where it is, what runs it, its size and formats."""
    rows = [["NAME", "MODEL", "REVISION", "STATUS", "RUNS WITH", "SIZE", "FORMATS", "PATH / WHY MISSING"]]
    for s in statuses:
        rows.append([
            s.name, s.model if not s.local else os.path.basename(s.model) or s.model,
            (s.commit or s.revision or "-")[:12] if not s.local else "(local)",
            "available" if s.available else "missing",
            s.runs_with or "-",
            human_size(s.size_bytes) if s.path else "-",
            ",".join(s.formats) or "-",
            (s.path or "") if s.available else (s.missing or ""),
        ])
    return table(rows)


def models_list_notes(statuses: Sequence[ModelStatus]) -> list[str]:
    """Lines for stderr: why each model runs with its backend, and how to get missing ones."""
    notes = [f"{s.name}: {s.runs_with}, {s.why.removeprefix('auto: ')}" for s in statuses if s.available and s.why]
    if not all(s.available for s in statuses):
        notes.append("\nmissing models: run `mtsum models pull` where the hub is reachable "
                     "(or `mtsum models pull --to DIR` and copy DIR here)")
    return notes


def pull_report(report: PullReport) -> str:
    """What was downloaded or copied, the conversions checked, and how to use a ``--to`` folder."""
    rows = [["NAME", "MODEL", "COMMIT", "ACTION", "SIZE", "PATH"]]
    rows += [[m.name, m.model, (m.commit or "-")[:12], m.action, human_size(m.size_bytes), m.path]
             for m in report.models]
    parts = [table(rows)]
    if report.converted:
        parts.append("\nCTranslate2 conversions (what --backend auto runs):")
        parts.append(table([["NAME", "COMPUTE", "ACTION", "FAITHFUL", "CHRF", "IDENTICAL"]] + [
            [c.name, c.compute_type, c.action, "-" if c.faithful is None else "yes" if c.faithful else "NO",
             "-" if c.chrf is None else f"{c.chrf:.1f}",
             "-" if c.identical_share is None else f"{100 * c.identical_share:.0f} %"] for c in report.converted]))
    if report.models_yaml:
        parts.append(f"\nwrote {report.models_yaml}\ncopy {report.to} to the target machine and "
                     f"run e.g. `mtsum translate --models {report.models_yaml} ...` "
                     "(or set MTSUM_MODELS)")
    return "\n".join(parts)


def verify_report(results: Sequence[VerifyResult]) -> str:
    """One row per model, the agreement of converted models with float32, and how to fix failures."""
    rows = [["NAME", "MODEL", "RESULT", "SECONDS", "OUTPUT / ERROR"]]
    for r in results:
        detail = (r.output or "")[:60] if r.ok else (r.error or "")
        rows.append([r.name, r.model, "ok" if r.ok else "FAILED", f"{r.seconds:.2f}", detail])
    parts = [table(rows)]
    agreements = [(r.name, a) for r in results for a in r.agreement]
    if agreements:
        parts.append("\nAgreement with float32 on built-in inputs (identical outputs, chrF 0-100):")
        parts.append(table([["NAME", "BACKEND", "COMPUTE", "AGAINST", "IDENTICAL", "CHRF", "FAITHFUL"]] + [
            [name, a["backend"], a["compute_type"], a["against"],
             f"{a['identical']}/{a['inputs']} ({100 * a['identical_share']:.0f} %)", f"{a['chrf']:.1f}",
             "yes" if a["faithful"] else "NO"] for name, a in agreements]))
    failed = [r for r in results if not r.ok]
    if failed:
        parts.append("\nHow to fix:")
        parts += [f"- {r.name}: {r.message}" for r in failed]
    return "\n".join(parts)


def convert_report(done: Sequence[ConvertedModel]) -> str:
    """One row per conversion: made, kept or replaced, its size, time and folder."""
    rows = [["NAME", "MODEL", "COMPUTE TYPE", "ACTION", "SIZE", "SECONDS", "PATH"]]
    rows += [[m.name, m.model, m.compute_type, m.action, human_size(m.size_bytes), f"{m.seconds:.1f}", m.path]
             for m in done]
    return table(rows)


def cache_stats(stats: dict[str, Any]) -> str:
    """Where the translation cache is, what it holds and its bound."""
    return "\n".join([
        f"path:     {stats['path']}{'' if stats['exists'] else ' (not created yet)'}",
        f"entries:  {stats['entries']} translations from {stats['keys']} model configuration(s)",
        f"size:     {human_size(stats['bytes'])} of at most {human_size(stats['max_bytes'])} "
        "(least recently used entries go first; MTSUM_CACHE_MAX_MB)",
    ])


def translation_scores(scores: dict[str, Any]) -> str:
    """sacrebleu's own lines, so figures can be compared with its CLI and with papers."""
    return "\n".join([f"lines: {scores['lines']}", scores["bleu_text"], scores["chrf_text"],
                      f"BLEU signature: {scores['bleu_signature']}",
                      f"chrF signature: {scores['chrf_signature']}"])


def summary_scores(scores: dict[str, Any], per_document: bool = False) -> str:
    """Mean ROUGE F-measures, optionally a row per document, and how they were computed."""
    from mtsum.evaluate import ROUGE_TYPES

    parts = [f"documents: {scores['documents']}",
             "  ".join(f"{t}: {scores[t]:.2f}" for t in ROUGE_TYPES)]
    if per_document:
        rows = [["DOCUMENT", "ROUGE-1", "ROUGE-2", "ROUGE-L", "ROUGE-Lsum"]]
        rows += [[n, *(f"{d[t]:.2f}" for t in ROUGE_TYPES)] for n, d in scores["per_document"].items()]
        parts.append(table(rows))
    parts.append(f"scorer: {scores['scorer']}")
    return "\n".join(parts)


def doctor_report(r: dict[str, Any]) -> str:
    """``mtsum doctor``'s report (:func:`mtsum.doctor.collect_report`) as aligned lines."""
    t, d, c = r["torch"], r["device"], r["hf_cache"]
    lines = [
        f"python:        {r['python']} ({r['python_executable']})",
        f"mtsum:         {r['mtsum'] or 'unknown (not installed)'}",
        f"torch:         {t.get('version', 'NOT INSTALLED') if t['installed'] else 'NOT INSTALLED'}"
        + (f" (CUDA build {t['cuda_build']})" if t.get("cuda_build") else ""),
        f"transformers:  {t.get('transformers') or '-'}",
        f"CUDA:          {'yes: ' + ', '.join(t['cuda_devices']) if t.get('cuda_available') else 'no'}",
        f"device:        {d['chosen'] or 'ERROR'} (requested {d['requested']})",
        f"HF cache:      {c['path']} ({human_size(c['size_bytes']) if c['exists'] else 'does not exist'})",
        f"offline mode:  {'on' if r['offline'] else 'off'}",
        f"models file:   {r['models']['config']}",
    ]
    for m in r["models"]["models"]:
        state = (f"available, {human_size(m['size_bytes'])}, {','.join(m['formats'])}"
                 if m["available"] else f"MISSING: {m['missing']}")
        lines.append(f"  {m['name']:<16} {m['model']}: {state}")
        if m["available"] and m.get("why"):
            lines.append(f"  {'':<16} runs with {m['runs_with']}: {m['why']}")
    lines.append("optional packages:")
    for name, o in r["optional"].items():
        lines.append(f"  {name:<16} {o['version'] or 'installed' if o['installed'] else 'not installed'}"
                     f"  ({o['for']})")
    if r["problems"]:
        lines.append("problems:")
        lines += [f"  - {p}" for p in r["problems"]]
    else:
        lines.append("problems: none")
    return "\n".join(lines)
