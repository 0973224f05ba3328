"""Tests for mtsum.summarization.bart: BART summaries, long-input chunking and map-reduce.

The BART model is tiny and random (see tests/fixtures/tiny_bart.py), so these tests
check structure (chunk counts, rounds, token budgets, settings), never wording.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from mtsum.backends import create_backend
from mtsum.config import GenerationOptions, ModelSpec
from mtsum.errors import ConfigError, InputError, ModelUnavailableError
from mtsum.summarization.bart import BartSummarizer, SummaryOutput, chunk_paragraphs, summarize_paragraphs

ROOT = Path(__file__).resolve().parent.parent
TOPICS = ["Russia", "North Korea", "Ukraine", "the White House", "Iran", "the Kremlin", "Pyongyang"]
ITEMS = ["rockets", "artillery shells", "drones", "sanctions", "ammunition", "export controls"]


def english_paragraph(i: int, sentences: int = 8) -> str:
    """A translation-like news paragraph whose sentences are numbered, so any loss shows."""
    return " ".join(
        f"Sentence {i}.{j} reports that {TOPICS[(i + j) % len(TOPICS)]} discussed "
        f"{ITEMS[(i * j) % len(ITEMS)]} with officials on day {i * 10 + j}."
        for j in range(sentences)
    )


def english_article(words: int) -> list[str]:
    paragraphs: list[str] = []
    while sum(len(p.split()) for p in paragraphs) < words:
        paragraphs.append(english_paragraph(len(paragraphs), sentences=4 + len(paragraphs) % 7))
    return paragraphs


def squash(text: str) -> str:
    return "".join(text.split())


@pytest.fixture(scope="session")
def tiny_bart_dir(tiny_models: Path) -> Path:
    return tiny_models.parent / "tiny-distilbart-cnn-12-6"  # built by tests/fixtures/make_tiny_models.py


@pytest.fixture(scope="module", autouse=True)
def _one_torch_thread() -> Iterator[None]:
    # Tiny matrices: thread hand-offs cost more than they save (4x here on 2 cores).
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def make_summarizer(model_dir: Path, **spec_fields: object) -> BartSummarizer:
    spec = ModelSpec(name="summarization", model=str(model_dir), local=True, **spec_fields)  # type: ignore[arg-type]
    return BartSummarizer(create_backend(spec, "summarization", backend="transformers", device="cpu"),
                          batch_size=8)


@pytest.fixture
def summarizer(tiny_bart_dir: Path) -> BartSummarizer:
    return make_summarizer(tiny_bart_dir)


@contextmanager
def captured_messages() -> Iterator[list[str]]:
    """Every transformers log record and Python warning raised inside the block."""
    messages: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            messages.append(record.getMessage())

    # transformers' logger does not propagate, so caplog would see nothing.
    logger = logging.getLogger("transformers")
    handler, level = Collect(level=logging.DEBUG), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield messages
        messages.extend(str(w.message) for w in caught)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


@contextmanager
def spy_generate(summarizer: BartSummarizer) -> Iterator[list[tuple[tuple[int, ...], tuple[int, ...]]]]:
    """Record (input shape, output shape) of every model.generate call."""
    model = summarizer.backend.loaded.model
    calls: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
    real = model.generate

    def generate(*args: object, **kwargs: object) -> object:
        out = real(*args, **kwargs)
        calls.append((tuple(kwargs["input_ids"].shape), tuple(out.shape)))  # type: ignore[attr-defined]
        return out

    model.generate = generate
    try:
        yield calls
    finally:
        del model.generate  # the instance attribute; the class method shows again


def test_imports_do_not_load_torch() -> None:
    code = (
        "import sys, mtsum.summarization.bart, mtsum.summarization.extractive\n"
        "heavy = sorted({'torch', 'transformers'} & set(sys.modules))\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_tiny_bart_loads_like_a_real_checkpoint(tiny_bart_dir: Path, summarizer: BartSummarizer) -> None:
    import json

    loaded = summarizer.backend.loaded
    assert type(loaded.model).__name__ == "BartForConditionalGeneration"
    assert loaded.model.config.max_position_embeddings == 1024
    tok = loaded.tokenizer
    assert (tok.bos_token_id, tok.pad_token_id, tok.eos_token_id) == (0, 1, 2)
    assert tok.decode(tok("North Korea sold rockets.")["input_ids"], skip_special_tokens=True) == (
        "North Korea sold rockets."
    )
    # distilbart's layout: vocab.json + merges.txt, no tokenizer.json; <mask> outside vocab_size
    assert not (tiny_bart_dir / "tokenizer.json").exists()
    vocab = json.loads((tiny_bart_dir / "vocab.json").read_text(encoding="utf-8"))
    assert vocab["<mask>"] == len(vocab) - 1 == loaded.model.config.vocab_size
    assert summarizer.max_input_tokens == 1022  # 1024 positions minus <s> and </s>


def test_model_loads_lazily_and_reports_missing_path(tmp_path: Path) -> None:
    summarizer = make_summarizer(tmp_path / "missing")  # no error yet
    with pytest.raises(ModelUnavailableError, match="does not exist"):
        summarizer.summarize(["Some text."])


def test_short_text_is_one_chunk_and_no_reduce(summarizer: BartSummarizer, tiny_bart_dir: Path) -> None:
    out = summarize_paragraphs([english_paragraph(0), english_paragraph(1)], summarizer)
    assert isinstance(out, SummaryOutput)
    assert (out.chunks, out.rounds) == (1, 0)
    assert isinstance(out.summary, str) and out.summary.strip()
    assert out.model["model"] == str(tiny_bart_dir) and out.model["revision"].startswith("local-")
    assert (out.model["backend"], out.model["compute_type"], out.model["device"]) == ("transformers", "float32", "cpu")
    assert out.settings["summarizer"] == "bart"
    assert out.settings["max_input_tokens"] == 1022
    assert out.settings["max_length"] == 40  # the tiny model's own generation config
    assert out.to_dict()["chunks"] == 1


def test_long_article_is_chunked_and_reduced_without_truncation(summarizer: BartSummarizer) -> None:
    paragraphs = english_article(20_000)
    with captured_messages() as messages, spy_generate(summarizer) as calls:
        out = summarize_paragraphs(paragraphs, summarizer)
    assert out.chunks > 10
    assert out.rounds >= 1
    assert out.summary.strip()
    assert not [m for m in messages if "truncat" in m.lower() or "longer than" in m.lower()]
    # Every model input fits BART's positions, and the first level saw every chunk.
    assert all(shape_in[1] <= 1024 for shape_in, _ in calls)
    assert sum(shape_in[0] for shape_in, _ in calls) > out.chunks
    # The first level (every chunk) runs before any reduce round, in token-budgeted batches.
    prefix = [sum(shape_in[0] for shape_in, _ in calls[:k]) for k in range(len(calls) + 1)]
    assert out.chunks in prefix
    assert all(shape_in[0] * shape_in[1] <= summarizer.max_batch_tokens or shape_in[0] == 1
               for shape_in, _ in calls)


def test_message_capture_sees_the_overlong_input_warning(summarizer: BartSummarizer) -> None:
    # Guards the test above: the capture must be able to see what it asserts away.
    tok = summarizer.backend.loaded.tokenizer
    fresh = type(tok).from_pretrained(tok.name_or_path)  # warn-once state is per instance
    with captured_messages() as messages:
        fresh(" ".join(english_article(2_000)))
    assert any("longer than" in m for m in messages)


LIMITS = [48, 200, 1022]


@pytest.mark.parametrize("limit", LIMITS)
def test_chunks_hold_every_paragraph_once_in_order(summarizer: BartSummarizer, limit: int) -> None:
    count = summarizer.count_tokens
    long_paragraph = " ".join(english_paragraph(i) for i in range(40, 60))  # many sentences
    run_on = " ".join(f"word{i}" for i in range(900))  # one "sentence", no full stop
    blob = "x" * 5000  # one "word" of thousands of tokens
    paragraphs = [english_paragraph(i) for i in range(12)]
    paragraphs[3:3] = [long_paragraph]
    paragraphs[7:7] = [run_on, blob]

    chunks = chunk_paragraphs(paragraphs, count, limit)

    assert all(count(c) <= limit for c in chunks)
    assert squash("".join(chunks)) == squash("".join(paragraphs))  # nothing lost or repeated
    # Paragraphs that fit whole are never split, and appear in order.
    fitting = [p for p in paragraphs if count(p) <= limit]
    found = [(k, c.index(p)) for p in fitting for k, c in enumerate(chunks) if p in c]
    assert len(found) == len(fitting)
    assert found == sorted(found)


WORD_CHUNKS = [
    # (paragraph word counts, limit in words, expected chunk word counts)
    ([3], 10, [3]),
    ([3, 3, 3], 10, [9]),
    ([4, 4, 4], 10, [8, 4]),
    ([10, 1], 10, [10, 1]),
    ([25], 10, [10, 10, 5]),  # one long sentence: split at words
    ([2, 25, 2], 10, [2, 10, 10, 7]),
]


@pytest.mark.parametrize(("sizes", "limit", "expected"), WORD_CHUNKS)
def test_chunk_packing_with_a_word_counter(sizes: list[int], limit: int, expected: list[int]) -> None:
    paragraphs = [" ".join(f"w{i}_{j}" for j in range(n)) for i, n in enumerate(sizes)]
    chunks = chunk_paragraphs(paragraphs, lambda text: len(text.split()), limit)
    assert [len(c.split()) for c in chunks] == expected
    assert " ".join(chunks).split() == " ".join(paragraphs).split()


class WordSummarizer:
    """A fake with BartSummarizer's interface: counts words, 'summarizes' to the first k."""

    def __init__(self, limit: int, keep: int) -> None:
        self.limit = limit
        self.keep = keep
        self.batches: list[int] = []  # size of each summarize_batch call

    def generation_options(self, max_length: int | None = None,
                           min_length: int | None = None) -> GenerationOptions:
        return GenerationOptions.resolve({}, {"max_length": max_length or self.keep})

    @property
    def max_input_tokens(self) -> int:
        return self.limit

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def summarize_batch(self, texts: list[str], max_length: int | None = None, min_length: int | None = None, *,
                        token_counts: list[int] | None = None,
                        options: GenerationOptions | None = None) -> list[str]:
        assert token_counts == [self.count_tokens(t) for t in texts]  # counted while chunking
        assert all(self.count_tokens(t) <= self.limit for t in texts)
        self.batches.append(len(texts))
        keep = (options or self.generation_options(max_length))["max_length"]
        return [" ".join(t.split()[:keep]) for t in texts]

    def describe(self) -> dict[str, object]:
        return {"model": "fake", "revision": None}


MAP_REDUCE = [
    # (paragraphs of 10 words, limit, words kept per summary, chunks, rounds, batch sizes)
    (1, 100, 5, 1, 0, [1]),
    (10, 100, 5, 1, 0, [1]),
    (20, 100, 5, 2, 1, [2, 1]),
    (200, 100, 20, 20, 2, [20, 4, 1]),  # 20x20 words -> 4 groups -> 4x20 words -> 1
    (300, 30, 5, 100, 3, [100, 17, 3, 1]),
]


@pytest.mark.parametrize(("n", "limit", "keep", "chunks", "rounds", "batches"), MAP_REDUCE)
def test_map_reduce_rounds(n: int, limit: int, keep: int, chunks: int, rounds: int,
                           batches: list[int]) -> None:
    fake = WordSummarizer(limit, keep)
    paragraphs = [" ".join(f"p{i}w{j}" for j in range(10)) for i in range(n)]
    out = summarize_paragraphs(paragraphs, fake)  # type: ignore[arg-type]
    assert (out.chunks, out.rounds, fake.batches) == (chunks, rounds, batches)
    assert out.summary.split()[0] == "p0w0"


def test_reduce_without_progress_is_a_config_error() -> None:
    # Each summary alone fills an input: reducing could never end.
    with pytest.raises(ConfigError, match="lower max_length"):
        summarize_paragraphs(["a b c d e"] * 4, WordSummarizer(limit=5, keep=5))  # type: ignore[arg-type]


def test_small_input_limit_recurses_with_the_real_model(tiny_bart_dir: Path) -> None:
    summarizer = make_summarizer(tiny_bart_dir, max_input_tokens=64, generation={"max_length": 12})
    out = summarize_paragraphs([english_paragraph(i, sentences=3) for i in range(6)], summarizer)
    assert out.settings["max_input_tokens"] == 62
    assert out.chunks > 1 and out.rounds >= 1


@pytest.mark.parametrize("paragraphs", [[], [""], ["  ", "\n"]])
def test_nothing_to_summarize(summarizer: BartSummarizer, paragraphs: list[str]) -> None:
    with pytest.raises(InputError):
        summarize_paragraphs(paragraphs, summarizer)


def test_summarize_batch_refuses_overlong_text(summarizer: BartSummarizer) -> None:
    with pytest.raises(InputError, match="input limit"):
        summarizer.summarize_batch([" ".join(english_article(2_000))])
    assert summarizer.summarize_batch([]) == []


SETTINGS = [
    # (spec.generation, explicit max/min, expected settings subset, keys that must be absent)
    ({}, (None, None), {"max_length": 40, "min_length": 5, "num_beams": 1}, []),
    ({"max_length": 20, "num_beams": 2}, (None, None), {"max_length": 20, "num_beams": 2}, []),
    ({"max_length": 20}, (12, None), {"max_length": 12}, []),
    ({"max_new_tokens": 30}, (None, None), {"max_new_tokens": 30, "max_length": 40}, []),
    ({"max_new_tokens": 30}, (12, None), {"max_length": 12}, ["max_new_tokens"]),
    ({"min_length": 30}, (10, None), {"max_length": 10, "min_length": 10}, []),
    ({"length_penalty": 2.0, "no_repeat_ngram_size": 4}, (None, 8),
     {"length_penalty": 2.0, "no_repeat_ngram_size": 4, "min_length": 8}, []),
]


@pytest.mark.parametrize(("generation", "lengths", "expected", "absent"), SETTINGS)
def test_generation_settings_precedence(tiny_bart_dir: Path, generation: dict[str, object],
                                        lengths: tuple[int | None, int | None],
                                        expected: dict[str, object], absent: list[str]) -> None:
    settings = make_summarizer(tiny_bart_dir, generation=generation).generation_settings(*lengths)
    assert {k: settings.get(k) for k in expected} == expected
    assert not set(absent) & set(settings)


@pytest.mark.parametrize(("generation", "lengths", "budget"), [
    ({}, (None, None), 40),
    ({"max_length": 16}, (None, None), 16),
    ({"max_length": 16}, (9, None), 9),
    ({}, (10, 10), 10),
])
def test_length_settings_bound_the_generated_tokens(
    tiny_bart_dir: Path, generation: dict[str, object],
    lengths: tuple[int | None, int | None], budget: int,
) -> None:
    summarizer = make_summarizer(tiny_bart_dir, generation=generation)
    with spy_generate(summarizer) as calls:
        summarizer.summarize_batch([english_paragraph(1), english_paragraph(2)], *lengths)
    (_, shape_out), = calls
    assert shape_out[1] <= budget
    if lengths[1] is not None:  # min_length == max_length pins the length exactly
        assert shape_out[1] == budget


@pytest.mark.parametrize(("field", "value", "message"), [
    ("max_length", 0, "positive integer"),
    ("num_return_sequences", 3, "must be 1"),
])
def test_bad_generation_settings(tiny_bart_dir: Path, field: str, value: int, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        make_summarizer(tiny_bart_dir, generation={field: value}).generation_settings()


@pytest.mark.parametrize(("max_input_tokens", "limit"), [(None, 1022), (128, 126), (4096, 1022)])
def test_input_limit(tiny_bart_dir: Path, max_input_tokens: int | None, limit: int) -> None:
    assert make_summarizer(tiny_bart_dir, max_input_tokens=max_input_tokens).max_input_tokens == limit
