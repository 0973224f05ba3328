"""mtsum.models.manage and `mtsum models list|pull|verify`: no test reaches the hub."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from stand_in_hub import StandInHub, point_huggingface_hub_at

from mtsum.backends import hub as models
from mtsum.cli import main
from mtsum.config import ModelSpec, load_models_config
from mtsum.errors import ConfigError, ModelUnavailableError
from mtsum.models import manage, pull

ROOT = Path(__file__).resolve().parent.parent
SHA1 = "1" * 40
SHA2 = "2" * 40


@pytest.fixture(autouse=True)
def hf_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty HF cache per test; huggingface_hub read HF_HUB_CACHE at import, so patch it too."""
    from huggingface_hub import constants

    cache = tmp_path / "hf" / "hub"
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    # A test that forgets to fake the hub must fail, not wait on DNS.
    monkeypatch.setattr(pull, "hub_reachable", lambda *a, **k: False)
    return cache


def fake_hub_model(cache: Path, repo_id: str, commit: str = SHA1, ref: str | None = "main",
                   files: dict[str, bytes] | None = None) -> Path:
    """Lay out a model the way huggingface_hub caches it: blobs + symlinked snapshot + ref."""
    if files is None:
        files = {"config.json": b'{"model_type": "marian"}', "model.safetensors": b"w" * 5000,
                 "vocab.json": b"{}"}
    repo = cache / ("models--" + repo_id.replace("/", "--"))
    snap = repo / "snapshots" / commit
    snap.mkdir(parents=True)
    (repo / "blobs").mkdir(exist_ok=True)
    for name, data in files.items():
        blob = repo / "blobs" / f"{abs(hash((commit, name))):x}"
        blob.write_bytes(data)
        os.symlink(os.path.relpath(blob, snap), snap / name)
    if ref:
        (repo / "refs").mkdir(exist_ok=True)
        (repo / "refs" / ref).write_text(commit)
    return snap


def write_models_yaml(path: Path, sv: str = "org/opus-mt-sv-en", de: str = "org/opus-mt-de-en",
                      summ: str = "org/bart", revision: str = "main") -> Path:
    path.write_text(
        "translation:\n"
        f"  sv: {{model: {sv}, revision: {revision}, generation: {{num_beams: 2}}}}\n"
        f"  de: {{model: {de}, revision: {revision}}}\n"
        f"summarization: {{model: {summ}, revision: {revision}, max_input_tokens: 512}}\n",
        encoding="utf-8",
    )
    return path


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mtsum", *args], capture_output=True,
                          text=True, env={**os.environ, **env}, cwd=ROOT, timeout=120)


# --- an empty cache, offline: everything missing, answered at once -----------------------


def test_list_empty_cache_shows_every_model_missing(hf_cache: Path) -> None:
    env = {"HF_HUB_CACHE": str(hf_cache), "HF_HUB_OFFLINE": "1"}
    text = run_cli("models", "list", env=env)
    assert text.returncode == 0, text.stderr
    assert text.stdout.splitlines()[0].split()[:4] == ["NAME", "MODEL", "REVISION", "STATUS"]
    assert text.stdout.count("missing") == 3
    assert "mtsum models pull" in text.stderr

    js = run_cli("models", "list", "--format", "json", env=env)
    rows = json.loads(js.stdout)
    assert [r["name"] for r in rows] == ["translation.sv", "translation.de", "summarization"]
    assert all(not r["available"] and r["missing"] == "not in the Hugging Face cache" for r in rows)
    assert not hf_cache.exists()  # looking never creates the cache


def test_verify_empty_cache_exits_3_with_fix(hf_cache: Path) -> None:
    res = run_cli("models", "verify", env={"HF_HUB_CACHE": str(hf_cache), "HF_HUB_OFFLINE": "1"})
    assert res.returncode == 3
    assert res.stdout.count("FAILED") == 3
    assert "How to fix:" in res.stdout and "mtsum models pull" in res.stdout
    assert res.stderr.strip().startswith("mtsum: error: 3 of 3 model(s) failed verification")


# --- a model as huggingface_hub caches it --------------------------------------------------


def test_fake_hf_cache_layout_is_available_with_blob_sizes(hf_cache: Path, tmp_path: Path) -> None:
    snap = fake_hub_model(hf_cache, "org/opus-mt-sv-en")
    cfg = load_models_config(write_models_yaml(tmp_path / "models.yaml"))
    sv, de, summ = manage.list_models(cfg)
    assert sv.available and sv.missing is None
    assert sv.path == str(snap) and sv.commit == SHA1
    assert sv.size_bytes == len(b'{"model_type": "marian"}') + 5000 + 2  # blobs, not links
    assert sv.formats == ["pytorch"]
    assert not de.available and de.missing == "not in the Hugging Face cache"
    assert not summ.available


@pytest.mark.parametrize(
    ("layout", "revision", "reason"),
    [
        ({"ref": None}, "main", "revision 'main' is not in the Hugging Face cache"),
        ({}, "v2", "revision 'v2' is not in the Hugging Face cache"),
        ({}, SHA2, f"snapshot {SHA2[:12]} is not in the Hugging Face cache"),
        ({"files": {"config.json": b"{}"}}, "main", "incomplete (no PyTorch weights)"),
        ({"files": {"model.safetensors": b"w"}}, "main", "incomplete (no config.json)"),
    ],
)
def test_cache_diagnosis(hf_cache: Path, tmp_path: Path, layout: dict, revision: str,
                         reason: str) -> None:
    fake_hub_model(hf_cache, "org/opus-mt-sv-en", **layout)
    cfg = load_models_config(write_models_yaml(tmp_path / "m.yaml", revision=revision))
    status = manage.list_models(cfg)[0]
    assert not status.available and status.missing is not None
    assert status.missing.endswith(reason)


def test_revision_pinned_to_a_cached_commit(hf_cache: Path, tmp_path: Path) -> None:
    fake_hub_model(hf_cache, "org/opus-mt-sv-en", commit=SHA2, ref=None)
    cfg = load_models_config(write_models_yaml(tmp_path / "m.yaml", revision=SHA2))
    assert manage.list_models(cfg)[0].commit == SHA2


@pytest.mark.parametrize(
    ("files", "formats"),
    [
        (["config.json", "model.safetensors"], ["pytorch"]),
        (["config.json", "pytorch_model.bin"], ["pytorch"]),
        (["config.json", "model.safetensors.index.json"], ["pytorch"]),
        (["config.json", "model.bin", "shared_vocabulary.json"], ["ctranslate2"]),
        (["config.json", "model.safetensors", "ctranslate2/model.bin"], ["pytorch", "ctranslate2"]),
        (["config.json", "onnx/encoder_model.onnx"], ["onnx"]),
        (["config.json", "tokenizer.json"], []),
    ],
)
def test_detect_formats(tmp_path: Path, files: list[str], formats: list[str]) -> None:
    for name in files:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    assert manage.detect_formats(tmp_path) == formats


def test_dir_size_counts_shared_blobs_once(hf_cache: Path) -> None:
    snap = fake_hub_model(hf_cache, "org/m", files={"a": b"x" * 100, "config.json": b"{}"})
    os.symlink(snap / "a", snap / "b")  # two names, one blob
    assert manage.dir_size(snap) == 102
    assert manage.dir_size(hf_cache) == 102 + len(SHA1)  # + refs/main


def test_missing_local_folder(tmp_path: Path) -> None:
    cfg = load_models_config(write_models_yaml(tmp_path / "m.yaml", sv="./nowhere"))
    status = manage.list_models(cfg)[0]
    assert status.local and not status.available
    assert status.missing == "local folder does not exist"


# --- selecting and pulling -------------------------------------------------------------


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (None, ["translation.sv", "translation.de", "summarization"]),
        (["sv"], ["translation.sv"]),
        (["translation.de", "de"], ["translation.de"]),
        (["translation"], ["translation.sv", "translation.de"]),
        (["summarization", "sv"], ["summarization", "translation.sv"]),
    ],
)
def test_select_specs(tmp_path: Path, names: list[str] | None, expected: list[str]) -> None:
    cfg = load_models_config(write_models_yaml(tmp_path / "m.yaml"))
    assert [s.name for s in manage.select_specs(cfg, names)] == expected


def test_unknown_name_lists_valid_names(tmp_path: Path) -> None:
    path = write_models_yaml(tmp_path / "m.yaml")
    with pytest.raises(ConfigError, match=re.escape("translation.sv, translation.de, summarization")):
        manage.pull_models(load_models_config(path), ["fi"])
    res = CliRunner().invoke(main, ["models", "pull", "fi", "--models", str(path)])
    assert res.exit_code == 2
    assert "unknown model name 'fi'" in res.stderr


def test_pull_offline_or_unreachable_fails_before_writing(tmp_path: Path) -> None:
    cfg = load_models_config(write_models_yaml(tmp_path / "m.yaml"))
    out = tmp_path / "out"
    with pytest.raises(ModelUnavailableError, match="offline mode is on"):
        manage.pull_models(cfg, to=out, offline=True)
    with pytest.raises(ModelUnavailableError, match="hub is unreachable"):
        manage.pull_models(cfg, ["sv"], to=out, offline=False)
    assert not out.exists()
    res = CliRunner().invoke(main, ["models", "pull", "--online", "--models", str(cfg.path)])
    assert res.exit_code == 3
    assert "hub is unreachable" in res.stderr


def test_pull_to_dir_from_cache_needs_no_network(hf_cache: Path, tmp_path: Path) -> None:
    for repo in ("org/opus-mt-sv-en", "org/opus-mt-de-en", "org/bart"):
        fake_hub_model(hf_cache, repo)
    cfg = load_models_config(write_models_yaml(tmp_path / "m.yaml"))
    out = tmp_path / "airgap"
    report = manage.pull_models(cfg, to=out, offline=True)

    assert [m.action for m in report.models] == ["cached"] * 3
    assert report.models_yaml == str(out / "models.yaml")
    weights = out / "opus-mt-sv-en" / "model.safetensors"
    assert weights.is_file() and not weights.is_symlink()  # a real copy, not a cache link
    text = (out / "models.yaml").read_text()
    assert f"translation.sv: org/opus-mt-sv-en @ {SHA1}" in text  # provenance comment
    assert yaml.safe_load(text)["translation"]["sv"] == {
        "model": "./opus-mt-sv-en", "revision": SHA1, "generation": {"num_beams": 2}}

    copied = load_models_config(out / "models.yaml")
    assert copied.translation["sv"].local
    assert copied.translation["sv"].generation == {"num_beams": 2}
    assert copied.summarization is not None and copied.summarization.max_input_tokens == 512
    statuses = manage.list_models(copied)
    assert all(s.available and s.size_bytes == 5026 for s in statuses)


def test_pull_to_dir_in_two_runs_builds_one_registry(hf_cache: Path, tmp_path: Path) -> None:
    for repo in ("org/opus-mt-sv-en", "org/opus-mt-de-en"):
        fake_hub_model(hf_cache, repo)
    cfg = load_models_config(write_models_yaml(tmp_path / "m.yaml"))
    out = tmp_path / "airgap"
    manage.pull_models(cfg, ["sv"], to=out)
    manage.pull_models(cfg, ["de"], to=out)
    copied = load_models_config(out / "models.yaml")
    assert copied.translation["sv"].local and copied.translation["de"].local
    assert copied.summarization is not None and copied.summarization.model == "org/bart"


def test_pull_to_the_folder_it_came_from_keeps_it(hf_cache: Path, tmp_path: Path) -> None:
    fake_hub_model(hf_cache, "org/opus-mt-sv-en")
    cfg = load_models_config(write_models_yaml(tmp_path / "m.yaml"))
    out = tmp_path / "airgap"
    manage.pull_models(cfg, ["sv"], to=out)
    again = manage.pull_models(load_models_config(out / "models.yaml"), ["sv"], to=out)
    assert again.models[0].action == "local"
    assert (out / "opus-mt-sv-en" / "model.safetensors").stat().st_size == 5000
    assert load_models_config(out / "models.yaml").translation["sv"].local
    assert yaml.safe_load((out / "models.yaml").read_text())["translation"]["sv"]["revision"] == SHA1


def test_pull_downloads_what_is_not_cached(hf_cache: Path, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Through the real huggingface_hub against the stand-in hub: a mocked download would
    write whatever cache layout the mock likes, not the one list and locate must read."""
    v1 = {"config.json": b'{"model_type": "marian"}', "model.safetensors": b"w" * 10, "vocab.json": b"{}",
          "README.md": b"# card", "tf_model.h5": b"tf"}
    v2 = {**v1, "generation_config.json": b"{}"}
    repos = {"org/opus-mt-sv-en": [v1, v2], "org/opus-mt-de-en": [v1]}
    with StandInHub(repos, tags={"org/opus-mt-sv-en": {"v1.0": 0}}) as hub:
        point_huggingface_hub_at(monkeypatch, hub.url, hf_cache.parent)
        monkeypatch.setattr(pull, "hub_reachable", models.hub_reachable)
        cfg = load_models_config(write_models_yaml(tmp_path / "m.yaml"))

        report = manage.pull_models(cfg, ["sv"], offline=False, revision="v1.0", convert=False)
        first = hub.sha("org/opus-mt-sv-en", "v1.0")
        assert report.models[0].action == "downloaded" and report.models[0].commit == first
        assert sorted(hub.downloads()) == ["config.json", "model.safetensors", "vocab.json"]
        pinned = load_models_config(write_models_yaml(tmp_path / "v1.yaml", revision="v1.0"))
        status = manage.list_models(pinned)[0]
        assert status.available and status.commit == first
        assert manage.list_models(cfg)[0].missing == "revision 'main' is not in the Hugging Face cache"

        out = tmp_path / "out"
        report = manage.pull_models(cfg, ["de"], to=out, offline=False)
        assert report.models[0].path == str(out / "opus-mt-de-en")
        assert sorted(p.name for p in (out / "opus-mt-de-en").iterdir()) == ["config.json", "model.safetensors",
                                                                           "vocab.json"]  # no .cache, no junk
        assert report.models[0].size_bytes == 24 + 10 + 2


def test_revision_needs_exactly_one_model(tmp_path: Path) -> None:
    cfg = load_models_config(write_models_yaml(tmp_path / "m.yaml"))
    with pytest.raises(ConfigError, match="exactly one"):
        manage.pull_models(cfg, ["translation"], revision="abc")


def test_pull_json_report(hf_cache: Path, tmp_path: Path) -> None:
    fake_hub_model(hf_cache, "org/opus-mt-sv-en")
    path = write_models_yaml(tmp_path / "m.yaml")
    res = CliRunner().invoke(main, ["models", "pull", "sv", "--no-convert", "--models", str(path), "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["to"] is None
    assert data["models"][0] | {"path": None} == {
        "name": "translation.sv", "model": "org/opus-mt-sv-en", "revision": "main",
        "commit": SHA1, "action": "cached", "path": None, "size_bytes": 5026,
    }


# --- tiny real models ------------------------------------------------------------------


def test_tiny_models_list_and_verify(tiny_models: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(main, ["models", "list", "--models", str(tiny_models), "--format", "json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert len(rows) == 3
    for row in rows:
        assert row["available"] and row["local"] and row["formats"] == ["pytorch"]
        assert row["size_bytes"] == sum(p.stat().st_size for p in Path(row["path"]).rglob("*")
                                        if p.is_file())

    res = runner.invoke(main, ["models", "verify", "--models", str(tiny_models), "--device", "cpu"])
    assert res.exit_code == 0, res.output
    assert res.stdout.count(" ok ") == 3


def test_verify_reports_a_broken_model(tiny_models: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text("{}")
    (broken / "model.safetensors").write_bytes(b"not a safetensors file")
    (tmp_path / "m.yaml").write_text(
        f"translation:\n  sv: {tiny_models.parent / 'tiny-opus-mt-sv-en'}\n  de: {broken}\n"
    )
    results = manage.verify_models(load_models_config(tmp_path / "m.yaml"), device="cpu")
    assert [r.ok for r in results] == [True, False]
    assert results[1].error and results[1].message


def test_pull_local_models_to_dir(tiny_models: Path, tmp_path: Path) -> None:
    out = tmp_path / "airgap"
    res = CliRunner().invoke(main, ["models", "pull", "--models", str(tiny_models), "--to", str(out)])
    assert res.exit_code == 0, res.output
    assert f"wrote {out / 'models.yaml'}" in res.stdout
    statuses = manage.list_models(load_models_config(out / "models.yaml"))
    assert [s.path for s in statuses] == [str(out / n) for n in
                                          ("tiny-opus-mt-sv-en", "tiny-opus-mt-de-en", "tiny-distilbart-cnn-12-6")]
    assert all(s.available for s in statuses)


def test_pull_missing_local_folder_writes_nothing(tmp_path: Path) -> None:
    cfg = load_models_config(write_models_yaml(tmp_path / "m.yaml", sv="./nowhere"))
    with pytest.raises(ModelUnavailableError, match="does not exist"):
        manage.pull_models(cfg, ["sv"], to=tmp_path / "out")
    assert not (tmp_path / "out").exists()


# --- backends: what "available" means, CTranslate2 conversions ---------------------------


def test_ctranslate2_files_alone_are_not_available_to_transformers(tmp_path: Path) -> None:
    folder = tmp_path / "ct2-only"
    folder.mkdir()
    for name in ("config.json", "model.bin", "shared_vocabulary.json"):
        (folder / name).write_bytes(b"{}")
    status = manage.model_status(ModelSpec(name="translation.sv", model=str(folder), local=True))
    assert status.formats == ["ctranslate2"] and not status.available
    assert "no PyTorch weights" in status.missing and "ctranslate2" in status.missing


def test_backend_setting_decides_availability(tiny_models: Path, tmp_path: Path, ct2_cache: Path) -> None:
    sv, de = tiny_models.parent / "tiny-opus-mt-sv-en", tiny_models.parent / "tiny-opus-mt-de-en"
    (tmp_path / "m.yaml").write_text(
        f"translation:\n  sv: {{model: {sv}, backend: transformers}}\n"
        f"  de: {{model: {de}, backend: ctranslate2, compute_type: int16}}\n"
        f"summarization: {{model: {tiny_models.parent / 'tiny-distilbart-cnn-12-6'}, backend: ctranslate2}}\n",
        encoding="utf-8")
    sv_s, de_s, summ = manage.list_models(load_models_config(tmp_path / "m.yaml"))
    assert (sv_s.available, sv_s.runs_with, sv_s.backend) == (True, "transformers", "transformers")
    assert not de_s.available and de_s.missing == ("no CTranslate2 conversion for int16: "
                                                   "run `mtsum models convert de --compute-type int16`")
    assert (summ.available, summ.runs_with) == (True, "ctranslate2")
    assert [c["compute_type"] for c in summ.converted] == ["int8"]


def test_convert_list_and_verify_cli(tiny_models: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MTSUM_CACHE_DIR", str(tmp_path / "cache"))
    runner = CliRunner()
    args = ["models", "convert", "sv", "--models", str(tiny_models), "--format", "json"]
    res = runner.invoke(main, args)
    assert res.exit_code == 0, res.output
    (row,) = json.loads(res.stdout)
    assert (row["name"], row["compute_type"], row["action"]) == ("translation.sv", "int8", "converted")
    assert row["path"].startswith(str(tmp_path / "cache" / "ct2")) and row["size_bytes"] > 0
    res = runner.invoke(main, args)
    assert json.loads(res.stdout)[0]["action"] == "exists"

    res = runner.invoke(main, ["models", "list", "--models", str(tiny_models)])
    assert res.exit_code == 0, res.output
    assert re.search(r"translation\.sv .* pytorch,ctranslate2:int8 ", res.stdout)
    assert re.search(r"translation\.de .* pytorch ", res.stdout)

    res = runner.invoke(main, ["models", "verify", "sv", "de", "--models", str(tiny_models),
                               "--device", "cpu", "--format", "json"])
    assert res.exit_code == 0, res.output
    assert [(r["backend"], r["compute_type"], r["ok"]) for r in json.loads(res.stdout)] == [
        ("ctranslate2", "int8", True), ("transformers", "float32", True)]


def test_convert_unknown_compute_type_exits_2(tiny_models: Path) -> None:
    res = CliRunner().invoke(main, ["models", "convert", "--models", str(tiny_models), "--compute-type", "int4"])
    assert res.exit_code == 2 and "unknown compute type 'int4'" in res.output
