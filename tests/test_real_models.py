"""The real Helsinki-NLP models on the seeds. Skipped unless run with --network
(`make test-network`), on a machine that can reach the Hugging Face hub."""

from __future__ import annotations

from pathlib import Path

import pytest

import mtsum

pytestmark = pytest.mark.network


@pytest.fixture(scope="module")
def default_models() -> None:
    return None  # the packaged models.yaml: the real hub ids


@pytest.mark.parametrize(("key", "facts"), [
    ("sv", ["North Korea", "Russia", "Ukraine"]),
    ("de", ["North Korea", "missiles", "Kirby", "Iran"]),
    ("sv2", ["North Korea", "Russia", "Kirby"]),
])
def test_key_facts_survive_translation(seeds: dict, default_models: None, key: str, facts: list[str]) -> None:
    result = mtsum.translate_text(seeds[key].read_text(encoding="utf-8"), models=default_models)
    text = result.text
    for fact in facts:
        assert fact.lower() in text.lower(), f"{fact!r} missing from translation of {key}"
    assert result.models[result.source_language]["revision"]  # a resolved commit is recorded


def test_german_date_survives(seeds: dict) -> None:
    result = mtsum.translate_text(seeds["de"].read_text(encoding="utf-8"))
    assert "December 30, 2023" in result.text or "30 December 2023" in result.text


@pytest.mark.parametrize(("key", "facts"), [
    ("sv", ["North Korea"]),
    ("de", ["North Korea"]),
    ("sv2", ["North Korea"]),
])
def test_seeds_summarize_with_distilbart(seeds: dict, key: str, facts: list[str]) -> None:
    result = mtsum.summarize_text(seeds[key].read_text(encoding="utf-8"))
    assert result.summarizer == "bart" and result.stats.chunks == 1
    for fact in facts:
        assert fact.lower() in result.summary.lower()
    assert result.models["summarization"]["model"] == "sshleifer/distilbart-cnn-12-6"
    assert len(result.summary.split()) < sum(len(p.split()) for p in
                                             mtsum.split_paragraphs(seeds[key].read_text(encoding="utf-8")))


def test_pull_then_list_and_offline_use_on_the_real_hub(seeds: dict, tmp_path: Path) -> None:
    """The air-gapped workflow of the README on the real hub: pull, list, then offline."""
    import json
    import os
    import subprocess
    import sys

    def mtsum_cli(*args: str, offline: bool = False) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "MTSUM_CACHE_DIR": str(tmp_path / "cache")}
        env.pop("HF_HUB_OFFLINE", None)
        if offline:
            env["HF_HUB_OFFLINE"] = "1"
        return subprocess.run([sys.executable, "-m", "mtsum", *args], env=env, capture_output=True, text=True,
                              check=False)

    pulled = mtsum_cli("models", "pull")
    assert pulled.returncode == 0, pulled.stderr
    listed = mtsum_cli("models", "list", "--format", "json", offline=True)
    assert listed.returncode == 0, listed.stderr
    assert all(m["available"] and m["commit"] for m in json.loads(listed.stdout))
    out = mtsum_cli("translate", str(seeds["de"]), "--format", "json", offline=True)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["models"]["de"]["revision"]
    folder = tmp_path / "airgap"
    assert mtsum_cli("models", "pull", "--to", str(folder), offline=True).returncode == 0  # from the cache
    verified = mtsum_cli("models", "verify", "--models", str(folder / "models.yaml"), "--format", "json",
                         offline=True)
    assert verified.returncode == 0, verified.stderr
