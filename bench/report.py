"""Environment information and the Markdown tables written to stdout."""

from __future__ import annotations

import contextlib
import os
import platform
import subprocess
from pathlib import Path
from typing import Any

from build_models import REPO
from options import Options


def environment(device: str) -> dict[str, Any]:
    import torch
    import transformers

    import mtsum
    from mtsum.backends.ct2 import thread_layout, threads

    try:
        import ctranslate2

        ct2_version: str | None = ctranslate2.__version__
    except ImportError:
        ct2_version = None

    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True, check=False).stdout.strip() or None
    return {
        "device": device,
        "gpu": torch.cuda.get_device_name(device) if device.startswith("cuda") else None,
        "cpu": cpu,
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "ctranslate2_threads": threads(),
        "ctranslate2_layout": "×".join(map(str, thread_layout())),
        "ctranslate2": ct2_version,
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "python": platform.python_version(),
        "mtsum": mtsum.__version__,
        "git_commit": commit,
        "load_average_start": loadavg(),
    }


def loadavg() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def md_table(headers: list[str], rows: list[list[Any]]) -> str:
    def fmt(v: Any) -> str:
        if isinstance(v, float):
            return f"{v:.3g}" if abs(v) < 1000 else f"{v:.0f}"
        return "–" if v is None else str(v)

    lines = ["| " + " | ".join(headers) + " |",
             "|" + "|".join("---" if i == 0 else "---:" for i in range(len(headers))) + "|"]
    lines += ["| " + " | ".join(fmt(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def spread(row: dict[str, Any]) -> str:
    return f"{row['min_s']:.3g}–{row['max_s']:.3g}"


def others(row: dict[str, Any]) -> str:
    return "–" if row.get("other_cores") is None else f"{row['other_cores']:.2f}"


def runs(n: int) -> str:
    return "one run" if n == 1 else f"median of {n} runs"


OTHERS = "others' cores"  # column: CPU other processes used while we were timing


TASK = {"de": "opus-mt-de-en", "bart": "distilbart-cnn-12-6"}


def _ratio(rows: list[dict[str, Any]], key: str, beams: int, batch: int) -> dict[str, Any] | None:
    """CTranslate2 int8 against transformers fp32 in one configuration, if both ran."""
    pick = {(r["backend"], r["compute_type"]): r for r in rows
            if r["key"] == key and r["beams"] == beams and r["batch"] == batch}
    hf = pick.get(("transformers", "float32")) or pick.get(("transformers", "float16"))
    ct = pick.get(("ctranslate2", "int8")) or pick.get(("ctranslate2", "int8_float16"))
    if hf is None or ct is None:
        return None
    return {"speed": ct["tokens_per_s"] / hf["tokens_per_s"], "rss": ct["peak_rss_mb"] / hf["peak_rss_mb"],
            "others": max(hf.get("other_cores") or 0, ct.get("other_cores") or 0)}


def _target(what: str, got: float, want: float, higher: bool, fmt: str, others: float | None) -> list[Any]:
    met = got >= want if higher else got <= want
    short = "" if met else (f"short by {100 * (1 - got / want):.0f} %" if higher
                            else f"over by {100 * (got / want - 1):.0f} %")
    return [what, fmt.format(got), fmt.format(want), "yes" if met else f"**no** ({short})",
            "–" if others is None else f"{others:.2f}"]


def render_engine(results: dict[str, Any], opts: Options) -> list[str]:
    """Issue 7's comparisons: backends, GEMM share, start-up, the engine hooks, targets."""
    out: list[str] = []
    targets: list[list[Any]] = []
    if "backends" in results:
        b = results["backends"]
        g = b["gemm"]
        rows = b["rows"]
        gpu = any(r.get("gpu_mb") is not None for r in rows)
        base = {(r["key"], r["beams"], r["batch"]): r for r in rows if r["backend"] == "transformers"}
        kinds = "transformers fp16 vs CTranslate2 int8_float16 and float16" if results["settings"]["device"].startswith(
            "cuda") else "transformers fp32 vs CTranslate2 int8 and float32"
        out += ["", f"## Backends: {kinds}", "",
                f"mtsum's backends (`create_backend(...).generate`, tokenization included), each configuration in "
                f"a fresh process, {runs(opts.backend_repeats)} after a warm-up batch. Each call carries what "
                "mtsum's batcher hands the backend: one batch per CTranslate2 CPU worker (one worker per core by "
                "default; transformers has one). "
                f"opus-mt: {opts.input_tokens}-token segments (</s> included), max(8, 2×batch×cores) "
                f"of them; distilbart: {opts.summary_input_tokens}-token inputs, max(4, batch×cores) of them; exactly "
                f"{opts.new_tokens} new tokens asked for (CTranslate2 makes one fewer: transformers spends the "
                "last step on the forced </s>; tokens/s counts what each really generated). *×hf*: against "
                "transformers in the same configuration. *GEMM share*: the model's weight FLOPs per second "
                f"against the float32 GEMM peak measured in this run ({g['n']}×{g['n']}, {g['threads']} threads: "
                f"**{g['gflops']:.1f} GFLOP/s**, the best GEMM timed in this run); attention scores and beam "
                "bookkeeping are not counted. int8 products can beat the float32 peak, and a peak measured while "
                "others held the cores is low: shares above 100 % say one or the other.", "",
                md_table(["model", "num_beams", "batch", "backend", "compute", "target tokens/s", "×hf",
                          "peak RSS MB", "RSS/hf", "load s", "GFLOP/s", "GEMM share", OTHERS]
                         + (["GPU memory MB"] if gpu else []),
                         [[TASK[r["key"]], r["beams"], r["batch"], r["backend"], r["compute_type"],
                           r["tokens_per_s"],
                           r["tokens_per_s"] / base[(r["key"], r["beams"], r["batch"])]["tokens_per_s"]
                           if (r["key"], r["beams"], r["batch"]) in base else None,
                           r["peak_rss_mb"],
                           r["peak_rss_mb"] / base[(r["key"], r["beams"], r["batch"])]["peak_rss_mb"]
                           if (r["key"], r["beams"], r["batch"]) in base else None,
                           r["load_s"], r["gflops"], f"{100 * r['peak_share']:.1f} %", others(r)]
                          + ([r.get("gpu_mb")] if gpu else [])
                          for r in rows])]
        for key, beams, batch, speed, rss in (("de", 4, 32, 4.0, 1 / 3), ("de", 1, 32, 3.0, None),
                                              ("bart", 4, 2, 3.0, 1 / 3)):
            ratio = _ratio(rows, key, beams, batch)
            if ratio is None:
                continue
            where = f"{TASK[key]}, beam {beams}, batch {batch}"
            targets.append(_target(f"CTranslate2 int8 speed vs transformers ({where})", ratio["speed"], speed,
                                   True, "{:.2f}×", ratio["others"]))
            if rss is not None:
                targets.append(_target(f"CTranslate2 int8 peak RSS vs transformers ({where})", ratio["rss"], rss,
                                       False, "{:.2f}", ratio["others"]))
        busy = max((r.get("other_cores") or 0 for r in rows), default=0)
        if busy > 0.5:
            cores = results["environment"]["cpu_count"]
            out += ["", f"**Warning**: other jobs used up to {busy:.2f} of the machine's {cores} "
                    "cores during these runs (column *others' cores*). Absolute figures are far below what the "
                    "machine does idle, and ratios between configurations measured minutes apart carry that "
                    "noise: rerun on a quiet machine before quoting them."]
    if "startup" in results:
        st = results["startup"]
        out += ["", "## Start-up: `mtsum --help`", "",
                "Fresh interpreter each time, median of at least 5 after a warm-up run.", "",
                md_table(["command", "median s", "min–max s"],
                         [[name, v["median_s"], spread(v)] for name, v in st.items() if name != "ratio"])]
        targets.append(_target("`mtsum --help` vs `import click, yaml`", st["ratio"], 3.0, False, "{:.2f}×", None))
    from engine import ENGINE_SECTIONS

    for name, (_, title, target) in ENGINE_SECTIONS.items():
        data = results.get(name)
        if name not in opts.sections or data is None:
            continue
        out += ["", f"## {title}", "", data["note"], "", md_table(data["headers"], data["rows"])]
        for caption, headers, rows in data.get("tables", []):  # a section's further tables
            out += ["", caption, "", md_table(headers, rows)]
        for what, got, want in data.get("targets", []):  # and further targets
            targets.append(_target(what, got, want, True, "{:.2f}×", None))
        if data.get("ratio") is not None:  # None: not measured on this device
            targets.append(_target(f"{title} ({target})", data["ratio"], data["want"], True, "{:.2f}×", None))
    if results.get("batch-engines"):
        from batch_engines import markdown

        out += ["", markdown(results["batch-engines"]).replace("### ", "## ", 1)]
    if targets:
        out += ["", "## Targets", "",
                md_table(["target", "measured", "wanted", "met", OTHERS], targets)]
    for name, error in results.get("failed", {}).items():
        out += ["", f"## {name}: FAILED", "", f"`{error}` (see the log)"]
    return out


def render(results: dict[str, Any], opts: Options) -> str:
    env = results["environment"]
    out = ["## Environment", "", md_table(["", ""], [
        ["device", env["device"] + (f" ({env['gpu']})" if env["gpu"] else "")],
        ["CPU", f"{env['cpu']} ({env['cpu_count']} logical cores)"],
        ["threads (torch / CTranslate2 workers × threads each)",
         f"{env['torch_threads']} / {env.get('ctranslate2_layout', env['ctranslate2_threads'])}"],
        ["torch / transformers / ctranslate2", f"{env['torch']} / {env['transformers']} / {env['ctranslate2']}"],
        ["python / mtsum / commit", f"{env['python']} / {env['mtsum']} / {env['git_commit']}"],
        ["load average 1/5/15 min (start → end)",
         f"{env['load_average_start']} → {env.get('load_average_end')}"],
        ["timing", f"wall clock, median of {opts.repeats} timed runs after a warm-up "
                   f"(map-reduce and loads: see their sections)"],
    ]), "",
        f"*{OTHERS}*: CPU time all other processes (and the hypervisor) used during the timed runs, "
        f"divided by their wall time; above ~0.2 on a {env['cpu_count']}-core machine the figure is "
        "slowed by them.",
    ]
    out += render_engine(results, opts)
    if "translation" in results:
        rows = results["translation"]
        out += ["", "## Translation throughput (opus-mt-de-en architecture, `ModelTranslator.translate`, "
                "fixed batch sizes)",
                "", f"{opts.input_tokens} input tokens and exactly {opts.new_tokens} new tokens per segment; "
                "each run translates max(8, batch) segments.", "",
                md_table(["num_beams", "batch", "segments", "median s", "min–max s", "segments/s",
                          "output tokens/s", "ms/batch", OTHERS],
                         [[r["num_beams"], r["batch_size"], r["segments"], r["median_s"], spread(r),
                           r["segments_per_s"], r["output_tokens_per_s"], r["ms_per_batch"], others(r)]
                          for r in rows])]
    if "end-to-end" in results:
        e2e = results["end-to-end"]
        rows = e2e["articles"]
        out += ["", "## End-to-end `Pipeline.translate` (seed articles)", "",
                f"num_beams 4, batch {rows[0]['batch_size']}, exactly {opts.new_tokens} new tokens per "
                "translated segment; detection, sentence splitting and de-duplication included, models "
                "already loaded. Input tokens are counted with the tiny test tokenizer, which cuts words "
                "finer than the real 58k vocabulary.", "",
                md_table(["article", "lang", "words", "paragraphs", "segments", "unique", "translated",
                          "mean input tokens", "median s", "min–max s", "s/translated segment", OTHERS],
                         [[r["input"], r["language"], r["words"], r["paragraphs"], r["segments"],
                           r["unique_segments"], r["segments_translated"], r["mean_input_tokens"],
                           r["median_s"], spread(r), r["median_s"] / max(1, r["segments_translated"]),
                           others(r)] for r in rows])]
        d = e2e["dedupe"]
        saved = d["all"]["median_s"] - d["unique"]["median_s"]
        out += ["", f"De-duplication on {d['input']} (`translate_batch`, batch {d['batch_size']}, "
                f"num_beams {d['num_beams']}):", "",
                md_table(["segments sent to the model", "segments", "median s", "min–max s", OTHERS],
                         [["all (no de-duplication)", d["all"]["segments"], d["all"]["median_s"],
                           spread(d["all"]), others(d["all"])],
                          ["unique (what the pipeline sends)", d["unique"]["segments"], d["unique"]["median_s"],
                           spread(d["unique"]), others(d["unique"])],
                          ["saved", d["all"]["segments"] - d["unique"]["segments"],
                           f"{saved:.3g} ({100 * saved / d['all']['median_s']:.0f} %)", "", ""]])]
    if "summarization" in results:
        s = results["summarization"]
        out += ["", "## Summarization (distilbart-cnn-12-6 architecture, `BartSummarizer`)", "",
                md_table(["input", "num_beams", "new tokens", "median s", "min–max s", "output tokens/s",
                          OTHERS],
                         [[f"one chunk, {r['input_tokens']} tokens", r["num_beams"], r["new_tokens"],
                           r["median_s"], spread(r), r["new_tokens"] / r["median_s"], others(r)]
                          for r in s["chunk"]])]
        m = s["map_reduce"]
        out += ["", f"Map-reduce (`summarize_paragraphs`) over a long article: {m['tokens']} tokens in "
                f"{m['paragraphs']} paragraphs, what ~{m['words_equivalent']} English words come to with "
                f"BART's tokenizer (~{m['tokens_per_word']} tokens/word); exactly {m['new_tokens']} new "
                f"tokens per summary; {runs(m['repeats'])}.", "",
                md_table(["chunks", "reduce rounds", "final reduce input tokens", "generate calls",
                          "num_beams", "batch", "median s", "min–max s", OTHERS],
                         [[m["chunks"], m["rounds"], m["reduce_input_tokens"], m["generate_calls"],
                           m["num_beams"], m["batch_size"], m["median_s"], spread(m), others(m)]])]
    if "load" in results:
        out += ["", "## Model load (local disk, a fresh process each time, warm page cache)", "",
                f"{runs(opts.load_repeats).capitalize()}.",
                "*load*: `mtsum.backends.hf.load` = tokenizer + `from_pretrained` (safetensors, "
                "memory-mapped) + `.to(device)`. *imports*: torch, transformers' model classes and mtsum, "
                "paid once per process. *first generate*: one token, what a just-loaded model still owes.",
                "",
                md_table(["model (architecture)", "parameters", "weights MB", "load median s", "min–max s",
                          "imports s", "first generate s"],
                         [[r["model"], f"{r['parameters'] / 1e6:.1f} M", r["weights_mb"], r["median_s"],
                           spread(r), r["import_s"], r["first_generate_s"]] for r in results["load"]])]
    return "\n".join(out) + "\n"
