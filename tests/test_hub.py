"""pull → list → offline use through the real huggingface_hub, against a stand-in hub.

The stand-in (tests/fixtures/stand_in_hub.py) serves the real repos' layout and history on
127.0.0.1, so these tests see what mocks of ``download_snapshot`` cannot: the refs and the
tree listings huggingface_hub writes, and how it judges a cached snapshot afterwards.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from stand_in_hub import JUNK_FILES, StandInHub, go_offline, point_huggingface_hub_at, real_history

from mtsum.cli import main

SV, DE, BART = "Helsinki-NLP/opus-mt-sv-en", "Helsinki-NLP/opus-mt-de-en", "sshleifer/distilbart-cnn-12-6"
# Random tiny models never stop on their own: short caps keep a seed to a second or two.
_QUICK = {"max_length": 24, "num_beams": 1}
_QUICK_SUMMARY = {"max_length": 24, "min_length": 4, "num_beams": 1}


@pytest.fixture
def hub(real_layout: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[StandInHub]:
    """The stand-in hub with the real repos' history (tag v1.0 = opus-mt-de-en's first
    commit), huggingface_hub pointed at it, online, with an empty cache of its own."""
    with StandInHub(real_history(real_layout), tags={DE: {"v1.0": 0}}, page_size=4) as server:
        point_huggingface_hub_at(monkeypatch, server.url, tmp_path / "hf")
        yield server


@pytest.fixture
def hf_cache(hub: StandInHub, tmp_path: Path) -> Path:
    return tmp_path / "hf" / "hub"


@pytest.fixture
def articles(seeds: dict[str, Path], tmp_path: Path) -> dict[str, Path]:
    """The first three real paragraphs of the Swedish and German seeds: enough for detection,
    translation and a summary, at a fraction of the whole seeds' generation time."""
    out = {}
    for lang in ("sv", "de"):
        lines = [line for line in seeds[lang].read_text(encoding="utf-8").splitlines() if len(line) > 40]
        out[lang] = tmp_path / f"{lang}.txt"
        out[lang].write_text("\n\n".join(lines[:3]) + "\n", encoding="utf-8")
    return out


def registry(path: Path, revisions: dict[str, str] | None = None) -> Path:
    """A models.yaml naming the real hub ids, as the packaged one does, with quick generation."""
    rev = {SV: "main", DE: "main", BART: "main", **(revisions or {})}
    data = {"translation": {"sv": {"model": SV, "revision": rev[SV], "generation": _QUICK},
                            "de": {"model": DE, "revision": rev[DE], "generation": _QUICK}},
            "summarization": {"model": BART, "revision": rev[BART], "generation": _QUICK_SUMMARY}}
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def ok(*args: str) -> Result:
    res = cli(*args)
    assert res.exit_code == 0, (res.stdout, res.stderr)
    return res


def listing(models: Path) -> dict[str, dict[str, Any]]:
    return {row["model"]: row for row in json.loads(ok("models", "list", "--models", str(models),
                                                       "--format", "json").stdout)}


def snapshot(cache: Path, repo: str, commit: str) -> set[str]:
    return {p.name for p in (cache / ("models--" + repo.replace("/", "--")) / "snapshots" / commit).iterdir()}


# --- pull, then list: the models are there ------------------------------------------------


def test_pull_then_list_shows_every_model_at_the_hubs_main(hub: StandInHub, hf_cache: Path, tmp_path: Path) -> None:
    models = registry(tmp_path / "models.yaml")
    pulled = json.loads(ok("models", "pull", "--no-convert", "--models", str(models), "--format", "json").stdout)
    assert [(m["action"], m["commit"]) for m in pulled["models"]] == [
        ("downloaded", hub.sha(SV)), ("downloaded", hub.sha(DE)), ("downloaded", hub.sha(BART))]

    rows = listing(models)
    for repo in (SV, DE, BART):
        row = rows[repo]
        assert row["available"], row["missing"]
        assert (row["commit"], row["formats"], row["runs_with"]) == (hub.sha(repo), ["pytorch"], "transformers")
        assert row["path"].endswith(f"snapshots/{hub.sha(repo)}")
    text = ok("models", "list", "--models", str(models)).stdout
    assert text.count("available") == 3 and "missing" not in text
    assert re.search(rf"translation\.sv +{re.escape(SV)} +{hub.sha(SV)[:12]} +available ", text)

    # Nothing mtsum skips was fetched, and the cache holds exactly what it asked for.
    assert not set(hub.downloads()) & set(JUNK_FILES)
    assert snapshot(hf_cache, SV, hub.sha(SV)) == {"config.json", "generation_config.json", "pytorch_model.bin",
                                                   "source.spm", "target.spm", "tokenizer_config.json", "vocab.json"}
    assert snapshot(hf_cache, BART, hub.sha(BART)) == {"config.json", "merges.txt", "pytorch_model.bin",
                                                       "tokenizer_config.json", "vocab.json"}
    # The tree listing came in pages (page_size=4), and it names the junk files: that
    # listing is what an unfiltered cache check compares the snapshot with.
    assert sum(1 for m, p in hub.requests if m == "GET" and p.startswith(f"/api/models/{SV}/tree/")) == 3
    tree = json.loads((hf_cache / f"models--{SV.replace('/', '--')}" / "trees" / f"{hub.sha(SV)}.json").read_text())
    assert "rust_model.ot" in tree["files"]


def test_pull_records_the_branch_it_resolved(hub: StandInHub, hf_cache: Path, tmp_path: Path) -> None:
    ok("models", "pull", "--no-convert", "sv", "--models", str(registry(tmp_path / "m.yaml")))
    ref = hf_cache / f"models--{SV.replace('/', '--')}" / "refs" / "main"
    assert ref.read_text() == hub.sha(SV)


def test_second_pull_is_a_no_op(hub: StandInHub, tmp_path: Path) -> None:
    models = registry(tmp_path / "models.yaml")
    ok("models", "pull", "--no-convert", "--models", str(models))
    hub.reset()
    again = json.loads(ok("models", "pull", "--no-convert", "--models", str(models), "--format", "json").stdout)
    assert [m["action"] for m in again["models"]] == ["cached"] * 3
    assert hub.downloads() == [] and hub.requests == []  # not even an API call


# --- revisions: a tag, a pinned commit ----------------------------------------------------


def test_pinned_commit_pull_list_offline_translate(hub: StandInHub, hf_cache: Path, tmp_path: Path,
                                                   articles: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    first = hub.shas(DE)[0]
    models = registry(tmp_path / "models.yaml", {DE: first})
    ok("models", "pull", "--no-convert", "de", "--models", str(models))
    row = listing(models)[DE]
    assert row["available"] and row["commit"] == first, row["missing"]
    assert "generation_config.json" not in snapshot(hf_cache, DE, first)  # the first commit had none

    go_offline(monkeypatch)
    hub.reset()
    res = ok("translate", str(articles["de"]), "--models", str(models), "--backend", "transformers",
             "--format", "json")
    result = json.loads(res.stdout)
    assert result["models"]["de"]["revision"] == first  # results record the commit (README)
    assert result["models"]["de"]["model"] == DE
    assert any(p["translation"] for p in result["paragraphs"])
    assert hub.requests == []


def test_tag_revision(hub: StandInHub, hf_cache: Path, tmp_path: Path) -> None:
    models = registry(tmp_path / "models.yaml", {DE: "v1.0"})
    pulled = json.loads(ok("models", "pull", "--no-convert", "de", "--models", str(models), "--format", "json").stdout)
    assert pulled["models"][0]["commit"] == hub.sha(DE, "v1.0") == hub.shas(DE)[0]
    row = listing(models)[DE]
    assert row["available"] and row["commit"] == hub.shas(DE)[0], row["missing"]
    assert (hf_cache / f"models--{DE.replace('/', '--')}" / "refs" / "v1.0").read_text() == hub.shas(DE)[0]


@pytest.mark.parametrize(("repo", "revision", "words"), [
    ("Helsinki-NLP/opus-mt-xx-en", "main", "Helsinki-NLP/opus-mt-xx-en was not found on the hub (fix the model id"),
    (DE, "v9", f"{DE} has no revision 'v9' on the hub (fix the revision in models.yaml"),
])
def test_unknown_repo_or_revision_exits_3_with_the_fix(hub: StandInHub, tmp_path: Path, repo: str,
                                                       revision: str, words: str) -> None:
    models = tmp_path / "m.yaml"
    models.write_text(yaml.safe_dump({"translation": {"de": {"model": repo, "revision": revision}}}))
    res = cli("models", "pull", "--no-convert", "--models", str(models))
    assert res.exit_code == 3
    assert res.stderr.count("\n") == 1 and res.stderr.startswith(f"mtsum: error: translation.de: {words}")


def test_safetensors_chosen_only_when_the_repo_has_them(real_layout: dict[str, Path], tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import torch
    from safetensors.torch import save_file

    folder = real_layout[SV]
    state = torch.load(folder / "pytorch_model.bin", weights_only=True)
    save_file({k: v.clone() for k, v in state.items()}, tmp_path / "model.safetensors")  # no shared storage
    files = {p.name: p for p in folder.iterdir() if p.is_file()}
    with StandInHub({SV: [{**files, "model.safetensors": tmp_path / "model.safetensors"}],
                     DE: [files]}) as server:
        point_huggingface_hub_at(monkeypatch, server.url, tmp_path / "hf")
        models = tmp_path / "m.yaml"
        models.write_text(yaml.safe_dump({"translation": {"sv": {"model": SV}, "de": {"model": DE}}}))
        ok("models", "pull", "--no-convert", "--models", str(models))
        rows = listing(models)
        assert all(r["available"] for r in rows.values())
        fetched = server.downloads()
        assert fetched.count("model.safetensors") == 1 and fetched.count("pytorch_model.bin") == 1  # de only
        assert "pytorch_model.bin" not in {p.name for p in Path(rows[SV]["path"]).iterdir()}


# --- offline after a pull -----------------------------------------------------------------


def test_offline_after_pull_translate_summarize_verify(hub: StandInHub, tmp_path: Path, articles: dict[str, Path],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    models = registry(tmp_path / "models.yaml")
    ok("models", "pull", "--no-convert", "--models", str(models))
    hub.reset()

    # --offline alone: the hub is still up, and mtsum must not ask it anything.
    res = ok("translate", str(articles["sv"]), "--models", str(models), "--offline", "--backend", "transformers",
             "--format", "json")
    assert json.loads(res.stdout)["models"]["sv"]["revision"] == hub.sha(SV)
    assert hub.requests == []

    go_offline(monkeypatch)
    res = ok("summarize", str(articles["de"]), "--models", str(models), "--backend", "transformers",
             "--format", "json")
    assert json.loads(res.stdout)["summary"]
    res = ok("models", "verify", "--models", str(models), "--device", "cpu", "--format", "json")
    assert [(r["name"], r["ok"]) for r in json.loads(res.stdout)] == [
        ("translation.sv", True), ("translation.de", True), ("summarization", True)]
    assert hub.requests == []


def test_convert_offline_after_pull(hub: StandInHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("ctranslate2")
    models = registry(tmp_path / "models.yaml")
    ok("models", "pull", "--no-convert", "sv", "--models", str(models))
    go_offline(monkeypatch)
    (row,) = json.loads(ok("models", "convert", "sv", "--models", str(models), "--format", "json").stdout)
    assert (row["action"], row["revision"]) == ("converted", hub.sha(SV))
    assert listing(models)[SV]["formats"] == ["pytorch", "ctranslate2:int8"]


def test_pull_to_dir_is_self_contained(hub: StandInHub, hf_cache: Path, tmp_path: Path, articles: dict[str, Path],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "airgap"
    ok("models", "pull", "--no-convert", "--models", str(registry(tmp_path / "models.yaml")), "--to", str(out))
    written = yaml.safe_load((out / "models.yaml").read_text())
    assert written["translation"]["sv"] == {"model": "./opus-mt-sv-en", "revision": hub.sha(SV),
                                            "generation": _QUICK}
    for name in ("opus-mt-sv-en", "opus-mt-de-en", "distilbart-cnn-12-6"):
        names = {p.name for p in (out / name).iterdir()}
        assert not names & {*JUNK_FILES, ".cache"}, names
        assert {"config.json", "pytorch_model.bin", "vocab.json"} <= names
    assert not set(hub.downloads()) & set(JUNK_FILES)

    go_offline(monkeypatch)
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_CACHE", str(tmp_path / "elsewhere"))
    rows = listing(out / "models.yaml")
    assert all(r["available"] and r["local"] for r in rows.values())
    res = ok("translate", str(articles["de"]), "--models", str(out / "models.yaml"), "--backend", "transformers")
    assert res.stdout.strip()


# --- the hub fails mid-download ----------------------------------------------------------


@pytest.mark.parametrize("broken", ["pytorch_model.bin", "vocab.json"])
def test_hub_down_mid_download_then_retry(hub: StandInHub, tmp_path: Path, articles: dict[str, Path],
                                          monkeypatch: pytest.MonkeyPatch, broken: str) -> None:
    models = registry(tmp_path / "models.yaml")
    hub.fail(broken)
    res = cli("models", "pull", "--no-convert", "sv", "--models", str(models))
    assert res.exit_code == 3
    assert res.stderr.count("\n") == 1, res.stderr
    assert res.stderr.startswith(f"mtsum: error: downloading {SV} (translation.sv) failed: ")
    assert "500" in res.stderr and "run `mtsum models pull` again" in res.stderr

    # No half snapshot counts as available: weights or a tokenizer file, either is missing.
    row = listing(models)[SV]
    assert not row["available"]
    assert row["missing"] == f"cached snapshot {hub.sha(SV)[:12]} is incomplete (missing {broken})"
    offline = cli("translate", str(articles["sv"]), "--models", str(models), "--offline", "--backend", "transformers")
    assert offline.exit_code == 3
    assert f"model {SV} (translation.sv) is not in the local cache" in offline.stderr
    assert "Traceback" not in offline.stderr + offline.stdout

    hub.reset()
    again = json.loads(ok("models", "pull", "--no-convert", "sv", "--models", str(models), "--format", "json").stdout)
    assert again["models"][0]["action"] == "downloaded"
    assert hub.downloads() == [broken]  # what had arrived is kept
    assert listing(models)[SV]["available"]


def test_dropped_connection_resumes(hub: StandInHub, tmp_path: Path) -> None:
    models = registry(tmp_path / "models.yaml")
    hub.fail("pytorch_model.bin", drop=True)  # half the body, then the connection closes
    ok("models", "pull", "--no-convert", "sv", "--models", str(models))
    assert hub.downloads().count("pytorch_model.bin") == 2
    assert listing(models)[SV]["available"]


# --- the fast path: pull converts, auto runs CTranslate2 where it is faithful --------------


def test_pull_converts_and_auto_runs_ctranslate2(hub: StandInHub, tmp_path: Path, articles: dict[str, Path],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("ctranslate2")
    # float32: the tiny random models' int8 is not faithful (next test); float32 decodes alike.
    models = registry(tmp_path / "models.yaml")
    data = yaml.safe_load(models.read_text(encoding="utf-8"))
    for entry in (*data["translation"].values(), data["summarization"]):
        entry["compute_type"] = "float32"
    models.write_text(yaml.safe_dump(data), encoding="utf-8")
    pulled = json.loads(ok("models", "pull", "--models", str(models), "--format", "json").stdout)
    assert sorted((c["name"], c["compute_type"], c["action"], c["faithful"], c["identical_share"])
                  for c in pulled["converted"]) == [
        (name, "float32", "converted", True, 1.0) for name in ("summarization", "translation.de", "translation.sv")]
    go_offline(monkeypatch)
    rows = listing(models)
    assert all(row["runs_with"] == "ctranslate2" and "faithful" in row["why"] for row in rows.values())
    result = json.loads(ok("translate", str(articles["de"]), "--models", str(models), "--format", "json").stdout)
    assert result["models"]["de"]["backend"] == "ctranslate2"
    # The user's main command, with no other step: translation and summary both on CTranslate2.
    summary = json.loads(ok("summarize", str(articles["de"]), "--models", str(models), "--format", "json").stdout)
    assert summary["summary"] and {m["backend"] for m in summary["models"].values()} == {"ctranslate2"}
    again = json.loads(ok("models", "pull", "--models", str(models), "--format", "json").stdout)
    assert {c["action"] for c in again["converted"]} == {"exists"}


def test_auto_passes_over_an_unfaithful_conversion(hub: StandInHub, tmp_path: Path, articles: dict[str, Path],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("ctranslate2")
    models = registry(tmp_path / "models.yaml")
    # int8 of random weights flips near-ties (docs/models.md): the measured agreement says so.
    res = ok("models", "pull", "sv", "--models", str(models), "--format", "json")
    (converted,) = json.loads(res.stdout)["converted"]
    assert (converted["compute_type"], converted["faithful"]) == ("int8", False)
    assert "keeps transformers" in converted["message"] and "keeps transformers" in res.stderr
    go_offline(monkeypatch)
    row = listing(models)[SV]
    assert row["runs_with"] == "transformers" and "disagrees with float32" in row["why"]
    out = cli("translate", str(articles["sv"]), "--models", str(models), "--format", "json")
    assert out.exit_code == 0 and json.loads(out.stdout)["models"]["sv"]["backend"] == "transformers"
    assert "disagrees with float32" in out.stderr
    forced = ok("translate", str(articles["sv"]), "--models", str(models), "--backend", "ctranslate2",
                "--format", "json")
    assert json.loads(forced.stdout)["models"]["sv"]["backend"] == "ctranslate2"  # asked for: still runs
