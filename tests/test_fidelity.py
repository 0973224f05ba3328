"""Fidelity to the real models: on repos laid out like the hub's, both backends tokenize
alike and, in float32, decode to the same tokens.

The repos come from tests/fixtures/real_layout.py (random weights, real layout and
configs). Decoding runs with the real settings (beam 4 for de-en, 6 for sv-en,
distilbart's beam 4 / min_length 56 / no_repeat_ngram_size 3 / length_penalty 2.0);
only Marian's max_length is capped at 64, since random weights never stop by
themselves and 512 steps of six beams would make a slow test of the same thing.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

import mtsum
from mtsum.backends import create_backend
from mtsum.config import load_models_config

pytest.importorskip("ctranslate2")

ODD = [
    "Ja.",
    "😀 Emoji 🇸🇪 und „Anführungszeichen“ sowie «Guillemets» – 1.234,56 € am 30.12.2023.",
    '"Quoted," he said: \'single\' and "double".',
    "112 113 114 2024-01-02 3,5 % 10:45",
    "Ein Test <mask> und </s> mitten <unk> im <pad> Satz.",
    "x",
]
SPECIALS = "Der Text zitiert <mask>, </s>, <unk> und <pad> wörtlich."


def sentences(lang: str) -> list[str]:
    root = Path(__file__).resolve().parent.parent / "seeds"
    files = sorted(root.glob("*.txt"))
    chosen = {"sv": [files[0], files[2]], "de": [files[1]]}[lang]
    found = [s for f in chosen for p in mtsum.split_paragraphs(f.read_text(encoding="utf-8"))
             for s in mtsum.split_sentences(p, lang)]
    return found


@pytest.fixture(scope="module", params=["tiny", pytest.param("hub", marks=pytest.mark.network)])
def real_yaml(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A models.yaml of the tiny real-layout repos, or (``make test-network``) of the real ones."""
    import yaml

    path = tmp_path_factory.mktemp("real-yaml") / "models.yaml"
    if request.param == "tiny":
        from real_layout import write_models_yaml

        write_models_yaml(request.getfixturevalue("real_layout"), path)
    else:
        packaged = Path(mtsum.__file__).parent / "models.yaml"
        path.write_text(packaged.read_text(encoding="utf-8"), encoding="utf-8")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    # Cap Marian's length only (see the module docstring); distilbart keeps all its settings.
    for lang in data["translation"]:
        data["translation"][lang]["generation"] = {"max_length": 64}
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def real_ct2(real_yaml: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """float32 CTranslate2 conversions of the models in ``real_yaml`` (a cache folder)."""
    from mtsum.backends.convert import convert_model

    cache = tmp_path_factory.mktemp("real-ct2")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MTSUM_CACHE_DIR", str(cache))
        for spec in load_models_config(real_yaml).all_specs():
            convert_model(spec, "float32", offline=False)
    return cache


@pytest.fixture
def backends(real_yaml: Path, real_ct2: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("MTSUM_CACHE_DIR", str(real_ct2))
    config = load_models_config(real_yaml)

    def make(name: str) -> tuple[Any, Any]:
        spec = config.summarization if name == "en" else config.translation[name]
        task = "summarization" if name == "en" else "translation"
        return (create_backend(spec, task, backend="transformers", device="cpu"),
                create_backend(spec, task, backend="ctranslate2", device="cpu", compute_type="float32"))

    return make


# --- tokenizers ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["sv", "de", "en"])
def test_tokenizer_matches_transformers(backends: Any, name: str) -> None:
    from transformers import AutoTokenizer, MarianTokenizer

    hf, ct = backends(name)
    folder = hf.located[0]
    reference = (MarianTokenizer if name != "en" else AutoTokenizer).from_pretrained(str(folder))
    texts = [*(sentences("sv" if name == "en" else name)), *ODD, "", "  "]
    for text in texts:
        # split_special_tokens: a literal "<mask>" is text to both (see mtsum/backends/tokens.py)
        assert hf.tokens.input_ids(text) == reference(text, split_special_tokens=True)["input_ids"], text
        assert ct.tokens.input_ids(text) == hf.tokens.input_ids(text)
    rng = random.Random(7)
    size = len(reference)
    for _ in range(200):
        ids = [rng.randrange(size) for _ in range(rng.randrange(1, 40))]
        assert hf.tokens.decode_ids(ids) == reference.decode(ids, skip_special_tokens=True).strip(), ids


@pytest.mark.parametrize("name", ["sv", "de", "en"])
def test_literal_special_tokens_are_ordinary_text(backends: Any, name: str) -> None:
    hf, ct = backends(name)
    ids = hf.tokens.input_ids(SPECIALS)
    # <unk> may stand for a character the vocabulary lacks ("<" in Marian's), as in transformers
    specials = hf.tokens.special_ids - set(hf.tokens.input_ids("\u2603")[:-1])
    inner = ids[1:-1] if name == "en" else ids[:-1]
    assert not set(inner) & specials, "a literal special-token string became a special token"
    settings = {**hf.generation_settings(), "max_length": 24, "min_length": 0}
    assert hf.generate_ids([SPECIALS], settings) == ct.generate_ids([SPECIALS], settings)


def test_summarize_with_a_literal_mask_on_both_backends(real_yaml: Path, real_ct2: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MTSUM_CACHE_DIR", str(real_ct2))
    text = ("The council approved the plan on Tuesday. Critics wrote <mask> and </s> in the form, "
            "which the clerk read out. Work starts next spring.")
    summaries = [mtsum.summarize_text(text, source="en", models=real_yaml, backend=b, compute_type=c,
                                      cache=False).summary
                 for b, c in (("transformers", None), ("ctranslate2", "float32"))]
    assert summaries[0] and summaries[0] == summaries[1]


# --- decoding -----------------------------------------------------------------------------


def near_limit(backend: Any, lang: str) -> str:
    words = " ".join(sentences(lang)).split()
    text, i = "", 0
    while backend.count_tokens(text) < backend.max_input_tokens - 12:
        text, i = f"{text} {words[i % len(words)]}".strip(), i + 1
    return text


@pytest.mark.parametrize("lang", ["sv", "de"])
def test_marian_beam_search_is_token_identical(backends: Any, lang: str) -> None:
    hf, ct = backends(lang)
    settings = hf.generation_settings()
    assert settings["num_beams"] == {"sv": 6, "de": 4}[lang]  # the real repos' own beams
    texts = [*sentences(lang), *ODD, near_limit(hf, lang)]
    for start in range(0, len(texts), 8):
        batch = texts[start:start + 8]
        assert hf.generate_ids(batch, settings) == ct.generate_ids(batch, settings), batch
    outputs = ct.generate(texts[:8], settings) + hf.generate(texts[:8], settings)
    assert not [o for o in outputs if "▁" in o]


@pytest.mark.parametrize("lang", ["sv", "de"])
def test_marian_greedy_is_token_identical(backends: Any, lang: str) -> None:
    hf, ct = backends(lang)
    settings = {**hf.generation_settings(), "num_beams": 1}
    texts = [*sentences(lang)[:12], *ODD]
    assert hf.generate_ids(texts, settings) == ct.generate_ids(texts, settings)


def test_ct2_output_has_no_sentencepiece_marks(backends: Any) -> None:
    # English pieces unknown to source.spm came back raw ("amerikansk▁Th▁con").
    _, ct = backends("sv")
    outputs = ct.generate(sentences("sv"), {**ct.generation_settings(), "num_beams": 1})
    assert outputs and not [o for o in outputs if "▁" in o]


def test_seed_summaries_are_identical_across_backends(real_yaml: Path, real_ct2: Path, seeds: dict,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MTSUM_CACHE_DIR", str(real_ct2))
    for path in seeds.values():
        text = path.read_text(encoding="utf-8")
        results = [mtsum.summarize_text(text, models=real_yaml, backend=b, compute_type=c, cache=False,
                                        summarizer="bart")
                   for b, c in (("transformers", None), ("ctranslate2", "float32"))]
        generation = results[0].models["summarization"]["generation"]
        assert (generation["num_beams"], generation["min_length"], generation["length_penalty"]) == (4, 56, 2.0)
        assert results[0].summary == results[1].summary
        assert (results[0].title, results[0].flagged) == (results[1].title, results[1].flagged)
        assert results[0].translation is not None and results[1].translation is not None
        assert results[0].translation.text == results[1].translation.text
        assert "▁" not in results[0].summary + results[1].summary


# --- models verify: agreement on the user's own models --------------------------------------


def test_verify_reports_agreement_of_every_backend(real_yaml: Path, real_ct2: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    from click.testing import CliRunner

    from mtsum.cli import main
    from mtsum.models.fidelity import recorded

    monkeypatch.setenv("MTSUM_CACHE_DIR", str(real_ct2))
    res = CliRunner().invoke(main, ["models", "verify", "--models", str(real_yaml), "--device", "cpu",
                                    "--format", "json"])
    assert res.exit_code == 0, res.output
    results = json.loads(res.stdout)
    assert sorted(r["name"] for r in results) == ["summarization", "translation.de", "translation.sv"]
    for r in results:
        (a,) = r["agreement"]  # one conversion on disk: float32, against transformers float32
        assert (a["backend"], a["compute_type"], a["against"]) == ("ctranslate2", "float32", "transformers float32")
        assert a["identical"] == a["inputs"] > 0 and a["chrf"] == 100.0 and a["faithful"] and a["warning"] is None
    meta = __import__("mtsum.backends.convert", fromlist=["x"]).find_conversion(
        load_models_config(real_yaml).translation["sv"], "float32")
    assert recorded(meta["path"])["identical_share"] == 1.0
    text = CliRunner().invoke(main, ["models", "verify", "de", "--models", str(real_yaml), "--device", "cpu"])
    assert text.exit_code == 0 and "Agreement with float32" in text.stdout
    assert "ctranslate2  float32  transformers float32  6/6 (100 %)  100.0" in text.stdout


# --- the real repos' facts (docs/models.md), checked on the hub -----------------------------


@pytest.mark.network
@pytest.mark.parametrize(("repo", "beams"), [("Helsinki-NLP/opus-mt-sv-en", 6), ("Helsinki-NLP/opus-mt-de-en", 4)])
def test_real_marian_repo_facts(repo: str, beams: int) -> None:
    import json

    from huggingface_hub import HfApi, hf_hub_download

    files = {s.rfilename for s in HfApi().model_info(repo).siblings or []}
    assert {"pytorch_model.bin", "source.spm", "target.spm", "vocab.json", "tokenizer_config.json"} <= files
    assert "model.safetensors" not in files and "tokenizer.json" not in files
    config = json.loads(Path(hf_hub_download(repo, "config.json")).read_text(encoding="utf-8"))
    pad = config["vocab_size"] - 1
    assert (config["num_beams"], config["max_length"], config["eos_token_id"]) == (beams, 512, 0)
    assert config["pad_token_id"] == config["decoder_start_token_id"] == pad
    assert config["bad_words_ids"] == [[pad]]
    vocab = json.loads(Path(hf_hub_download(repo, "vocab.json")).read_text(encoding="utf-8"))
    assert vocab["<pad>"] == pad == len(vocab) - 1 and vocab["</s>"] == 0
    spms = [Path(hf_hub_download(repo, f)).read_bytes() for f in ("source.spm", "target.spm")]
    assert spms[0] != spms[1]
    generation = json.loads(Path(hf_hub_download(repo, "generation_config.json")).read_text(encoding="utf-8"))
    assert generation["renormalize_logits"] is True and generation["forced_eos_token_id"] == 0


@pytest.mark.network
def test_real_distilbart_repo_facts() -> None:
    import json

    from huggingface_hub import HfApi, hf_hub_download

    repo = "sshleifer/distilbart-cnn-12-6"
    files = {s.rfilename for s in HfApi().model_info(repo).siblings or []}
    assert {"pytorch_model.bin", "vocab.json", "merges.txt", "config.json"} <= files
    assert "tokenizer.json" not in files
    config = json.loads(Path(hf_hub_download(repo, "config.json")).read_text(encoding="utf-8"))
    wanted = {"num_beams": 4, "length_penalty": 2.0, "max_length": 142, "min_length": 56,
              "no_repeat_ngram_size": 3, "early_stopping": True}
    assert {k: config[k] for k in wanted} == wanted
    assert {k: config["task_specific_params"]["summarization"][k] for k in wanted} == wanted
    assert config["force_bos_token_to_be_generated"] is True
    vocab = json.loads(Path(hf_hub_download(repo, "vocab.json")).read_text(encoding="utf-8"))
    assert vocab["<mask>"] == len(vocab) - 1 == config["vocab_size"]
