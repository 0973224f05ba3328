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
from collections.abc import Iterator
from typing import Any

import click

from mtsum.errors import Interrupted, MtsumError
from mtsum.results import json_line

log = logging.getLogger("mtsum")


class _Group(click.Group):
    """Maps exceptions to one stderr line and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (MtsumError, Interrupted) as exc:
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
    (missing/empty/binary file, unsupported language, bad models.yaml, an output
    path that cannot be written), 3 model not available (not cached and not
    reachable, or a missing model path), 4 some articles failed (digest),
    75 another digest holds the state or --out, 130/143 interrupted (SIGINT/SIGTERM).
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
    help="At most this many segments per model call (default: MTSUM_BATCH_SIZE, else 32).")


def _engine_opts(fn: Any) -> Any:
    """--backend, --compute-type, --max-batch-tokens and --cache/--no-cache (shared by the model commands)."""
    for option in reversed([
        click.option("--backend", type=click.Choice(["auto", "transformers", "ctranslate2"]), default=None,
                     help="auto (default; MTSUM_BACKEND): CTranslate2 where a converted model exists "
                          "and ctranslate2 is installed, else transformers."),
        click.option("--compute-type", default=None,
                     help="int8, int8_float16, float16, float32… (default: per model in models.yaml, "
                          "else the backend's default for the device)."),
        click.option("--max-batch-tokens", type=click.IntRange(min=1), default=None,
                     help="Padded tokens per model call (default: MTSUM_MAX_BATCH_TOKENS, else 4096)."),
        click.option("--cache", "cache", type=click.Path(), default=None,
                     help="Translation cache file (default: MTSUM_CACHE, else the user cache directory)."),
        click.option("--no-cache", "no_cache", is_flag=True, help="Neither read nor write the translation cache."),
    ]):
        fn = option(fn)
    return fn


def _pipeline_opts(fn: Any) -> Any:
    """Every option that builds a Pipeline: source, device, batch size, models, offline, engine."""
    for option in (_engine_opts, _offline_opt, _models_opt, _batch_opt, _device_opt, _source_opt):
        fn = option(fn)
    return fn


def _settings(ctx: click.Context, engine: dict[str, Any], **kwargs: Any) -> Any:
    from mtsum.pipeline.core import Settings

    return Settings(backend=engine["backend"], compute_type=engine["compute_type"],
                    max_batch_tokens=engine["max_batch_tokens"],
                    cache=False if engine["no_cache"] else engine["cache"],
                    progress=not ctx.obj["quiet"], **kwargs)
_input_format_opt = click.option(
    "--input-format", type=click.Choice(["auto", "text", "html"]), default="auto", show_default=True,
    help="auto: .html/.htm/.xhtml files and documents starting with <!DOCTYPE html> or <html> are HTML.")
_paths_arg = click.argument("paths", nargs=-1, required=True, metavar="PATH...")
_SUFFIX = {"text": ".txt", "json": ".json", "markdown": ".md"}


def _report_error(ctx: click.Context) -> Any:
    """The runner's ``on_error``: one stderr line per failed input (and a traceback with --debug)."""

    def report(name: str, exc: MtsumError) -> None:
        if ctx.obj.get("debug"):
            traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
        click.echo(f"mtsum: error: {str(exc).replace(chr(10), ' ')}", err=True)

    return report


def _run(ctx: click.Context, paths: tuple[str, ...], process: Any, render: Any, *, output: str | None = None,
         suffix: str = "", headers: bool = False, input_format: str = "auto") -> None:
    """Check the output, run every input through ``process``, exit with the worst code."""
    from mtsum.runs import open_sink, run_inputs

    sink = open_sink(output, paths, suffix, headers=headers)
    report = run_inputs(paths, process, sink, render, input_format=input_format,
                        on_error=_report_error(ctx))
    ctx.exit(report.exit_code)


def _render_translation(result: Any, fmt: str) -> Iterator[str]:
    """Chunks of the rendered translation; text comes a paragraph at a time (stdout flushes each)."""
    if fmt == "json":
        yield json_line(result.to_dict())
        return
    if fmt == "markdown":
        models = ", ".join(f"{m['model']}" for m in result.models.values()) or "none (English)"
        conf = "" if result.language_confidence is None else f", confidence {result.language_confidence:.2f}"
        title = f"# {result.title}\n\n" if result.title else ""
        yield f"{title}*{result.input}: translated from {result.source_language}{conf} with {models}*\n\n"
    parts = [result.title] if result.title else []  # result.text, a paragraph at a time
    parts += [p.translation for p in result.output_paragraphs(bool(result.settings.get("dedupe")))]
    for i, part in enumerate(parts):
        yield ("\n\n" if i else "") + part


@main.command()
@_paths_arg
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def detect(ctx: click.Context, paths: tuple[str, ...], fmt: str) -> None:
    """Print the language of each input: path, language code, confidence.

    Any language is reported; only sv, de and en can be translated.
    """
    from mtsum.detect import detect_language
    from mtsum.runs import per_document

    def render(item: tuple[str, Any]) -> Iterator[str]:
        name, found = item
        if fmt == "json":
            yield json_line({"input": name, **found.to_dict()})
        else:
            yield f"{name}\t{found.language}\t{found.confidence:.2f}"

    _run(ctx, paths, per_document(lambda doc: (doc.name, detect_language(doc.text))), render)


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
@_engine_opts
@click.pass_context
def translate(ctx: click.Context, paths: tuple[str, ...], output: str | None, fmt: str, source: str,
              device: str | None, batch_size: int | None, models_path: str | None, dedupe: bool,
              clean: bool, input_format: str, offline: bool | None, **engine: Any) -> None:
    """Translate Swedish or German news (PATH, or - for stdin) to English.

    English paragraphs pass through untranslated; repeated segments are translated once,
    and several inputs share batches.
    """
    from mtsum.pipeline.core import Pipeline

    pipeline = Pipeline(models_path, _settings(ctx, engine, source=source, device=device,
                                               batch_size=batch_size, dedupe=dedupe, offline=offline))

    def process(docs: list[Any]) -> Iterator[tuple[Any, Any]]:
        for doc, result in pipeline.translate_many(docs, clean=clean):
            if not isinstance(result, MtsumError):
                s = result.stats
                log.info("%s: %s, %d paragraphs, %d of %d segments translated (%d cached) in %.1f s",
                         doc.name, result.source_language, s.paragraphs, s.segments_translated,
                         s.segments, s.cache_hits, s.seconds)
            yield doc, result

    _run(ctx, paths, process, lambda result: _render_translation(result, fmt), output=output,
         suffix=".en" + _SUFFIX[fmt], headers=fmt == "text" and len(paths) > 1, input_format=input_format)


def _render_cleaning(result: Any, fmt: str) -> Iterator[str]:
    if fmt == "json":
        yield json_line(result.to_dict())
    elif fmt == "marked":  # a line at a time, as text comes a paragraph at a time
        for k, (mark, index, text, removal) in enumerate(result.lines()):
            score = "" if not removal or removal.score is None else f", P={removal.score:.2f}"
            why = f"  [{removal.reason}: {removal.rule}{score}]" if removal else ""
            yield ("\n" if k else "") + f"{mark} {index:>3}  {text}{why}"
    else:
        yield result.text


@main.command()
@_paths_arg
@click.option("-o", "--output", type=click.Path(), default=None,
              help="Write here instead of stdout; a directory (one file per input) when several inputs.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "marked"]), default="text",
              show_default=True,
              help="text: the kept text; marked: every paragraph marked T (headline), + (kept) or "
                   "- (removed, with reason and rule); json: see README.")
@_source_opt
@_input_format_opt
@click.pass_context
def clean(ctx: click.Context, paths: tuple[str, ...], output: str | None, fmt: str, source: str,
          input_format: str) -> None:
    """Show what cleaning keeps of each input (PATH, or - for stdin), untranslated.

    The same cleaning as translate --clean and summarize, with no model: a quick look
    before a long run, or a check of your own rules (MTSUM_RULES_DIR).
    """
    from mtsum.pipeline.prepare import clean_document
    from mtsum.runs import per_document

    suffix = {"text": ".clean.txt", "json": ".clean.json", "marked": ".clean.txt"}[fmt]
    _run(ctx, paths, per_document(lambda doc: clean_document(doc, source)), lambda r: _render_cleaning(r, fmt),
         output=output, suffix=suffix, headers=fmt != "json" and len(paths) > 1, input_format=input_format)


# --- summarize (issue 3) ---


def _render_summary(result: Any, fmt: str) -> Iterator[str]:
    yield _summary_text(result, fmt)


def _summary_text(result: Any, fmt: str) -> str:
    if fmt == "json":
        return json_line(result.to_dict())
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
@_engine_opts
@click.pass_context
def summarize(ctx: click.Context, paths: tuple[str, ...], output: str | None, fmt: str, summarizer: str,
              max_length: int | None, min_length: int | None, source: str, device: str | None,
              batch_size: int | None, models_path: str | None, input_format: str,
              offline: bool | None, **engine: Any) -> None:
    """Clean, translate and summarize articles (PATH, or - for stdin).

    Navigation, ads, bylines, captions and repeated paragraphs are removed before
    translation; long articles are summarized in chunks, never truncated.
    """
    from mtsum.pipeline.core import Pipeline

    pipeline = Pipeline(models_path, _settings(ctx, engine, source=source, device=device,
                                               batch_size=batch_size, offline=offline))

    def process(docs: list[Any]) -> Iterator[tuple[Any, Any]]:
        for doc, result in pipeline.summarize_many(docs, summarizer, max_length=max_length,
                                                   min_length=min_length):
            if not isinstance(result, MtsumError):
                s = result.stats
                log.info("%s: %s, %d of %d paragraphs kept, %d chunk(s), %.1f s", doc.name,
                         result.source_language, s.kept_paragraphs, s.paragraphs, s.chunks, s.seconds)
            yield doc, result

    _run(ctx, paths, process, lambda result: _render_summary(result, fmt), output=output,
         suffix=".summary" + _SUFFIX[fmt], headers=fmt == "text" and len(paths) > 1, input_format=input_format)


# --- models / eval / doctor commands (issue 4) ---
# Presentation only: the work is in mtsum.models.manage, mtsum.evaluate and mtsum.doctor.
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
    from mtsum.config import load_models_config
    from mtsum.models.manage import list_models

    statuses = list_models(load_models_config(models_path))
    if fmt == "json":
        _echo_json([s.to_dict() for s in statuses])
        return
    rows = [["NAME", "MODEL", "REVISION", "STATUS", "RUNS WITH", "SIZE", "FORMATS", "PATH / WHY MISSING"]]
    for s in statuses:
        rows.append([
            s.name, s.model if not s.local else os.path.basename(s.model) or s.model,
            (s.commit or s.revision or "-")[:12] if not s.local else "(local)",
            "available" if s.available else "missing",
            s.runs_with or "-",
            _human_size(s.size_bytes) if s.path else "-",
            ",".join(s.formats) or "-",
            (s.path or "") if s.available else (s.missing or ""),
        ])
    click.echo(_table(rows))
    for s in statuses:
        if s.available and s.why:
            click.echo(f"{s.name}: {s.runs_with}, {s.why.removeprefix('auto: ')}", err=True)
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
@click.option("--convert/--no-convert", "convert", default=None,
              help="Also convert for the fast CTranslate2 backend and check it against float32 "
                   "(default: when ctranslate2 is installed; not with --to).")
@_offline_opt
@_format_opt
@click.pass_context
def models_pull(ctx: click.Context, names: tuple[str, ...], models_path: str | None,
                to: str | None, revision: str | None, convert: bool | None, offline: bool | None,
                fmt: str) -> None:
    """Download the configured models (all, or NAMEs such as sv, de, summarization).

    Models already in the Hugging Face cache are not downloaded again; with --to
    they are copied from the cache, without network.
    """
    from mtsum.config import load_models_config
    from mtsum.models.manage import pull_models

    progress = sys.stderr.isatty() and not (ctx.obj or {}).get("quiet")
    if progress:
        # main() silences hub progress bars by default; a pull is where they belong.
        os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "0"
    report = pull_models(load_models_config(models_path), list(names), to=to,
                         progress=progress, revision=revision, offline=offline, convert=convert)
    for c in report.converted:
        if c.message:
            log.warning("%s: %s", c.name, c.message)
    if fmt == "json":
        _echo_json(report.to_dict())
        return
    rows = [["NAME", "MODEL", "COMMIT", "ACTION", "SIZE", "PATH"]]
    rows += [[m.name, m.model, (m.commit or "-")[:12], m.action, _human_size(m.size_bytes), m.path]
             for m in report.models]
    click.echo(_table(rows))
    if report.converted:
        click.echo("\nCTranslate2 conversions (what --backend auto runs):")
        click.echo(_table([["NAME", "COMPUTE", "ACTION", "FAITHFUL", "CHRF", "IDENTICAL"]] + [
            [c.name, c.compute_type, c.action, "-" if c.faithful is None else "yes" if c.faithful else "NO",
             "-" if c.chrf is None else f"{c.chrf:.1f}",
             "-" if c.identical_share is None else f"{100 * c.identical_share:.0f} %"] for c in report.converted]))
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
    from mtsum.config import load_models_config
    from mtsum.errors import ModelUnavailableError
    from mtsum.models.manage import verify_models

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
        agreements = [(r.name, a) for r in results for a in r.agreement]
        if agreements:
            click.echo("\nAgreement with float32 on built-in inputs (identical outputs, chrF 0-100):")
            click.echo(_table([["NAME", "BACKEND", "COMPUTE", "AGAINST", "IDENTICAL", "CHRF", "FAITHFUL"]] + [
                [name, a["backend"], a["compute_type"], a["against"],
                 f"{a['identical']}/{a['inputs']} ({100 * a['identical_share']:.0f} %)", f"{a['chrf']:.1f}",
                 "yes" if a["faithful"] else "NO"] for name, a in agreements]))
        if failed:
            click.echo("\nHow to fix:")
            for r in failed:
                click.echo(f"- {r.name}: {r.message}")
    for r in results:
        for a in r.agreement:
            if a["warning"]:
                log.warning("%s: %s", r.name, a["warning"])
    if failed:
        raise ModelUnavailableError(
            f"{len(failed)} of {len(results)} model(s) failed verification: "
            f"{', '.join(r.name for r in failed)} (see the report above)"
        )


@main.group("cache")
def cache_group() -> None:
    """Inspect or empty the persistent translation cache."""


_cache_path_opt = click.option(
    "--cache", "cache", type=click.Path(), default=None,
    help="Cache file (default: MTSUM_CACHE, else the user cache directory).")


@cache_group.command("stats")
@_cache_path_opt
@_format_opt
def cache_stats(cache: str | None, fmt: str) -> None:
    """Where the cache is, how many translations it holds, its size and bound.

    A cache that cannot be written (a read-only file system) is read as it is.
    """
    from mtsum.errors import ConfigError
    from mtsum.translation.cache import TranslationStore, resolve_cache_path

    path = resolve_cache_path(cache)
    if path is None:
        raise ConfigError("the translation cache is switched off (MTSUM_CACHE=off): give --cache PATH")
    stats = TranslationStore(path).stats()
    if fmt == "json":
        _echo_json(stats)
        return
    click.echo(f"path:     {stats['path']}{'' if stats['exists'] else ' (not created yet)'}")
    click.echo(f"entries:  {stats['entries']} translations from {stats['keys']} model configuration(s)")
    click.echo(f"size:     {_human_size(stats['bytes'])} of at most {_human_size(stats['max_bytes'])} "
               "(least recently used entries go first; MTSUM_CACHE_MAX_MB)")


@cache_group.command("clear")
@_cache_path_opt
def cache_clear(cache: str | None) -> None:
    """Remove every cached translation."""
    from mtsum.errors import ConfigError
    from mtsum.translation.cache import TranslationStore, resolve_cache_path

    path = resolve_cache_path(cache)
    if path is None:
        raise ConfigError("the translation cache is switched off (MTSUM_CACHE=off): give --cache PATH")
    click.echo(f"removed {TranslationStore(path).clear()} cached translation(s) from {path}")


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
    from mtsum.errors import InputError
    from mtsum.evaluate import read_lines, score_translation, translate_lines

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

    from mtsum.evaluate import read_dir, score_summaries, summarize_docs

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
    from mtsum.doctor import collect_report

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
    click.echo("\n".join(lines))


# --- digest (issue 10) ---
# Presentation only: the work is in mtsum.digest.


def _log_file_handler(log_file: str) -> logging.FileHandler:
    """A handler appending to ``log_file``; a path that cannot be a log is exit 2, before any work.

    Raises:
        OutputError: a folder, device, FIFO or socket; a folder that cannot be created;
            a file that cannot be opened for appending (read-only file system, permissions).
    """
    from pathlib import Path

    from mtsum.errors import OutputError
    from mtsum.io.atomic import check_replaceable

    check_replaceable(log_file, "the log")
    folder = Path(log_file).parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"--log-file {log_file}: cannot create the folder {folder}: "
                          f"{exc.strerror or exc}") from None
    try:
        return logging.FileHandler(log_file, encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"--log-file {log_file}: cannot open it for writing: {exc.strerror or exc}") from None


def _digest_logging(ctx: click.Context, quiet: bool, log_file: str | None) -> None:
    """--quiet keeps stderr to errors; --log-file gets the full INFO log, timestamped."""
    debug = bool(ctx.obj.get("debug"))
    if quiet:
        stderr_handlers = [h for h in log.handlers if isinstance(h, _StderrHandler)]
        for h in stderr_handlers:
            h.setLevel(logging.ERROR)
        # The handler outlives the command (tests run many in one process).
        ctx.call_on_close(lambda: [h.setLevel(logging.NOTSET) for h in stderr_handlers])
    if log_file:
        handler = _log_file_handler(log_file)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        log.addHandler(handler)
        level = log.level
        log.setLevel(logging.DEBUG if debug else logging.INFO)
        ctx.call_on_close(lambda: (log.removeHandler(handler), handler.close(), log.setLevel(level)))


@main.command("digest")
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Folder for digest.md/.html/.json/.xml and translations/ (not an input folder).")
@click.option("--format", "formats", default="md,html,json,atom", show_default=True,
              help="Comma-separated: md, html, json, atom (digest.xml, an Atom feed).")
@click.option("--force", is_flag=True,
              help="Write into an --out folder that holds files mtsum did not write.")
@click.option("--summarizer", type=click.Choice(["bart", "extractive"]), default="bart", show_default=True,
              help="extractive: ranked sentences of the article, no summarization model needed.")
@click.option("--since", default=None,
              help="Only files modified since: a date (2024-01-31), a time (2024-01-31T06:00) or an age (36h, 1d).")
@click.option("--title", default=None, help="Digest title (default: News digest).")
@click.option("--state", "state_path", type=click.Path(dir_okay=False), default=None,
              help="SQLite state (default: MTSUM_STATE, else digest.sqlite3 in the user data folder).")
@click.option("--rebuild", is_flag=True, help="Ignore the state: process every article again.")
@click.option("--threshold", type=click.FloatRange(0, 1, min_open=True), default=None,
              help="Story grouping: TF-IDF cosine similarity at which articles share a story [default: 0.15].")
@click.option("--wait", type=float, default=0.0, show_default=True,
              help="Seconds to wait for another digest using the same state or --out (-1: for ever); "
                   "then exit 75.")
@click.option("--log-file", type=click.Path(), default=None,
              help="Append a timestamped log here (also with --quiet).")
@click.option("-q", "--quiet", is_flag=True,
              help="Nothing on stdout or stderr unless something failed (for cron).")
@_pipeline_opts
@click.pass_context
def digest_cmd(ctx: click.Context, inputs: tuple[str, ...], out_dir: str, formats: str, force: bool,
               summarizer: str, since: str | None, title: str | None, state_path: str | None, rebuild: bool,
               threshold: float | None, wait: float, log_file: str | None, quiet: bool, source: str,
               device: str | None, batch_size: int | None, models_path: str | None,
               offline: bool | None, **engine: Any) -> None:
    """Translate, summarize and group new articles into one English digest.

    INPUT: files, folders (searched recursively for .txt, .html, .htm) or globs.
    Articles already in the state with the same content and models are not processed
    again; a killed run resumes where it stopped. Prints "N new, M unchanged, K failed";
    exit 4 if some articles failed, 2 if --out or the state cannot be used (checked
    before anything is read), 75 if another digest holds the state or --out.
    """
    from mtsum.digest import DEFAULT_STORY_THRESHOLD, build_digest, parse_since
    from mtsum.errors import ArticlesFailedError
    from mtsum.pipeline.core import Pipeline

    quiet = quiet or bool(ctx.obj.get("quiet"))
    when = parse_since(since) if since else None
    _digest_logging(ctx, quiet, log_file)
    settings = _settings(ctx, engine, source=source, device=device, batch_size=batch_size, offline=offline)
    # The digest draws one bar over the articles (on a terminal only); the engine's bars
    # over each article's sentences would only flicker under it.
    settings.progress = False
    report = build_digest(
        inputs, out_dir, formats=formats.split(","), summarizer=summarizer, since=when, title=title,
        state_path=state_path, rebuild=rebuild, pipeline=Pipeline(models_path, settings),
        story_threshold=DEFAULT_STORY_THRESHOLD if threshold is None else threshold, wait=wait, force=force,
        progress=not quiet, log_file=log_file,
    )
    log.debug("digest took %.2f s", report.seconds)
    failed = bool(report.failed)
    if failed or not quiet:
        click.echo(report.summary_line)
    if log_file:
        log.info("%s", report.summary_line)
    ctx.exit(ArticlesFailedError.exit_code if failed else 0)


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
    from mtsum.config import load_models_config
    from mtsum.models.manage import convert_models

    done = convert_models(load_models_config(models_path), list(names), compute_type,
                          offline=offline, force=force)
    if fmt == "json":
        _echo_json([m.to_dict() for m in done])
        return
    rows = [["NAME", "MODEL", "COMPUTE TYPE", "ACTION", "SIZE", "SECONDS", "PATH"]]
    rows += [[m.name, m.model, m.compute_type, m.action, _human_size(m.size_bytes), f"{m.seconds:.1f}", m.path]
             for m in done]
    click.echo(_table(rows))


# --- batch (issue 11) ---


@main.command("batch")
@click.argument("input_path", metavar="INPUT", type=click.Path(exists=True))
@click.option("-o", "--output", required=True, type=click.Path(),
              help="Records go here: .jsonl (JSON Lines) or .parquet. An existing OUT is resumed.")
@click.option("--engine", type=click.Choice(["local", "ray"]), default="local", show_default=True,
              help="local: this process; ray: a Ray Data pipeline (pip install 'mtsum[ray]').")
@click.option("--ray-address", default=None,
              help="Ray cluster to join (auto: the one `ray start` made here; default: RAY_ADDRESS, "
                   "else a Ray instance for this run).")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Ray model workers (default: one per GPU share, else all CPUs but one).")
@click.option("--num-gpus-per-worker", type=click.FloatRange(min=0), default=None,
              help="GPUs per Ray model worker, e.g. 0.5 for two per GPU (default: 1 with --device cuda, else 0).")
@click.option("--task", type=click.Choice(["translate", "summarize", "both"]), default="translate",
              show_default=True, help="summarize/both clean the articles first, as `mtsum summarize` does.")
@click.option("--summarizer", type=click.Choice(["bart", "extractive"]), default="bart", show_default=True)
@click.option("--text-field", default="text", show_default=True, help="JSON Lines: the field holding the text.")
@click.option("--id-field", default="id", show_default=True, help="JSON Lines: the field holding the id.")
@click.option("--chunk-size", type=click.IntRange(min=1), default=64, show_default=True,
              help="Each record is committed to OUT's journal as it finishes; it is fsynced every this "
                   "many records (with --engine ray also the documents per model call, at most 32).")
@click.option("--force", is_flag=True,
              help="Replace an existing OUT that mtsum did not write (it is refused otherwise).")
@click.option("--log-file", type=click.Path(), default=None,
              help="Append a timestamped log here, with a progress line every --log-every documents.")
@click.option("--log-every", type=click.IntRange(min=1), default=25, show_default=True,
              help="With --log-file: a progress line every this many documents (and one at the end).")
@_pipeline_opts
@click.pass_context
def batch_cmd(ctx: click.Context, input_path: str, output: str, engine: str, ray_address: str | None,
              workers: int | None, num_gpus_per_worker: float | None, task: str, summarizer: str,
              text_field: str, id_field: str, chunk_size: int, force: bool, log_file: str | None,
              log_every: int, source: str, device: str | None, batch_size: int | None,
              models_path: str | None, offline: bool | None, **options: Any) -> None:
    """Translate (and summarize) a corpus: INPUT is a folder of .txt/.html files or a
    JSON Lines file ({"id": ..., "text": ...} per line).

    One record per input is written to OUT; a bad input is recorded with its error
    and the run goes on; a rerun skips what OUT already holds. The last stderr line
    gives the counts and the throughput; a progress bar is drawn on a terminal.
    An existing OUT that mtsum did not write is refused (exit 2) unless --force.
    """
    from mtsum.batch import run_batch

    quiet = bool(ctx.obj.get("quiet"))
    _digest_logging(ctx, quiet, log_file)  # the same log file setup as digest's
    if log_file:  # progress lines and the last line go to the log; stderr has the bar and its own line
        def only_file(record: logging.LogRecord) -> bool:
            return not getattr(record, "log_file_only", False)

        stderr_handlers = [h for h in log.handlers if isinstance(h, _StderrHandler)]
        for h in stderr_handlers:
            h.addFilter(only_file)
        ctx.call_on_close(lambda: [h.removeFilter(only_file) for h in stderr_handlers])
    report = run_batch(
        input_path, output, engine=engine, models=models_path,
        settings=_settings(ctx, options, source=source, device=device, batch_size=batch_size, offline=offline),
        task=task, summarizer=summarizer, text_field=text_field, id_field=id_field, workers=workers,
        num_gpus_per_worker=num_gpus_per_worker, ray_address=ray_address, chunk_size=chunk_size, force=force,
        log_every=log_every if log_file else None)
    click.echo(f"mtsum: {report.summary_line()}", err=True)
    if log_file:
        log.info("%s", report.summary_line(), extra={"log_file_only": True})
    ctx.exit(report.exit_code)
