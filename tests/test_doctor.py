"""mtsum.doctor and `mtsum doctor`: a complete report even when things are broken."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from mtsum import doctor
from mtsum.cli import main

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def hf_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from huggingface_hub import constants

    cache = tmp_path / "hub"
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    return cache


def test_report_with_empty_cache(hf_cache: Path) -> None:
    before = set(sys.modules)
    r = doctor.collect_report(None, device="cpu")
    assert r["python"].count(".") == 2 and r["mtsum"]
    assert r["torch"]["installed"] and r["torch"]["version"]
    assert isinstance(r["torch"]["cuda_available"], bool)
    assert r["device"] == {"requested": "cpu", "chosen": "cpu"}
    assert r["hf_cache"] == {"path": str(hf_cache), "exists": False, "size_bytes": 0}
    assert r["offline"] is True  # conftest sets HF_HUB_OFFLINE=1
    assert [m["name"] for m in r["models"]["models"]] == ["translation.sv", "translation.de",
                                                         "summarization"]
    assert not any(m["available"] for m in r["models"]["models"])
    assert len(r["problems"]) == 3 and all("mtsum models pull" in p for p in r["problems"])
    assert set(r["optional"]) >= {"ctranslate2", "trafilatura", "ray"}
    for name, info in r["optional"].items():
        assert info["installed"] == (importlib.util.find_spec(name) is not None)
    # optional backends are looked up, never imported
    assert not {"ray", "ctranslate2", "trafilatura"} & (set(sys.modules) - before)
    json.dumps(r)  # the whole report is JSON-serialisable


def test_report_counts_cache_size(hf_cache: Path) -> None:
    (hf_cache / "models--a--b" / "blobs").mkdir(parents=True)
    (hf_cache / "models--a--b" / "blobs" / "x").write_bytes(b"0" * 1234)
    r = doctor.collect_report(None, device="cpu")
    assert r["hf_cache"]["exists"] and r["hf_cache"]["size_bytes"] == 1234


def test_broken_registry_and_device_are_findings_not_crashes(tmp_path: Path) -> None:
    r = doctor.collect_report(tmp_path / "missing.yaml", device="tpu")
    assert r["models"]["models"] == [] and "models file not found" in r["models"]["error"]
    assert r["device"]["chosen"] is None and "unknown device 'tpu'" in r["device"]["error"]
    assert len(r["problems"]) == 2


def test_missing_torch_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "torch" else real(name, *a))
    r = doctor.collect_report(None, device="cpu")
    assert r["torch"] == {"installed": False}
    assert any(p.startswith("torch is not installed") for p in r["problems"])


def test_report_with_tiny_models(tiny_models: Path) -> None:
    r = doctor.collect_report(tiny_models, device="cpu")
    assert r["models"]["config"] == str(tiny_models)
    assert all(m["available"] and m["size_bytes"] > 0 for m in r["models"]["models"])
    assert r["problems"] == []


def test_report_shows_conversions(tiny_models: Path, ct2_cache: Path) -> None:
    r = doctor.collect_report(tiny_models, device="cpu")
    assert r["ctranslate2"] | {"size_bytes": 0} == {
        "installed": True, "conversions_dir": str(ct2_cache / "ct2"), "conversions": 4, "size_bytes": 0}
    assert r["ctranslate2"]["size_bytes"] > 0
    formats = {m["name"]: m["formats"] for m in r["models"]["models"]}
    assert formats["translation.de"] == ["pytorch", "ctranslate2:int8", "ctranslate2:float32"]
    assert all(m["runs_with"] == "ctranslate2" for m in r["models"]["models"])
    res = CliRunner().invoke(main, ["doctor", "--models", str(tiny_models), "--device", "cpu"])
    assert "pytorch,ctranslate2:int8,ctranslate2:float32" in res.stdout


def test_doctor_cli_text_and_json(tiny_models: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(main, ["doctor", "--models", str(tiny_models), "--device", "cpu"])
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert [ln.split(":")[0] for ln in lines[:4]] == ["python", "mtsum", "torch", "transformers"]
    assert "device:        cpu (requested cpu)" in lines
    assert lines[-1] == "problems: none"

    res = runner.invoke(main, ["doctor", "--format", "json", "--device", "cpu"])
    assert res.exit_code == 0
    data = json.loads(res.stdout)
    assert set(data) == {"python", "python_executable", "platform", "mtsum", "torch", "device",
                         "hf_cache", "offline", "models", "optional", "problems", "ctranslate2"}
    assert len(data["problems"]) == 3


def test_importing_the_modules_loads_no_model_libraries() -> None:
    code = ("import sys, mtsum.models.manage, mtsum.evaluate, mtsum.doctor; "
            "print(sorted(m for m in ('torch', 'transformers', 'sacrebleu', 'rouge_score', 'ctranslate2') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"
