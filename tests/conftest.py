"""Shared fixtures: tiny local models built once per session, and a hermetic environment."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
sys.path.insert(0, str(Path(__file__).parent / "fixtures"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--network", action="store_true",
        help="run tests that need the real Helsinki-NLP/BART models from the hub",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "network: needs the real models from the Hugging Face hub (run with --network)"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--network"):
        return
    skip = pytest.mark.skip(reason="needs the real models from the hub; run with --network")
    for item in items:
        if "network" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _hermetic_env(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest,
                  tmp_path_factory: pytest.TempPathFactory) -> None:
    """No test reaches the hub or reads the user's settings or caches, unless it is a network test."""
    for var in ("MTSUM_MODELS", "MTSUM_DEVICE", "MTSUM_BATCH_SIZE", "MTSUM_RULES_DIR", "MTSUM_BACKEND",
                "MTSUM_MAX_BATCH_TOKENS", "MTSUM_CACHE", "MTSUM_CACHE_MAX_MB", "MTSUM_THREADS"):
        monkeypatch.delenv(var, raising=False)
    # Each test starts with an empty cache folder of its own: no translation cache, no
    # CTranslate2 conversion (so --backend auto means transformers).
    monkeypatch.setenv("MTSUM_CACHE_DIR", str(tmp_path_factory.mktemp("mtsum-cache")))
    if "network" not in request.keywords:
        monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Path of a models.yaml naming tiny random-weight sv-en, de-en and distilbart repos laid
    out like the real ones, decoding short and greedy (real_layout.FAST) so tests stay fast."""
    from real_layout import build_test_models

    return build_test_models(tmp_path_factory.mktemp("tiny-models"))


@pytest.fixture(scope="session")
def real_layout(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Tiny random-weight repos laid out like the real hub repos (tests/fixtures/real_layout.py),
    by hub id: Helsinki-NLP/opus-mt-sv-en, Helsinki-NLP/opus-mt-de-en, sshleifer/distilbart-cnn-12-6."""
    from real_layout import build_real_layout

    return build_real_layout(tmp_path_factory.mktemp("real-layout"))


@pytest.fixture(scope="session")
def ct2_converted(tiny_models: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache folder holding int8 CTranslate2 conversions of the tiny models (and a float32
    one of de-en); use it through ``ct2_cache``."""
    from mtsum.backends.convert import convert_model  # needs the fast extra (ctranslate2)
    from mtsum.config import load_models_config

    cache = tmp_path_factory.mktemp("ct2-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MTSUM_CACHE_DIR", str(cache))
        mp.setenv("HF_HUB_OFFLINE", "1")
        config = load_models_config(tiny_models)
        for spec in config.all_specs():
            convert_model(spec, "int8")
        convert_model(config.translation["de"], "float32")
    return cache


@pytest.fixture
def ct2_cache(ct2_converted: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point mtsum's cache folder at the tiny models' CTranslate2 conversions."""
    monkeypatch.setenv("MTSUM_CACHE_DIR", str(ct2_converted))
    return ct2_converted


@pytest.fixture(scope="session")
def seeds() -> dict[str, Path]:
    """The sample articles by language: sv (000), de (002), sv2 (004)."""
    files = sorted(SEEDS.glob("*.txt"))
    return {"sv": files[0], "de": files[1], "sv2": files[2]}
