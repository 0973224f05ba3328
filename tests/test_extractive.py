"""Tests for mtsum.summarization.extractive: TextRank sentence selection, no model, no torch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mtsum.errors import ConfigError, InputError
from mtsum.summarization.bart import SummaryOutput
from mtsum.summarization.extractive import ExtractiveSummarizer, textrank_scores
from mtsum.text.segment import split_sentences

ROOT = Path(__file__).resolve().parent.parent

# A translation-like English article (the pipeline hands the summarizer cleaned
# English paragraphs).
ARTICLE = [
    "The Russian Defence Ministry is buying millions of rockets and artillery shells from "
    "North Korea, according to US intelligence. The purchase shows that sanctions and export "
    "controls are hurting the supply of the Russian army.",
    "US officials said Russia is likely to keep buying military equipment from North Korea. "
    "The report comes shortly after Washington confirmed that Moscow bought drones from Iran. "
    "According to the White House, the drones from Iran have had technical problems.",
    "North Korea denied the reports and called them slander. Pyongyang said it has never "
    "exported rockets or artillery shells to Russia and has no plans to do so.",
    "The weather in the capital was mild on Tuesday.",
]


def sentences_of(paragraphs: list[str]) -> list[str]:
    return [s for p in paragraphs for s in split_sentences(p, "en")]


def positions(summary: str, paragraphs: list[str]) -> list[int]:
    """Index of each summary sentence in the input; fails unless each is an input sentence."""
    source = sentences_of(paragraphs)
    picked = split_sentences(summary, "en")
    assert all(s in source for s in picked), picked
    return [source.index(s) for s in picked]


LIMITS = [
    # (summarize kwargs, expected sentence count or None, word cap or None)
    ({}, 3, None),
    ({"max_sentences": 1}, 1, None),
    ({"max_sentences": 5}, 5, None),
    ({"max_sentences": 100}, len(sentences_of(ARTICLE)), None),
    ({"max_words": 30}, None, 30),
    ({"max_length": 40}, None, 30),  # 40 tokens ~ 30 words
    ({"max_sentences": 2, "max_words": 1000}, 2, None),
]


@pytest.mark.parametrize(("kwargs", "n_sentences", "word_cap"), LIMITS)
def test_summary_is_input_sentences_in_order(kwargs: dict[str, int], n_sentences: int | None,
                                             word_cap: int | None) -> None:
    out = ExtractiveSummarizer().summarize(ARTICLE, **kwargs)
    found = positions(out.summary, ARTICLE)
    assert found == sorted(found) and len(set(found)) == len(found)
    if n_sentences is not None:
        assert len(found) == n_sentences == out.settings["selected"]
    if word_cap is not None:
        assert 0 < len(out.summary.split()) <= word_cap
        assert out.settings["max_words"] == word_cap


def test_output_records_settings_and_is_json_ready() -> None:
    out = ExtractiveSummarizer().summarize(ARTICLE, max_sentences=2)
    assert isinstance(out, SummaryOutput)
    assert (out.chunks, out.rounds) == (1, 0)
    assert out.model == {"model": "textrank", "revision": None}
    assert out.settings == {
        "summarizer": "extractive", "algorithm": "textrank", "similarity": "tfidf-cosine",
        "damping": 0.85, "max_sentences": 2, "max_words": None, "min_words": 0,
        "sentences": len(sentences_of(ARTICLE)), "selected": 2,
    }
    json.dumps(out.to_dict())


def test_deterministic() -> None:
    runs = {ExtractiveSummarizer().summarize(ARTICLE).summary for _ in range(3)}
    assert len(runs) == 1


def test_central_sentences_beat_the_outlier() -> None:
    out = ExtractiveSummarizer().summarize(ARTICLE, max_sentences=3)
    assert "weather" not in out.summary
    assert "North Korea" in out.summary


def test_ties_go_to_the_earlier_sentence() -> None:
    # Four interchangeable sentences: every score is equal.
    paragraphs = ["Alpha beta gamma. Alpha beta delta.", "Alpha beta epsilon. Alpha beta zeta."]
    out = ExtractiveSummarizer().summarize(paragraphs, max_sentences=2)
    assert out.summary == "Alpha beta gamma. Alpha beta delta."


def test_repeated_sentence_is_selected_once() -> None:
    paragraphs = ["Russia bought rockets from North Korea.", "Russia bought rockets from North Korea.",
                  "North Korea denied that Russia bought rockets."]
    out = ExtractiveSummarizer().summarize(paragraphs, max_sentences=2)
    assert out.summary.count("Russia bought rockets from North Korea.") == 1


def test_top_sentence_is_kept_even_over_the_word_budget() -> None:
    out = ExtractiveSummarizer().summarize(ARTICLE, max_words=2)
    assert len(split_sentences(out.summary, "en")) == 1


def test_min_length_adds_sentences_beyond_the_default_count() -> None:
    short = ExtractiveSummarizer().summarize(ARTICLE)
    longer = ExtractiveSummarizer().summarize(ARTICLE, min_length=120)  # >= 90 words
    assert len(longer.summary.split()) >= 90 > len(short.summary.split())
    positions(longer.summary, ARTICLE)


@pytest.mark.parametrize("paragraphs", [["One lonely sentence."], ["One lonely sentence.", "  "]])
def test_single_sentence(paragraphs: list[str]) -> None:
    assert ExtractiveSummarizer().summarize(paragraphs).summary == "One lonely sentence."


@pytest.mark.parametrize(("paragraphs", "kwargs", "error"), [
    ([], {}, InputError),
    (["", "   "], {}, InputError),
    (ARTICLE, {"max_sentences": 0}, ConfigError),
    (ARTICLE, {"max_words": 0}, ConfigError),
])
def test_bad_input(paragraphs: list[str], kwargs: dict[str, int], error: type[Exception]) -> None:
    with pytest.raises(error):
        ExtractiveSummarizer().summarize(paragraphs, **kwargs)


@pytest.mark.parametrize(("sentences", "expected"), [
    ([], []),
    (["Only one."], [1.0]),
    (["Cats purr.", "Dogs bark."], [0.5, 0.5]),  # no shared terms: uniform
])
def test_textrank_scores_small_cases(sentences: list[str], expected: list[float]) -> None:
    assert textrank_scores(sentences) == pytest.approx(expected)


def test_textrank_scores_form_a_distribution() -> None:
    scores = textrank_scores(sentences_of(ARTICLE))
    assert sum(scores) == pytest.approx(1.0)
    assert min(scores) > 0


def test_long_article_is_fast_enough() -> None:
    paragraphs = [f"Sentence {i} says Russia bought item {i % 17} from North Korea in week {i % 5}."
                  for i in range(1500)]
    out = ExtractiveSummarizer().summarize(paragraphs, max_sentences=3)
    assert len(positions(out.summary, paragraphs)) == 3


def test_works_offline_without_torch_or_a_model() -> None:
    code = (
        "import json, sys\n"
        "from mtsum.summarization.extractive import ExtractiveSummarizer\n"
        "out = ExtractiveSummarizer().summarize(json.loads(sys.argv[1]))\n"
        "heavy = sorted({'torch', 'transformers', 'huggingface_hub'} & set(sys.modules))\n"
        "assert not heavy, heavy\n"
        "print(out.summary)\n"
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
           "MTSUM_MODELS": str(ROOT / "does-not-exist.yaml")}
    done = subprocess.run([sys.executable, "-c", code, json.dumps(ARTICLE)], env=env, cwd=ROOT,
                          capture_output=True, text=True, check=True)
    positions(done.stdout.strip(), ARTICLE)


# --- linear memory (issue 28, item 8) ------------------------------------------------

def dense_textrank_reference(sentences: list[str], damping: float = 0.85, tol: float = 1e-10,
                             max_iter: int = 200) -> list[float]:
    """The former implementation: PageRank over the dense n x n similarity matrix."""
    import numpy as np

    from mtsum.text.tfidf import cosine_matrix

    n = len(sentences)
    if n <= 1:
        return [1.0] * n
    sim = cosine_matrix(sentences)
    np.fill_diagonal(sim, 0.0)
    out_weight = sim.sum(axis=1, keepdims=True)
    trans = np.where(out_weight > 0, sim / np.where(out_weight > 0, out_weight, 1.0), 1.0 / n)
    rank = np.full(n, 1.0 / n)
    for _ in range(max_iter):
        new = (1.0 - damping) / n + damping * (trans.T @ rank)
        done = float(np.abs(new - rank).sum()) < tol
        rank = new
        if done:
            break
    return [float(r) for r in rank]


def ranking(scores: list[float]) -> list[int]:
    return sorted(range(len(scores)), key=lambda i: (-round(scores[i], 12), i))


# Every article we have: the English test data, and the seeds and sv/de data as they
# are (untranslated: the graph does not care about the language).
REAL_TEXTS = sorted([*ROOT.glob("tests/data/**/*.txt"), *ROOT.glob("seeds/*.txt")])


@pytest.mark.parametrize("path", REAL_TEXTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_same_ranking_as_the_dense_matrix_on_real_articles(path: Path) -> None:
    paragraphs = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    sentences = sentences_of(paragraphs)
    scores, reference = textrank_scores(sentences), dense_textrank_reference(sentences)
    assert scores == pytest.approx(reference, rel=1e-12, abs=0)
    assert ranking(scores) == ranking(reference)


def test_same_ranking_as_the_dense_matrix_on_long_and_odd_inputs() -> None:
    long = sentences_of([f"Sentence {i} says Russia bought item {i % 17} from North Korea in week {i % 5}."
                         for i in range(1500)])
    odd = [*sentences_of(ARTICLE), "Cats purr.", "Cats purr.", "Zebra quokka.", "Russia, Russia, Russia!"]
    for sentences in (long, odd):
        scores, reference = textrank_scores(sentences), dense_textrank_reference(sentences)
        assert scores == pytest.approx(reference, rel=1e-12, abs=0)
        assert ranking(scores) == ranking(reference)


MEMORY_CHILD = r"""
import json, resource, sys
import numpy as np
from mtsum.summarization.extractive import ExtractiveSummarizer
from mtsum.summarization.bart import SummaryOutput

ExtractiveSummarizer().summarize(["A warm-up sentence about rockets.", "Another sentence about rockets."])
vm = {k: int(v.split()[0]) * 1024 for k, v in
      (line.split(":", 1) for line in open("/proc/self/status") if line.startswith(("VmSize", "VmPeak")))}
extra = int(sys.argv[1])
soft, hard = resource.getrlimit(resource.RLIMIT_AS)
limit = vm["VmPeak"] + extra
if hard != resource.RLIM_INFINITY:
    limit = min(limit, hard)
resource.setrlimit(resource.RLIMIT_AS, (limit, hard))

# A 30,000-paragraph article (~3.6 MB) with a news-sized vocabulary: Zipf-like word choice
# from 60,000 made-up words, so thousands of terms are shared between sentences.
rng = np.random.default_rng(0)
syl = ["ka", "lo", "mi", "re", "tu", "sa", "ne", "vo", "pi", "da", "ge", "ru", "fo", "ba", "li", "zo"]
vocab = [a + b + c + d for a in syl for b in syl for c in syl for d in syl[:15]]
p = 1.0 / np.arange(1, len(vocab) + 1)
picks = rng.choice(len(vocab), size=(30000, 8), p=p / p.sum())
verbs = ["reported", "confirmed", "denied", "announced", "estimated", "criticised", "approved", "delayed"]
paragraphs = [
    f"The agency {verbs[i % 8]} the {vocab[w[0]]} {vocab[w[1]]} in {vocab[w[2]]} on day {i % 397}, citing "
    f"{vocab[w[3]]} {vocab[w[4]]} and {vocab[w[5]]} figures from {vocab[w[6]]} {vocab[w[7]]}."
    for i, w in enumerate(picks.tolist())
]
(out,) = ExtractiveSummarizer().summarize_many([paragraphs])  # the digest's entry point
assert isinstance(out, SummaryOutput), repr(out)
print(json.dumps({"summary": out.summary, "sentences": out.settings["sentences"],
                  "bytes": sum(len(t) + 1 for t in paragraphs), "limit_over_baseline": extra,
                  "baseline_vm_peak": vm["VmPeak"],
                  "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
def test_30000_paragraphs_fit_in_bounded_memory() -> None:
    """An article of 30,000 paragraphs is summarized under an address-space limit of
    1.5 GiB above the interpreter's own (numpy imported). The dense similarity graph
    needed 6.7 GiB for one 30,000 x 30,000 matrix: MemoryError, and the digest exited 1."""
    done = subprocess.run([sys.executable, "-c", MEMORY_CHILD, str(3 * 2**29)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout)
    assert result["sentences"] == 30000
    assert len(split_sentences(result["summary"], "en")) == 3
    print(f"\n30,000 paragraphs ({result['bytes'] / 1e6:.1f} MB): peak RSS "
          f"{result['peak_rss'] / 2**20:.0f} MiB, address-space limit baseline "
          f"{result['baseline_vm_peak'] / 2**20:.0f} MiB + {result['limit_over_baseline'] / 2**30:.1f} GiB")
