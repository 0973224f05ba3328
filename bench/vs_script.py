"""End to end against the user's alternative: the same 30 German and Swedish documents
through a plain transformers script (bench/plain_script.py) and through ``mtsum
summarize`` on transformers, on CTranslate2 int8, and on CTranslate2 with a warm
translation cache.

Each run is a process of its own (this file, run as a script, is the child), so peak
RSS is that run's own; model load is timed apart from the work. Both sides decode with
the same beams and the same pinned output lengths, so every generated token costs the
same; mtsum generates fewer of them (it cleans boilerplate away and translates each
repeated sentence once) and summarizes a long article in chunks where the script
truncates it. *target tokens* are what each run really generated, end token included.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

log = logging.getLogger("bench")
HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DOCUMENTS = 30


def documents(limit: int = DOCUMENTS) -> list[dict[str, str]]:
    """German and Swedish news texts from the repository (seeds, tests/data), topped up
    with article texts of the committed cleaning corpus (data/cleaning), in a fixed order;
    each with its language (detected once, here, outside every timed run)."""
    from mtsum.detect import detect_language

    paths = sorted((REPO / "seeds").glob("*.txt"))
    for folder in (REPO / "tests" / "data", REPO / "tests" / "data" / "scraped"):
        paths += sorted(p for p in folder.glob("*.txt") if p.name[:3] in ("de_", "sv_") and "seed" not in p.name)
    docs = [{"name": p.name, "text": p.read_text(encoding="utf-8")} for p in paths]
    for d in docs:
        d["language"] = detect_language(d["text"]).language
    spare: dict[str, list[dict[str, str]]] = {"de": [], "sv": []}
    for corpus in sorted((REPO / "data" / "cleaning").glob("*.jsonl.gz")):
        with gzip.open(corpus, "rt", encoding="utf-8") as fh:
            for line in fh:
                page = json.loads(line)
                words = len((page.get("truth") or "").split())
                if page.get("language") in spare and 150 <= words <= 700:
                    spare[page["language"]].append({"name": f"{corpus.name.split('.')[0]}:{page['id']}",
                                                    "text": page["truth"], "language": page["language"]})
    docs = docs[:limit]
    while len(docs) < limit and any(spare.values()):  # the language with fewer documents first
        have = {lang: sum(d["language"] == lang for d in docs) for lang in spare}
        lang = min((lang for lang in spare if spare[lang]), key=lambda lang: have[lang])
        docs.append(spare[lang].pop(0))
    return docs


def _detection_seconds(docs: list[dict[str, str]]) -> float:
    """What detecting the languages costs mtsum: ``detect_paragraphs`` (the document and each
    paragraph, as ``prepare`` does) over every document; median of 3, detector warm."""
    import statistics

    from mtsum import detect
    from mtsum.detect import detect_paragraphs
    from mtsum.text.segment import split_paragraphs

    paragraphs = [split_paragraphs(d["text"]) for d in docs]
    memo = getattr(detect, "_detect_one", None)  # a run meets each text once: no memo hits
    times = []
    for _ in range(3):
        if memo is not None and hasattr(memo, "cache_clear"):
            memo.cache_clear()
        started = time.perf_counter()
        for paras in paragraphs:
            detect_paragraphs(paras)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


# --- the child -----------------------------------------------------------------------

def _mtsum(cfg: dict[str, Any], docs: list[Any]) -> dict[str, Any]:
    from mtsum.backends.base import Backend
    from mtsum.io.inputs import Document
    from mtsum.pipeline.core import Pipeline, Settings

    counted = {"tokens": 0}
    original = Backend.generate_ids

    def generate_ids(self: Backend, texts: list[str], settings: Any) -> list[list[int]]:
        out = original(self, texts, settings)
        counted["tokens"] += sum(len(ids) + 1 for ids in out)  # + the end token
        return out

    Backend.generate_ids = generate_ids  # type: ignore[method-assign]
    started = time.perf_counter()
    pipeline = Pipeline(cfg["yaml"], Settings(backend=cfg["backend"], device=cfg.get("device"),
                                              cache=cfg.get("cache") or False))
    for lang in ("de", "sv"):  # what the first documents would load anyway, timed apart
        translator = pipeline.translator(lang)
        while hasattr(translator, "inner"):
            translator = translator.inner
        backend = translator.backend  # type: ignore[attr-defined]
        backend.generate(["Hallo."], backend.generation_settings())
    summarizer = pipeline.summarizer("bart").backend  # type: ignore[attr-defined]
    summarizer.generate(["Hello."], summarizer.generation_settings())
    from mtsum.detect import detect_language

    detect_language(docs[0]["text"])  # lingua's models: part of loading, not of the work
    load = time.perf_counter() - started
    counted["tokens"] = 0
    started = time.perf_counter()
    results = list(pipeline.summarize_many([Document(d["name"], d["text"], "text") for d in docs], "bart"))
    work = time.perf_counter() - started
    failed = [doc.name for doc, r in results if not hasattr(r, "summary")]
    return {"load_s": load, "work_s": work, "tokens": counted["tokens"], "failed": failed}


def _script(cfg: dict[str, Any], docs: list[Any]) -> dict[str, Any]:
    import contextlib

    import plain_script
    from measure import counting_generate

    started = time.perf_counter()
    # On a GPU the script runs in float16, as a user there would.
    loaded = plain_script.load(cfg["marian"], cfg["bart"], cfg.get("device") or "cpu")
    load = time.perf_counter() - started
    # The script is given each document's language, detected before the clock starts.
    work_docs = [(d["language"], d["text"]) for d in docs]
    models = [m for _, m in loaded["marian"].values()] + [loaded["summarizer"][1]]
    with contextlib.ExitStack() as stack:
        logs = [stack.enter_context(counting_generate(m)) for m in models]
        started = time.perf_counter()
        plain_script.run(loaded, work_docs, cfg["translation"], cfg["summary"])
        work = time.perf_counter() - started
    return {"load_s": load, "work_s": work, "tokens": sum(g.tokens for g in logs), "failed": []}


def child(cfg: dict[str, Any]) -> dict[str, Any]:
    docs = cfg["docs"]
    row = (_script if cfg["run"] == "script" else _mtsum)(cfg, docs)
    return {**row, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


# --- the section ---------------------------------------------------------------------

def _run(opts: Any, cfg: dict[str, Any]) -> dict[str, Any]:
    from backends import child_env

    env = {**child_env(opts), "PYTHONPATH": os.pathsep.join([str(HERE), child_env(opts)["PYTHONPATH"]])}
    proc = subprocess.run([sys.executable, __file__, json.dumps(cfg)], env=env, capture_output=True, text=True,
                          check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{cfg['run']} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def bench_vs_script(opts: Any, built: Any, device: str) -> dict[str, Any]:
    from backends import convert_for_bench
    from build_models import pinned, write_models_yaml

    beams = 4  # the real opus-mt and distilbart models' own beam width
    yaml = write_models_yaml(opts.workdir, built, "vs-script", pinned(opts.new_tokens, beams),
                             pinned(opts.summary_tokens, beams))
    convert_for_bench(opts, yaml)
    docs = documents(10 if opts.quick else DOCUMENTS)
    base = {"docs": docs, "yaml": str(yaml), "device": device}
    gen = {"num_beams": beams, "min_new_tokens": opts.new_tokens, "max_new_tokens": opts.new_tokens}
    summary = {"num_beams": beams, "min_new_tokens": opts.summary_tokens, "max_new_tokens": opts.summary_tokens}
    runs: list[tuple[str, dict[str, Any]]] = [
        ("plain transformers script", {"run": "script", "marian": {"de": str(built.de), "sv": str(built.sv)},
                                       "bart": str(built.bart), "translation": gen, "summary": summary}),
        ("mtsum summarize, transformers", {"run": "mtsum", "backend": "transformers"}),
        ("mtsum summarize, CTranslate2 int8", {"run": "mtsum", "backend": "ctranslate2"}),
    ]
    rows, got = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        cache = str(Path(tmp) / "translations.sqlite3")
        runs.append(("mtsum summarize, CTranslate2 int8, warm cache", {"run": "mtsum", "backend": "ctranslate2",
                                                                       "cache": cache}))
        for label, cfg in runs:
            if cfg.get("cache"):
                _run(opts, {**base, **cfg})  # fills the cache; the timed run below is the rerun
            got[label] = row = _run(opts, {**base, **cfg})
            log.info("vs script: %s: load %.1f s, work %.1f s", label, row["load_s"], row["work_s"])
    script = got["plain transformers script"]["work_s"]
    detect = _detection_seconds(docs)
    ct2_work = got["mtsum summarize, CTranslate2 int8"]["work_s"]
    for label, row in got.items():
        rows.append([label, row["load_s"], row["work_s"], len(docs) / row["work_s"], row["tokens"],
                     row["tokens"] / row["work_s"], row["peak_rss_mb"], f"{script / row['work_s']:.2f}×",
                     ", ".join(row["failed"]) or "—"])
    counts = {lang: sum(d["language"] == lang for d in docs) for lang in ("de", "sv")}
    note = ((__doc__ or "").split("\n\n", 1)[1].replace("\n", " ").strip()
            + f" {len(docs)} documents ({counts['de']} German, {counts['sv']} Swedish; "
            f"{sum(len(d['text'].split()) for d in docs)} words); beam {beams}, {opts.new_tokens} new tokens per "
            f"translated segment, {opts.summary_tokens} per summary; one run each, in this order; mtsum with its "
            "defaults (cleaning on, the run's thread layout and batch size). Language detection (lingua, loaded "
            f"beforehand) takes {1000 * detect / len(docs):.0f} ms per document here, "
            f"{100 * detect / ct2_work:.0f} % of the CTranslate2 run's work time.")
    return {"note": note, "documents": [d["name"] for d in docs],
            "headers": ["run", "load s", "work s", "documents/s", "target tokens", "target tokens/s",
                        "peak RSS MB", "× the script", "failed"],
            "rows": rows, "ratio": script / got["mtsum summarize, CTranslate2 int8"]["work_s"], "want": 5.0,
            "targets": [("mtsum summarize on transformers vs the script (batching, de-duplication)",
                         script / got["mtsum summarize, transformers"]["work_s"], 2.0),
                        ("mtsum summarize: CTranslate2 int8 vs transformers",
                         got["mtsum summarize, transformers"]["work_s"]
                         / got["mtsum summarize, CTranslate2 int8"]["work_s"], 2.0)]}


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    print(json.dumps(child(json.loads(sys.argv[1]))))
