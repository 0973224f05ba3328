"""`mtsum summarize` and `translate --clean` end to end on tiny local models."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import mtsum
from mtsum.cli import main

ENGLISH = [
    "Russia has bought millions of rockets and artillery shells from North Korea, according to "
    "newly declassified American intelligence.",
    "The purchases show that the Russian military remains hampered by supply shortages caused by "
    "export controls and sanctions.",
    "North Korea denied the reports on Thursday and called them slander.",
]


def summarize_json(*args: str) -> dict:
    result = CliRunner().invoke(main, ["summarize", *args, "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_german_seed(tiny_models: Path, seeds: dict) -> None:
    data = summarize_json(str(seeds["de"]), "--models", str(tiny_models))
    stats = data["stats"]
    assert stats["paragraphs"] == 8 and stats["duplicates_collapsed"] == 3
    assert stats["boilerplate_removed"] == 1 and stats["chunks"] == 1
    removed = {r["index"]: r for r in data["removed"]}
    assert {i: r["duplicate_of"] for i, r in removed.items() if r["reason"] == "duplicate"} == {4: 1, 5: 2, 6: 3}
    assert removed[7]["reason"] == "boilerplate" and removed[7]["text"].startswith("©")
    assert data["summary"] and data["summarizer"] == "bart"
    assert set(data["models"]) == {"de", "summarization"}


def test_swedish_seed_cleaning(tiny_models: Path, seeds: dict) -> None:
    data = summarize_json(str(seeds["sv"]), "--models", str(tiny_models))
    assert data["source_title"] == "USA: Ryssland köper raketer av Nordkorea"
    assert data["title"]  # the translated headline
    reasons = [r["reason"] for r in data["removed"]]
    assert reasons.count("caption") == 4
    removed_text = [r["text"] for r in data["removed"]]
    assert removed_text.count("Annons") == 6 and "2. Annonsera" in removed_text
    assert "TT" in removed_text
    assert 9 <= data["stats"]["kept_paragraphs"] <= 12


def test_translate_clean(tiny_models: Path, seeds: dict) -> None:
    result = CliRunner().invoke(main, ["translate", str(seeds["sv"]), "--clean", "--format", "json",
                                       "--models", str(tiny_models)], catch_exceptions=False)
    data = json.loads(result.stdout)
    assert data["source_title"] == "USA: Ryssland köper raketer av Nordkorea"
    kept = [p["index"] for p in data["paragraphs"]]
    removed = [r["index"] for r in data["removed"]]
    assert not set(kept) & set(removed) and kept == sorted(kept)
    assert data["stats"]["paragraphs"] == len(mtsum.split_paragraphs(seeds["sv"].read_text(encoding="utf-8")))


def _long_article(n_paragraphs: int, seed: int = 0) -> list[str]:
    """Distinct paragraphs (so cleaning collapses none) of news-like English words."""
    import random

    rng = random.Random(seed)
    vocab = " ".join(ENGLISH).replace(",", "").replace(".", "").lower().split()
    vocab += [f"{w}{i}" for i in range(40) for w in ("region", "official", "report", "missile")]
    paragraphs = []
    for _ in range(n_paragraphs):
        sentences = [" ".join(rng.choice(vocab) for _ in range(13)).capitalize() + "." for _ in range(4)]
        paragraphs.append(" ".join(sentences))
    return paragraphs


def test_long_article_is_chunked_not_truncated(tiny_models: Path) -> None:
    paragraphs = _long_article(400)
    assert sum(len(p.split()) for p in paragraphs) > 20_000
    result = mtsum.summarize_text("\n\n".join(paragraphs), models=tiny_models, device="cpu")
    assert result.stats.chunks > 5 and result.stats.rounds >= 1
    assert result.stats.kept_paragraphs == 400
    assert result.summary


def test_extractive_needs_no_model_at_all(tmp_path: Path) -> None:
    article = tmp_path / "en.txt"
    article.write_text("Russia buys rockets from North Korea\n\n" + "\n\n".join(ENGLISH * 2), encoding="utf-8")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf"),
           "HF_HUB_CACHE": str(tmp_path / "hf" / "hub"), "MTSUM_MODELS": ""}
    proc = subprocess.run([sys.executable, "-m", "mtsum", "summarize", str(article), "--summarizer",
                           "extractive", "--format", "json"], capture_output=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr.decode()
    data = json.loads(proc.stdout)
    assert data["source_language"] == "en" and data["title"] == "Russia buys rockets from North Korea"
    assert data["stats"]["duplicates_collapsed"] == 3
    for sentence in mtsum.split_sentences(data["summary"], "en"):
        assert any(sentence in p for p in ENGLISH)


@pytest.mark.parametrize(("registry_text", "code", "message"), [
    ("translation:\n  sv: {model: a/b}\nsummarization:\n  model: ./no-bart\n", 3, "no-bart"),
    ("translation:\n  sv: {model: a/b}\n", 2, "--summarizer extractive"),
], ids=["missing BART", "no summarization configured"])
def test_bart_unavailable(tmp_path: Path, registry_text: str, code: int, message: str) -> None:
    article = tmp_path / "en.txt"
    article.write_text("\n\n".join(ENGLISH), encoding="utf-8")
    registry = tmp_path / "models.yaml"
    registry.write_text(registry_text)
    result = CliRunner().invoke(main, ["summarize", str(article), "--models", str(registry)])
    assert result.exit_code == code and message in result.stderr


def test_html_input(tiny_models: Path, tmp_path: Path) -> None:
    page = tmp_path / "article.html"
    body = "".join(f"<p>{p}</p>" for p in ENGLISH * 2)
    page.write_text(f"<html><head><title>Rockets</title></head><body><nav><a href='/'>Home</a>"
                    f"<a href='/sport'>Sport</a></nav><article><h1>Russia buys rockets</h1>{body}"
                    f"</article><footer>© 2024 Example News</footer></body></html>", encoding="utf-8")
    data = summarize_json(str(page), "--summarizer", "extractive", "--models", str(tiny_models))
    assert data["source_language"] == "en"
    assert "Home" not in data["summary"] and data["summary"]


def test_text_and_markdown_output(tiny_models: Path, seeds: dict) -> None:
    text = CliRunner().invoke(main, ["summarize", str(seeds["sv"]), "--models", str(tiny_models)])
    assert text.exit_code == 0 and len(text.stdout.strip().split("\n\n")) == 2  # title, summary
    md = CliRunner().invoke(main, ["summarize", str(seeds["de"]), "--format", "markdown",
                                   "--models", str(tiny_models)])
    assert md.exit_code == 0 and "3 duplicates removed" in md.stdout
