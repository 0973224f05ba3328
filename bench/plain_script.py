"""What a user would write instead of mtsum: a plain transformers script.

MarianMT's ``generate`` over the sentences of each article in batches, then BART's
``generate`` over the English. transformers 5 removed both the "translation" and the
"summarization" pipelines, so each half is the ``generate`` loop the model cards show
(what ``pipeline("summarization")`` did inside: tokenize with truncation, generate,
decode). Nothing is cleaned, nothing de-duplicated, and a long article is truncated to
the summarizer's input limit: that is what the short script does.

bench/vs_script.py times it (run as a child process) against ``mtsum summarize``; the
decoding settings (beams, pinned output lengths) are passed in so both do the same work
per generated token.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÄÖÜÅ0-9\"„«])")


def sentences(text: str) -> list[str]:
    """The naive splitter such a script uses: paragraphs, then ``. `` before a capital."""
    out = []
    for para in text.split("\n"):
        out += [s.strip() for s in _SENTENCE_END.split(para) if s.strip()]
    return out


def load(marian_paths: dict[str, str], bart_path: str, device: str = "cpu") -> dict[str, Any]:
    import torch
    from transformers import AutoTokenizer, BartForConditionalGeneration, MarianMTModel, MarianTokenizer

    dtype = torch.float16 if device.startswith("cuda") else torch.float32
    models = {lang: (MarianTokenizer.from_pretrained(path),
                     MarianMTModel.from_pretrained(path, dtype=dtype).to(device).eval())
              for lang, path in marian_paths.items()}
    summarizer = (AutoTokenizer.from_pretrained(bart_path),
                  BartForConditionalGeneration.from_pretrained(bart_path, dtype=dtype).to(device).eval())
    return {"marian": models, "summarizer": summarizer, "device": device}


def translate(loaded: dict[str, Any], language: str, text: str, generation: dict[str, Any],
              batch_size: int = 16) -> str:
    import torch

    tokenizer, model = loaded["marian"][language]
    out = []
    parts = sentences(text)
    for i in range(0, len(parts), batch_size):
        batch = tokenizer(parts[i:i + batch_size], return_tensors="pt", padding=True, truncation=True)
        with torch.inference_mode():
            ids = model.generate(**batch.to(loaded["device"]), **generation)
        out += tokenizer.batch_decode(ids, skip_special_tokens=True)
    return " ".join(out)


def summarize(loaded: dict[str, Any], english: str, generation: dict[str, Any]) -> str:
    import torch

    tokenizer, model = loaded["summarizer"]
    batch = tokenizer([english], return_tensors="pt", truncation=True, max_length=1024)
    with torch.inference_mode():
        ids = model.generate(**batch.to(loaded["device"]), **generation)
    return tokenizer.batch_decode(ids, skip_special_tokens=True)[0]


def run(loaded: dict[str, Any], docs: list[tuple[str, str]], translation: dict[str, Any],
        summary: dict[str, Any], progress: Callable[[int], None] = lambda i: None) -> list[str]:
    """``docs`` are ``(language, text)``; returns one summary per document."""
    summaries = []
    for i, (language, text) in enumerate(docs):
        summaries.append(summarize(loaded, translate(loaded, language, text, translation), summary))
        progress(i)
    return summaries
