"""The keys mtsum persists are made with mtsum.signature and stay byte-identical to the
formats written before it: digest states, batch records and run keys stay valid."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from mtsum.signature import Signature, content_hash

PARTS = [
    {"summarizer": "bart", "source": "auto"},
    {"summarizer": "extractive", "source": "de", "de": {"model": "Helsinki-NLP/opus-mt-de-en", "revision": None,
                                                         "generation": {"num_beams": 4}, "max_input_tokens": 512}},
    {"registry": "ab" * 32, "source": "sv", "backend": "auto", "compute_type": None, "task": "both",
     "summarizer": "bart", "max_length": 130, "min_length": None},
]


@pytest.mark.parametrize("parts", PARTS)
def test_digest_signature_format(parts: dict[str, object]) -> None:
    # digest/process.model_signature before signature.py
    old = hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]
    assert Signature(parts).key(16) == old


@pytest.mark.parametrize("parts", PARTS)
def test_batch_run_key_format(parts: dict[str, object]) -> None:
    # batch/stages.run_key before signature.py (ASCII parts: ensure_ascii makes no difference)
    assert Signature(parts).key(16) == hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


@pytest.mark.parametrize("data", [b"", b"Hej v\xc3\xa4rlden\n", bytes(range(256))])
def test_content_hashes(data: bytes) -> None:
    from mtsum.batch.records import Item, load

    assert content_hash(data) == "sha256:" + hashlib.sha256(data).hexdigest()  # batch records
    if data.strip():
        text = data.decode("utf-8", "replace")
        assert load(Item(id="x", text=text))[1] == "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def test_run_key_of_a_pipeline(tmp_path: Path) -> None:
    from mtsum.batch.stages import run_key

    registry = tmp_path / "models.yaml"
    registry.write_bytes(b"translation: {}\n")
    pipeline = SimpleNamespace(config=SimpleNamespace(path=registry), backend_name="auto",
                               settings=SimpleNamespace(source="auto", compute_type=None))
    parts = {"registry": hashlib.sha256(registry.read_bytes()).hexdigest(), "source": "auto", "backend": "auto",
             "compute_type": None, "task": "translate"}
    old = hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]
    assert run_key(pipeline, "translate", "bart", None, None) == old  # type: ignore[arg-type]


def test_digest_content_hash_is_bare_hex(tmp_path: Path) -> None:
    from mtsum.digest.process import read_article

    article = tmp_path / "a.txt"
    article.write_bytes(b"Ein Artikel.\n")
    assert read_article(article, decode=False)[1] == hashlib.sha256(article.read_bytes()).hexdigest()
