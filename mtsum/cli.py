"""The ``mtsum`` command line: parse options, call the library, format results.

This is the only module that imports click. Library errors (``mtsum.errors``) become
a one-line ``mtsum: error: ...`` on stderr and their documented exit code; anything
else is exit 1. ``--debug`` shows the traceback.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import traceback
from typing import Any

import click

from .errors import MtsumError

log = logging.getLogger("mtsum")


class _Group(click.Group):
    """Maps exceptions to one stderr line and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MtsumError as exc:
            _fail(ctx, exc, exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("mtsum: interrupted", err=True)
            ctx.exit(130)
        except Exception as exc:
            _fail(ctx, exc, 1, unexpected=True)


def _fail(ctx: click.Context, exc: BaseException, code: int, unexpected: bool = False) -> None:
    debug = bool(ctx.obj and ctx.obj.get("debug"))
    if debug:
        traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
    msg = str(exc).replace("\n", " ") or type(exc).__name__
    if unexpected:
        msg = f"unexpected {type(exc).__name__}: {msg} (re-run with --debug for details)"
    click.echo(f"mtsum: error: {msg}", err=True)
    ctx.exit(code)


class _StderrHandler(logging.Handler):
    """Writes to whatever sys.stderr is *now* (CliRunner and pytest swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
        except Exception:  # logging must never break the command
            self.handleError(record)


def _setup_logging(level: int) -> None:
    if not any(isinstance(h, _StderrHandler) for h in log.handlers):
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("mtsum: %(message)s"))
        log.addHandler(handler)
        log.propagate = False
    log.setLevel(level)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logs.")
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr.")
@click.version_option(package_name="mtsum")
@click.pass_context
def main(ctx: click.Context, debug: bool, quiet: bool) -> None:
    """Read Swedish or German news in English: detect, translate, clean, summarize.

    \b
    Exit codes: 0 success, 1 unexpected error, 2 usage error or bad input
    (missing/empty/binary file, unsupported language, bad models.yaml),
    3 model not available (not cached and not reachable, or a missing model path).
    """
    # `mtsum ... | head` must end quietly, not with a BrokenPipeError traceback.
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    ctx.obj = {"debug": debug, "quiet": quiet}
    _setup_logging(logging.DEBUG if debug else logging.ERROR if quiet else logging.INFO)
    if not debug:
        # transformers/huggingface_hub chatter is noise for users; --debug shows it.
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


# --- spine commands: detect, translate (issue 2) ---

_models_opt = click.option(
    "--models", "models_path", type=click.Path(dir_okay=False), default=None,
    help="Model registry (default: MTSUM_MODELS, else the packaged models.yaml).")
_device_opt = click.option(
    "--device", default=None, help="auto, cpu, cuda or cuda:N (default: MTSUM_DEVICE, else auto).")
_offline_opt = click.option(
    "--offline/--online", "offline", default=None,
    help="Never/allow contacting the Hugging Face hub (default: HF_HUB_OFFLINE).")
_source_opt = click.option(
    "--source", type=click.Choice(["auto", "sv", "de", "en"]), default="auto", show_default=True,
    help="Source language; anything but auto skips detection.")
_batch_opt = click.option(
    "--batch-size", type=click.IntRange(min=1), default=None,
    help="Segments per model call (default: MTSUM_BATCH_SIZE, else 16).")
_input_format_opt = click.option(
    "--input-format", type=click.Choice(["auto", "text", "html"]), default="auto", show_default=True,
    help="auto: .html/.htm files and documents starting with <html> are HTML.")
_paths_arg = click.argument("paths", nargs=-1, required=True, metavar="PATH...")
_SUFFIX = {"text": ".txt", "json": ".json", "markdown": ".md"}


def _for_each_input(ctx: click.Context, paths: tuple[str, ...], work: Any) -> int:
    """Run ``work(path)`` per input; a bad input is reported and skipped, not fatal.

    Errors that concern the whole run (a model or the registry) stop it. Returns the
    worst exit code seen.
    """
    from .errors import InputError

    worst = 0
    for path in paths:
        try:
            work(path)
        except InputError as exc:
            if ctx.obj.get("debug"):
                traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
            click.echo(f"mtsum: error: {str(exc).replace(chr(10), ' ')}", err=True)
            worst = max(worst, exc.exit_code)
    return worst


def _run_documents(ctx: click.Context, paths: tuple[str, ...], input_format: str, output: str | None,
                   fmt: str, produce: Any) -> None:
    """Read each input, render it with ``produce(doc)``, write it; exit with the worst code."""
    from .inputs import read_input

    sink = _Sink(output, len(paths), fmt)

    def work(path: str) -> None:
        doc = read_input(path, input_format)
        header = f"==> {doc.name} <==" if len(paths) > 1 and fmt == "text" else None
        sink.write(path, produce(doc), header)

    try:
        code = _for_each_input(ctx, paths, work)
    finally:
        sink.close()
    ctx.exit(code)


class _Sink:
    """stdout, one file, or one file per input in a directory (-o)."""

    def __init__(self, output: str | None, n_inputs: int, fmt: str) -> None:
        from pathlib import Path

        self.fmt = fmt
        self.dir = None
        self.file = None
        if output:
            out = Path(output)
            if n_inputs > 1 or out.is_dir() or output.endswith(("/", os.sep)):
                out.mkdir(parents=True, exist_ok=True)
                self.dir = out
            else:
                out.parent.mkdir(parents=True, exist_ok=True)
                self.file = out.open("w", encoding="utf-8")
        self.first = True
        self.written: set[Any] = set()

    def write(self, name: str, rendered: str, header: str | None) -> None:
        from pathlib import Path

        if self.dir is not None:
            stem = "stdin" if name in ("-", "<stdin>") else Path(name).stem
            target = self.dir / f"{stem}.en{_SUFFIX[self.fmt]}"
            n = 2
            while target in self.written:  # a/x.txt and b/x.txt must not overwrite each other
                target, n = self.dir / f"{stem}-{n}.en{_SUFFIX[self.fmt]}", n + 1
            self.written.add(target)
            target.write_text(rendered + "\n", encoding="utf-8")
            log.info("wrote %s", target)
            return
        if header and not self.first:
            rendered = "\n" + rendered
        if header:
            rendered = header + "\n" + rendered
        self.first = False
        if self.file is not None:
            self.file.write(rendered + "\n")
        else:
            click.echo(rendered)

    def close(self) -> None:
        if self.file is not None:
            self.file.close()


def _render_translation(result: Any, fmt: str) -> str:
    import json

    if fmt == "json":
        return json.dumps(result.to_dict(), ensure_ascii=False)
    if fmt == "markdown":
        models = ", ".join(f"{m['model']}" for m in result.models.values()) or "none (English)"
        conf = "" if result.language_confidence is None else f", confidence {result.language_confidence:.2f}"
        title = f"# {result.title}\n\n" if result.title else ""
        return (f"{title}*{result.input}: translated from {result.source_language}{conf} with {models}*"
                f"\n\n{result.text}")
    return result.text


@main.command()
@_paths_arg
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def detect(ctx: click.Context, paths: tuple[str, ...], fmt: str) -> None:
    """Print the language of each input: path, language code, confidence.

    Any language is reported; only sv, de and en can be translated.
    """
    import json

    from .detect import detect_language
    from .inputs import read_input

    def work(path: str) -> None:
        doc = read_input(path)
        found = detect_language(doc.text)
        if fmt == "json":
            click.echo(json.dumps({"input": doc.name, **found.to_dict()}, ensure_ascii=False))
        else:
            click.echo(f"{doc.name}\t{found.language}\t{found.confidence:.2f}")

    ctx.exit(_for_each_input(ctx, paths, work))


@main.command()
@_paths_arg
@click.option("-o", "--output", type=click.Path(), default=None,
              help="Write here instead of stdout; a directory (one file per input) when several inputs.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text",
              show_default=True, help="json: one object per input, one per line (see README).")
@_source_opt
@_device_opt
@_batch_opt
@_models_opt
@click.option("--dedupe/--no-dedupe", default=False, show_default=True,
              help="Leave repeated paragraphs out of the output (default: faithful, every paragraph).")
@click.option("--clean/--no-clean", default=False, show_default=True,
              help="Drop boilerplate, captions and duplicates before translating (as summarize does).")
@_input_format_opt
@_offline_opt
@click.pass_context
def translate(ctx: click.Context, paths: tuple[str, ...], output: str | None, fmt: str, source: str,
              device: str | None, batch_size: int | None, models_path: str | None, dedupe: bool,
              clean: bool, input_format: str, offline: bool | None) -> None:
    """Translate Swedish or German news (PATH, or - for stdin) to English.

    English paragraphs pass through untranslated; repeated segments are translated once.
    """
    from .pipeline import Pipeline, Settings

    settings = Settings(source=source, device=device, batch_size=batch_size, dedupe=dedupe,
                        offline=offline, progress=not ctx.obj["quiet"])
    pipeline = Pipeline(models_path, settings)

    def produce(doc: Any) -> str:
        result = pipeline.translate_document(doc, clean=clean)
        s = result.stats
        log.info("%s: %s, %d paragraphs, %d of %d segments translated in %.1f s", doc.name,
                 result.source_language, s.paragraphs, s.segments_translated, s.segments, s.seconds)
        return _render_translation(result, fmt)

    _run_documents(ctx, paths, input_format, output, fmt, produce)


# --- summarize (issue 3) ---


def _render_summary(result: Any, fmt: str) -> str:
    import json

    if fmt == "json":
        return json.dumps(result.to_dict(), ensure_ascii=False)
    if fmt == "markdown":
        s = result.stats
        title = f"## {result.title}\n\n" if result.title else ""
        return (f"{title}{result.summary}\n\n*{result.input}: {result.source_language}, "
                f"{s.kept_paragraphs} of {s.paragraphs} paragraphs kept "
                f"({s.boilerplate_removed} boilerplate, {s.captions_removed} captions, "
                f"{s.duplicates_collapsed} duplicates removed), {result.summarizer} summary "
                f"in {s.chunks} chunk(s)*")
    return result.text


@main.command()
@_paths_arg
@click.option("-o", "--output", type=click.Path(), default=None,
              help="Write here instead of stdout; a directory (one file per input) when several inputs.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text",
              show_default=True, help="text: title and summary; json: one object per input, per line.")
@click.option("--summarizer", type=click.Choice(["bart", "extractive"]), default="bart", show_default=True,
              help="extractive: ranked sentences of the article, no summarization model needed.")
@click.option("--max-length", type=click.IntRange(min=1), default=None,
              help="Longest summary, in model tokens (default: the model's own setting).")
@click.option("--min-length", type=click.IntRange(min=0), default=None,
              help="Shortest summary, in model tokens.")
@_source_opt
@_device_opt
@_batch_opt
@_models_opt
@_input_format_opt
@_offline_opt
@click.pass_context
def summarize(ctx: click.Context, paths: tuple[str, ...], output: str | None, fmt: str, summarizer: str,
              max_length: int | None, min_length: int | None, source: str, device: str | None,
              batch_size: int | None, models_path: str | None, input_format: str,
              offline: bool | None) -> None:
    """Clean, translate and summarize articles (PATH, or - for stdin).

    Navigation, ads, bylines, captions and repeated paragraphs are removed before
    translation; long articles are summarized in chunks, never truncated.
    """
    from .pipeline import Pipeline, Settings

    settings = Settings(source=source, device=device, batch_size=batch_size, offline=offline,
                        progress=not ctx.obj["quiet"])
    pipeline = Pipeline(models_path, settings)

    def produce(doc: Any) -> str:
        result = pipeline.summarize_document(doc, summarizer, max_length=max_length, min_length=min_length)
        s = result.stats
        log.info("%s: %s, %d of %d paragraphs kept, %d chunk(s), %.1f s", doc.name,
                 result.source_language, s.kept_paragraphs, s.paragraphs, s.chunks, s.seconds)
        return _render_summary(result, fmt)

    _run_documents(ctx, paths, input_format, output, fmt, produce)


# --- models / eval / doctor commands (issue 4) ---
# Presentation only: the work is in mtsum.manage, mtsum.evaluate and mtsum.doctor.
# --models, --device and --offline/--online reuse the spine section's options.

_format_opt = click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
    help="Output format.")


def _echo_json(data: Any) -> None:
    import json

    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _human_size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n} B"


def _table(rows: list[list[str]]) -> str:
    """Left-aligned columns; the last column is never padded."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    return "\n".join("  ".join([*(c.ljust(w) for c, w in zip(r, widths)), r[-1]]).rstrip()
                     for r in rows)


@main.group("models")
def models_group() -> None:
    """List, download and check the models in the registry (models.yaml)."""


@models_group.command("list")
@_models_opt
@_format_opt
def models_list(models_path: str | None, fmt: str) -> None:
    """Show each configured model, whether it is on disk, its size and formats.

    Looks at local files only: never contacts the hub.
    """
    from .config import load_models_config
    from .manage import list_models

    statuses = list_models(load_models_config(models_path))
    if fmt == "json":
        _echo_json([s.to_dict() for s in statuses])
        return
    rows = [["NAME", "MODEL", "REVISION", "STATUS", "SIZE", "FORMATS", "PATH / WHY MISSING"]]
    for s in statuses:
        rows.append([
            s.name, s.model if not s.local else os.path.basename(s.model) or s.model,
            (s.commit or s.revision or "-")[:12] if not s.local else "(local)",
            "available" if s.available else "missing",
            _human_size(s.size_bytes) if s.path else "-",
            ",".join(s.formats) or "-",
            (s.path or "") if s.available else (s.missing or ""),
        ])
    click.echo(_table(rows))
    if not all(s.available for s in statuses):
        click.echo("\nmissing models: run `mtsum models pull` where the hub is reachable "
                   "(or `mtsum models pull --to DIR` and copy DIR here)", err=True)


@models_group.command("pull")
@click.argument("names", nargs=-1)
@_models_opt
@click.option("--to", "to", type=click.Path(file_okay=False), default=None,
              help="Write a self-contained folder (models + models.yaml) to copy to "
                   "a machine without network.")
@click.option("--revision", default=None,
              help="Pull this hub commit/branch/tag instead of the configured one (one NAME).")
@_offline_opt
@_format_opt
@click.pass_context
def models_pull(ctx: click.Context, names: tuple[str, ...], models_path: str | None,
                to: str | None, revision: str | None, offline: bool | None, fmt: str) -> None:
    """Download the configured models (all, or NAMEs such as sv, de, summarization).

    Models already in the Hugging Face cache are not downloaded again; with --to
    they are copied from the cache, without network.
    """
    from .config import load_models_config
    from .manage import pull_models

    progress = sys.stderr.isatty() and not (ctx.obj or {}).get("quiet")
    if progress:
        # main() silences hub progress bars by default; a pull is where they belong.
        os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "0"
    report = pull_models(load_models_config(models_path), list(names), to=to,
                         progress=progress, revision=revision, offline=offline)
    if fmt == "json":
        _echo_json(report.to_dict())
        return
    rows = [["NAME", "MODEL", "COMMIT", "ACTION", "SIZE", "PATH"]]
    rows += [[m.name, m.model, (m.commit or "-")[:12], m.action, _human_size(m.size_bytes), m.path]
             for m in report.models]
    click.echo(_table(rows))
    if report.models_yaml:
        click.echo(f"\nwrote {report.models_yaml}\ncopy {report.to} to the target machine and "
                   f"run e.g. `mtsum translate --models {report.models_yaml} ...` "
                   "(or set MTSUM_MODELS)")


@models_group.command("verify")
@click.argument("names", nargs=-1)
@_models_opt
@_device_opt
@_offline_opt
@_format_opt
def models_verify(names: tuple[str, ...], models_path: str | None, device: str | None,
                  offline: bool | None, fmt: str) -> None:
    """Load each model and run one short generation; exit 3 if any fails.

    Never downloads: a model that is not on disk is reported with the fix.
    """
    from .config import load_models_config
    from .errors import ModelUnavailableError
    from .manage import verify_models

    results = verify_models(load_models_config(models_path), device=device,
                            names=list(names), offline=offline)
    failed = [r for r in results if not r.ok]
    if fmt == "json":
        _echo_json([r.to_dict() for r in results])
    else:
        rows = [["NAME", "MODEL", "RESULT", "SECONDS", "OUTPUT / ERROR"]]
        for r in results:
            detail = (r.output or "")[:60] if r.ok else (r.error or "")
            rows.append([r.name, r.model, "ok" if r.ok else "FAILED", f"{r.seconds:.2f}", detail])
        click.echo(_table(rows))
        if failed:
            click.echo("\nHow to fix:")
            for r in failed:
                click.echo(f"- {r.name}: {r.message}")
    if failed:
        raise ModelUnavailableError(
            f"{len(failed)} of {len(results)} model(s) failed verification: "
            f"{', '.join(r.name for r in failed)} (see the report above)"
        )


@main.group("eval")
def eval_group() -> None:
    """Score translations (BLEU, chrF) and summaries (ROUGE) against references."""


@eval_group.command("translate")
@click.option("--src", type=click.Path(dir_okay=False), default=None,
              help="Source sentences, one per line (translated with mtsum unless --hyp).")
@click.option("--ref", required=True, type=click.Path(dir_okay=False),
              help="Reference translations, line-aligned.")
@click.option("--hyp", type=click.Path(dir_okay=False), default=None,
              help="Existing translations to score (no model is loaded).")
@click.option("--source", type=click.Choice(["auto", "sv", "de"]), default="auto",
              show_default=True, help="Source language of --src.")
@click.option("--save-hyp", type=click.Path(dir_okay=False), default=None,
              help="Write mtsum's translations here, one per line.")
@_models_opt
@_device_opt
@_offline_opt
@_format_opt
def eval_translate(src: str | None, ref: str, hyp: str | None, source: str,
                   save_hyp: str | None, models_path: str | None, device: str | None,
                   offline: bool | None, fmt: str) -> None:
    """Corpus BLEU and chrF (sacrebleu) of translations against references."""
    from .errors import InputError
    from .evaluate import read_lines, score_translation, translate_lines

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
            with open(save_hyp, "w", encoding="utf-8") as fh:
                fh.write("".join(h + "\n" for h in hyps))
    scores = {"hypotheses": origin, "references": ref, **score_translation(hyps, refs)}
    if fmt == "json":
        _echo_json(scores)
        return
    # sacrebleu's own lines, so figures can be compared with its CLI and with papers
    click.echo(f"lines: {scores['lines']}")
    click.echo(scores["bleu_text"])
    click.echo(scores["chrf_text"])
    click.echo(f"BLEU signature: {scores['bleu_signature']}")
    click.echo(f"chrF signature: {scores['chrf_signature']}")


@eval_group.command("summarize")
@click.option("--docs", type=click.Path(file_okay=False), default=None,
              help="Folder of documents to summarize with mtsum (unless --hyp).")
@click.option("--refs", required=True, type=click.Path(file_okay=False),
              help="Folder of reference summaries; files match documents by name.")
@click.option("--hyp", type=click.Path(file_okay=False), default=None,
              help="Folder of existing summaries to score (no model is loaded).")
@click.option("--save-hyp", type=click.Path(file_okay=False), default=None,
              help="Write mtsum's summaries to this folder.")
@click.option("--per-doc", is_flag=True, help="Also show each document's scores (text format).")
@_models_opt
@_device_opt
@_offline_opt
@_format_opt
def eval_summarize(docs: str | None, refs: str, hyp: str | None, save_hyp: str | None,
                   per_doc: bool, models_path: str | None, device: str | None,
                   offline: bool | None, fmt: str) -> None:
    """Mean ROUGE-1/2/L/Lsum F-measures (x100) of summaries against references."""
    from pathlib import Path

    from .evaluate import read_dir, score_summaries, summarize_docs

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
            Path(save_hyp).mkdir(parents=True, exist_ok=True)
            for name, text in hyps.items():
                (Path(save_hyp) / f"{name}.txt").write_text(text + "\n", encoding="utf-8")
    scores = {"hypotheses": origin, "references": refs, **score_summaries(hyps, references)}
    if fmt == "json":
        _echo_json(scores)
        return
    click.echo(f"documents: {scores['documents']}")
    click.echo("  ".join(f"{t}: {scores[t]:.2f}" for t in ("rouge1", "rouge2", "rougeL", "rougeLsum")))
    if per_doc:
        rows = [["DOCUMENT", "ROUGE-1", "ROUGE-2", "ROUGE-L", "ROUGE-Lsum"]]
        rows += [[n, *(f"{d[t]:.2f}" for t in ("rouge1", "rouge2", "rougeL", "rougeLsum"))]
                 for n, d in scores["per_document"].items()]
        click.echo(_table(rows))
    click.echo(f"scorer: {scores['scorer']}")


@main.command("doctor")
@_models_opt
@_device_opt
@_format_opt
def doctor_cmd(models_path: str | None, device: str | None, fmt: str) -> None:
    """Report versions, devices, the model cache and what is missing."""
    from .doctor import collect_report

    r = collect_report(models_path, device=device)
    if fmt == "json":
        _echo_json(r)
        return
    t, d, c = r["torch"], r["device"], r["hf_cache"]
    lines = [
        f"python:        {r['python']} ({r['python_executable']})",
        f"mtsum:         {r['mtsum'] or 'unknown (not installed)'}",
        f"torch:         {t.get('version', 'NOT INSTALLED') if t['installed'] else 'NOT INSTALLED'}"
        + (f" (CUDA build {t['cuda_build']})" if t.get("cuda_build") else ""),
        f"transformers:  {t.get('transformers') or '-'}",
        f"CUDA:          {'yes: ' + ', '.join(t['cuda_devices']) if t.get('cuda_available') else 'no'}",
        f"device:        {d['chosen'] or 'ERROR'} (requested {d['requested']})",
        f"HF cache:      {c['path']} ({_human_size(c['size_bytes']) if c['exists'] else 'does not exist'})",
        f"offline mode:  {'on' if r['offline'] else 'off'}",
        f"models file:   {r['models']['config']}",
    ]
    for m in r["models"]["models"]:
        state = (f"available, {_human_size(m['size_bytes'])}, {','.join(m['formats'])}"
                 if m["available"] else f"MISSING: {m['missing']}")
        lines.append(f"  {m['name']:<16} {m['model']}: {state}")
    lines.append("optional packages:")
    for name, o in r["optional"].items():
        lines.append(f"  {name:<16} {o['version'] or 'installed' if o['installed'] else 'not installed'}"
                     f"  ({o['for']})")
    if r["problems"]:
        lines.append("problems:")
        lines += [f"  - {p}" for p in r["problems"]]
    else:
        lines.append("problems: none")
    click.echo("\n".join(lines))


@models_group.command("convert")
@click.argument("names", nargs=-1)
@_models_opt
@click.option("--compute-type", "compute_type", default="int8", show_default=True,
              help="Weights to store: int8, int8_float16, int8_float32, int8_bfloat16, int16, float16, "
                   "bfloat16 or float32.")
@click.option("--force", is_flag=True, help="Convert again even if an up-to-date conversion exists.")
@_offline_opt
@_format_opt
def models_convert(names: tuple[str, ...], models_path: str | None, compute_type: str, force: bool,
                   offline: bool | None, fmt: str) -> None:
    """Convert the configured models (all, or NAMEs) for the CTranslate2 backend.

    Needs `pip install 'mtsum[fast]'`. Conversions are kept in mtsum's cache folder,
    keyed by model, revision and compute type; `--backend auto` then uses them.
    """
    from .config import load_models_config
    from .manage import convert_models

    done = convert_models(load_models_config(models_path), list(names), compute_type,
                          offline=offline, force=force)
    if fmt == "json":
        _echo_json([m.to_dict() for m in done])
        return
    rows = [["NAME", "MODEL", "COMPUTE TYPE", "ACTION", "SIZE", "SECONDS", "PATH"]]
    rows += [[m.name, m.model, m.compute_type, m.action, _human_size(m.size_bytes), f"{m.seconds:.1f}", m.path]
             for m in done]
    click.echo(_table(rows))
