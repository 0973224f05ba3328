"""``mtsum eval``: BLEU and chrF of translations, ROUGE of summaries, against references.

Presentation only: the scoring is in :mod:`mtsum.evaluate`.
"""

from __future__ import annotations

import click

from mtsum.cli.options import device_option, eval_source_option, format_option, models_option, offline_option
from mtsum.render import reports
from mtsum.render.json import json_document


@click.group("eval")
def eval_() -> None:
    """Score translations (BLEU, chrF) and summaries (ROUGE) against references."""


@eval_.command("translate")
@click.option("--src", type=click.Path(dir_okay=False), default=None,
              help="Source sentences, one per line (translated with mtsum unless --hyp).")
@click.option("--ref", required=True, type=click.Path(dir_okay=False),
              help="Reference translations, line-aligned.")
@click.option("--hyp", type=click.Path(dir_okay=False), default=None,
              help="Existing translations to score (no model is loaded).")
@eval_source_option
@click.option("--save-hyp", type=click.Path(dir_okay=False), default=None,
              help="Write mtsum's translations here, one per line.")
@models_option
@device_option
@offline_option
@format_option
def translate(src: str | None, ref: str, hyp: str | None, source: str,
              save_hyp: str | None, models_path: str | None, device: str | None,
              offline: bool | None, fmt: str) -> None:
    """Corpus BLEU and chrF (sacrebleu) of translations against references."""
    from mtsum.errors import InputError
    from mtsum.evaluate import read_lines, score_translation, translate_lines
    from mtsum.io.atomic import write_atomic

    refs = read_lines(ref)
    if hyp is not None:
        hyps, origin = read_lines(hyp), hyp
    elif src is None:
        raise click.UsageError("give --hyp FILE to score, or --src FILE to translate with mtsum")
    else:
        srcs = read_lines(src)
        if len(srcs) != len(refs):  # check before spending minutes translating
            raise InputError(f"--src has {len(srcs)} lines but --ref has {len(refs)}")
        hyps, origin = translate_lines(srcs, source, models_path, device, offline=offline), "mtsum"
        if save_hyp:
            write_atomic(save_hyp, "".join(h + "\n" for h in hyps))
    scores = {"hypotheses": origin, "references": ref, **score_translation(hyps, refs)}
    click.echo(json_document(scores) if fmt == "json" else reports.translation_scores(scores))


@eval_.command("summarize")
@click.option("--docs", type=click.Path(file_okay=False), default=None,
              help="Folder of documents to summarize with mtsum (unless --hyp).")
@click.option("--refs", required=True, type=click.Path(file_okay=False),
              help="Folder of reference summaries; files match documents by name.")
@click.option("--hyp", type=click.Path(file_okay=False), default=None,
              help="Folder of existing summaries to score (no model is loaded).")
@click.option("--save-hyp", type=click.Path(file_okay=False), default=None,
              help="Write mtsum's summaries to this folder.")
@click.option("--per-doc", is_flag=True, help="Also show each document's scores (text format).")
@models_option
@device_option
@offline_option
@format_option
def summarize(docs: str | None, refs: str, hyp: str | None, save_hyp: str | None,
              per_doc: bool, models_path: str | None, device: str | None,
              offline: bool | None, fmt: str) -> None:
    """Mean ROUGE-1/2/L/Lsum F-measures (x100) of summaries against references."""
    from pathlib import Path

    from mtsum.evaluate import read_dir, score_summaries, summarize_docs
    from mtsum.io.atomic import write_atomic

    references = read_dir(refs)
    if hyp is not None:
        hyps, origin = read_dir(hyp), hyp
    elif docs is None:
        raise click.UsageError("give --hyp DIR to score, or --docs DIR to summarize with mtsum")
    else:
        documents = read_dir(docs)
        # fail on name mismatches before loading a model
        score_summaries(dict.fromkeys(documents, "x"), dict.fromkeys(references, "x"))
        hyps, origin = summarize_docs(documents, models_path, device, offline=offline), "mtsum"
        if save_hyp:
            for name, text in hyps.items():
                write_atomic(Path(save_hyp) / f"{name}.txt", text + "\n")
    scores = {"hypotheses": origin, "references": refs, **score_summaries(hyps, references)}
    click.echo(json_document(scores) if fmt == "json" else reports.summary_scores(scores, per_doc))
