"""Both backends on the tiny models: same structure, same token counts, distinct cache keys;
the CTranslate2 path never imports torch. Outputs are gibberish: only structure is checked."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from mtsum.backends import choose_backend, create_backend
from mtsum.backends.ct2 import CTranslate2Backend, default_compute_type, thread_layout, threads, translate_options
from mtsum.config import load_models_config
from mtsum.errors import BackendOOMError, ConfigError, ModelUnavailableError

ROOT = Path(__file__).resolve().parent.parent

TASKS = [("de", "translation"), ("summarization", "summarization")]
TEXTS = [
    "Die Regierung hat heute einen neuen Haushalt vorgestellt.",
    "Russland kauft Raketen und Artilleriegeschosse von Nordkorea.",
    "Kurz.",
]


def spec_of(tiny_models: Path, key: str) -> Any:
    config = load_models_config(tiny_models)
    return config.summarization if key == "summarization" else config.translation_spec(key)


def pair(tiny_models: Path, key: str, task: str, **kwargs: Any) -> tuple[Any, Any]:
    spec = spec_of(tiny_models, key)
    return (create_backend(spec, task, backend="transformers", device="cpu"),
            create_backend(spec, task, backend="ctranslate2", device="cpu", **kwargs))


@pytest.mark.parametrize(("key", "task"), TASKS)
def test_generate_same_structure(ct2_cache: Path, tiny_models: Path, key: str, task: str) -> None:
    hf, ct = pair(tiny_models, key, task)
    assert hf.generation_settings() == ct.generation_settings()
    outs = [b.generate(TEXTS, b.generation_settings()) for b in (hf, ct)]
    for out in outs:
        assert len(out) == len(TEXTS)
        assert all(isinstance(t, str) and t.strip() for t in out)
    assert ct.generate([], ct.generation_settings()) == []


@pytest.mark.parametrize("text", [
    "", "Hallo Welt", TEXTS[1], "Preis: 12,50 € – „Zitat“ 😀", ">>en<< Guten Morgen",
    "Regeringen presenterade i dag en ny budget för skolan.", "  spaces   around  ",
])
@pytest.mark.parametrize(("key", "task"), TASKS)
def test_token_counts_agree(ct2_cache: Path, tiny_models: Path, key: str, task: str, text: str) -> None:
    hf, ct = pair(tiny_models, key, task)
    assert ct.count_tokens(text) == hf.count_tokens(text)


@pytest.mark.parametrize(("key", "task", "limit"),
                         [("de", "translation", 511), ("summarization", "summarization", 1022)])
def test_max_input_tokens_agree(ct2_cache: Path, tiny_models: Path, key: str, task: str, limit: int) -> None:
    hf, ct = pair(tiny_models, key, task)
    assert hf.max_input_tokens == ct.max_input_tokens == limit


def test_describe_and_cache_key_differ_by_backend_and_compute_type(ct2_cache: Path, tiny_models: Path) -> None:
    hf, int8 = pair(tiny_models, "de", "translation")
    f32 = create_backend(spec_of(tiny_models, "de"), "translation", backend="ctranslate2", device="cpu",
                         compute_type="float32")
    described = [b.describe() for b in (hf, int8, f32)]
    assert [(d["backend"], d["compute_type"]) for d in described] == [
        ("transformers", "float32"), ("ctranslate2", "int8"), ("ctranslate2", "float32")]
    assert {d["revision"] for d in described} == {hf.revision} and hf.revision.startswith("local-")
    assert all(d["device"] == "cpu" for d in described)
    assert len({b.cache_key() for b in (hf, int8, f32)}) == 3


def _key_as_before(value: object) -> str:
    """How cache keys were made before mtsum.signature: translation caches on disk use them."""
    import hashlib
    import json

    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:32]


def test_cache_keys_are_the_keys_caches_on_disk_were_written_with(ct2_cache: Path, tiny_models: Path) -> None:
    from mtsum.config import load_models_config
    from mtsum.translation.guard import RETRY_SETTINGS, GuardedTranslator
    from mtsum.translation.translator import ModelTranslator

    guard = load_models_config(tiny_models).guard
    for backend in pair(tiny_models, "de", "translation"):
        described = {k: v for k, v in backend.describe().items() if k != "device"}
        assert backend.cache_key() == _key_as_before(described)
        guarded = GuardedTranslator(ModelTranslator(backend, "de"), guard)
        assert guarded.cache_key() == _key_as_before([backend.cache_key(), dataclasses.asdict(guard), RETRY_SETTINGS])


def test_backend_names_are_the_settings_list() -> None:
    from mtsum import backends, settings

    assert ("auto", *backends._REGISTRY) == settings.BACKENDS


def test_auto_locates_the_model_once(ct2_cache: Path, tiny_models: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--backend auto finds the conversion (locating the source model); the backend it makes
    reuses that, so counting tokens and the input limit do not locate the model again."""
    from mtsum.backends import hub

    calls: list[str] = []
    real = hub.locate

    def counted(spec, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(spec.name)
        return real(spec, *args, **kwargs)

    monkeypatch.setattr(hub, "locate", counted)
    backend = create_backend(spec_of(tiny_models, "sv"), "translation", device="cpu")
    assert backend.name == "ctranslate2"
    assert backend.max_input_tokens > 0 and backend.count_tokens("Hej världen") > 0 and backend.revision
    assert calls == ["translation.sv"]


def test_auto_picks_ctranslate2_only_when_converted(tiny_models: Path, monkeypatch: pytest.MonkeyPatch,
                                                    ct2_converted: Path) -> None:
    spec = spec_of(tiny_models, "sv")
    assert choose_backend(spec) == "transformers"  # the session's cache folder is empty
    monkeypatch.setenv("MTSUM_CACHE_DIR", str(ct2_converted))
    assert choose_backend(spec) == "ctranslate2"
    assert choose_backend(spec, compute_type="int8_float32") == "ctranslate2"  # same int8 weights
    assert choose_backend(spec, compute_type="float32") == "transformers"  # sv has no float conversion
    assert choose_backend(spec, "transformers") == "transformers"
    assert create_backend(spec, "translation", device="cpu").name == "ctranslate2"


def test_missing_conversion_says_how_to_convert(tiny_models: Path) -> None:
    backend = CTranslate2Backend(spec_of(tiny_models, "sv"), "translation", "cpu")
    with pytest.raises(ModelUnavailableError, match="mtsum models convert sv"):
        backend.count_tokens("Hej")


def test_compute_type_not_supported_on_cpu(ct2_cache: Path, tiny_models: Path) -> None:
    backend = CTranslate2Backend(spec_of(tiny_models, "de"), "translation", "cpu", compute_type="float16")
    with pytest.raises(ConfigError, match="not supported on cpu"):
        _ = backend.compute_type


def test_unknown_compute_type(tiny_models: Path) -> None:
    with pytest.raises(ConfigError, match="unknown compute type 'int4'"):
        CTranslate2Backend(spec_of(tiny_models, "de"), "translation", "cpu", compute_type="int4")


def test_cuda_oom_becomes_backend_oom(ct2_cache: Path, tiny_models: Path) -> None:
    class OutOfMemory:
        def translate_batch(self, *args: Any, **kwargs: Any) -> Any:
            raise RuntimeError("CUDA failed with error out of memory")

    backend = CTranslate2Backend(spec_of(tiny_models, "de"), "translation", "cpu")
    backend._translator = OutOfMemory()
    with pytest.raises(BackendOOMError, match="batch of 2"):
        backend.generate(TEXTS[:2], backend.generation_settings())


def test_settings_reach_the_decoder(ct2_cache: Path, tiny_models: Path) -> None:
    _, ct = pair(tiny_models, "de", "translation")
    calls: list[dict[str, Any]] = []
    real = ct.translator

    class Spy:
        def translate_batch(self, source: Any, prefix: Any, **options: Any) -> Any:
            calls.append(options)
            return real.translate_batch(source, prefix, **options)

    ct._translator = Spy()
    short = ct.generate(TEXTS[:1], {"num_beams": 2, "max_new_tokens": 3})[0]
    long = ct.generate(TEXTS[:1], {"num_beams": 2, "max_new_tokens": 20, "min_new_tokens": 20})[0]
    assert calls[0]["beam_size"] == 2 and calls[0]["max_decoding_length"] == 2  # forced </s> takes one
    assert len(short) < len(long)


@pytest.mark.parametrize(("settings", "forced_eos", "expected"), [
    ({}, False, {"beam_size": 1, "sampling_topk": 1}),
    ({"num_beams": 4, "max_length": 512}, False, {"beam_size": 4, "max_decoding_length": 511, "sampling_topk": 1}),
    ({"num_beams": 4, "max_length": 512}, True, {"beam_size": 4, "max_decoding_length": 510, "sampling_topk": 1}),
    ({"max_length": 142, "max_new_tokens": 32, "min_length": 56}, False,
     {"beam_size": 1, "max_decoding_length": 32, "min_decoding_length": 32, "sampling_topk": 1}),
    ({"min_new_tokens": 5, "min_length": 3}, False, {"beam_size": 1, "min_decoding_length": 5, "sampling_topk": 1}),
    ({"length_penalty": 2.0, "no_repeat_ngram_size": 3, "repetition_penalty": 1.2, "early_stopping": True},
     False, {"beam_size": 1, "length_penalty": 2.0, "no_repeat_ngram_size": 3, "repetition_penalty": 1.2,
             "sampling_topk": 1}),
    ({"do_sample": True}, False,
     {"beam_size": 1, "sampling_topk": 50, "sampling_topp": 1.0, "sampling_temperature": 1.0}),
    ({"do_sample": True, "top_k": 0, "top_p": 0.9, "temperature": 0.7}, False,
     {"beam_size": 1, "sampling_topk": 0, "sampling_topp": 0.9, "sampling_temperature": 0.7}),
    ({"top_k": 5, "temperature": 0.5}, False, {"beam_size": 1, "sampling_topk": 1}),  # no do_sample: greedy
])
def test_translate_options(settings: dict[str, Any], forced_eos: bool, expected: dict[str, Any]) -> None:
    assert translate_options(settings, forced_eos=forced_eos) == {"max_input_length": 0, **expected}


@pytest.mark.parametrize(("device", "stored", "expected"), [
    ("cpu", None, "int8"), ("cpu", "int8", "int8"), ("cuda", "int8", "int8_float16"),
    ("cpu", "int8_float16", "int8"), ("cpu", "float16", "float32"), ("cuda", "float32", "float16"),
    ("cuda", "bfloat16", "bfloat16"), ("cpu", "float32", "float32"), ("cpu", "int16", "int16"),
])
def test_default_compute_type(device: str, stored: str | None, expected: str) -> None:
    assert default_compute_type(device, stored) == expected


@pytest.mark.parametrize(("env", "layout"), [("3", (1, 3)), ("2x1", (2, 1)), ("4X2", (4, 2)), (" 1x1 ", (1, 1))])
def test_thread_layout(monkeypatch: pytest.MonkeyPatch, env: str, layout: tuple[int, int]) -> None:
    monkeypatch.setenv("MTSUM_THREADS", env)
    assert thread_layout() == layout and threads() == layout[0] * layout[1]


def test_thread_layout_default_is_one_single_threaded_worker_per_core(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MTSUM_THREADS", raising=False)
    workers, per = thread_layout()
    assert workers == len(os.sched_getaffinity(0)) and per == 1


@pytest.mark.parametrize("env", ["many", "0", "2x0", "x2", "2x", "1.5", "-1"])
def test_thread_layout_refuses_junk(monkeypatch: pytest.MonkeyPatch, env: str) -> None:
    monkeypatch.setenv("MTSUM_THREADS", env)
    with pytest.raises(ConfigError, match="MTSUM_THREADS"):
        thread_layout()


def test_workers_split_a_batch_and_decode_alike(ct2_cache: Path, tiny_models: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from mtsum.config import load_models_config

    spec = load_models_config(tiny_models).translation["de"]
    texts = [f"Der Zug fährt um {h} Uhr nach Berlin." for h in range(1, 12)]
    outputs = []
    for layout in ("1x2", "2x1"):
        monkeypatch.setenv("MTSUM_THREADS", layout)
        backend = CTranslate2Backend(spec, "translation", "cpu")
        assert backend.translator.num_translators == int(layout[0])
        outputs.append(backend.generate_ids(texts, backend.generation_settings()))
    assert outputs[0] == outputs[1]


def test_ctranslate2_path_never_imports_torch(ct2_cache: Path, tiny_models: Path) -> None:
    code = textwrap.dedent(f"""
        import sys
        from mtsum.backends import create_backend
        from mtsum.config import load_models_config
        cfg = load_models_config({str(tiny_models)!r})
        for spec, task in ((cfg.translation["sv"], "translation"), (cfg.summarization, "summarization")):
            b = create_backend(spec, task, device="auto")
            assert b.name == "ctranslate2", b.name
            assert b.count_tokens("Hej världen") > 0 and b.max_input_tokens > 0
            out = b.generate(["Hej världen", "En mening till."], b.generation_settings())
            assert len(out) == 2 and all(out), out
            assert b.describe()["device"] == "cpu"
        heavy = sorted(m for m in ("torch", "transformers") if m in sys.modules)
        assert not heavy, heavy
        print("ok")
    """)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert res.returncode == 0 and res.stdout.strip() == "ok", res.stderr[-2000:]
