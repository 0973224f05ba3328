"""Byte-identical outputs on the seeds and tests/data with the tiny models.

Written before the restructuring (issue 29) and kept: any change to what a document becomes,
translations, summaries, removals, JSON keys, digest pages and batch records, shows up
here as a diff against ``tests/data/golden/``. Times, dates and temporary paths are masked;
everything else is compared exactly.

Regenerate (only when a change of output is intended, and say so in the commit):
    MTSUM_GOLDEN_WRITE=1 .venv/bin/python -m pytest -q tests/test_golden.py

Random weights make the models' outputs depend on the CPU's float arithmetic (which
kernels torch picks), so the outputs of a model are compared exactly on machines like the
one that wrote them (``MACHINE.json``: CPU vendor and torch's CPU capability). Elsewhere
only what no model touches (``mtsum clean``) is compared, and the rest is skipped, saying why.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from mtsum.cli import main

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
GOLDEN = DATA / "golden"
INPUTS = sorted(
    [*ROOT.glob("seeds/*.txt"), *DATA.glob("*.txt"), *DATA.glob("*.html"), *DATA.glob("digest/*.txt")]
)
_VOLATILE_KEYS = {"seconds", "generated_at", "first_seen", "updated", "elapsed", "started", "finished"}
_LOCAL_REVISION = re.compile(r"local-[0-9a-f]{6,12}\b")
_STORY_KEY = re.compile(r'"key": "([0-9a-f]{32})"')
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(\+00:00|Z)?")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("golden-in")
    for path in INPUTS:
        shutil.copy(path, folder / path.name)
    return folder


def _mask(text: str, places: dict[str, str]) -> str:
    for real, name in sorted(places.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(real, name)
    text = _TIMESTAMP.sub("<time>", text)
    text = re.sub(r"\b\d{1,2} [A-Z][a-z]+ \d{4}, \d\d:\d\d UTC", "<date>", text)
    # a local folder's revision and a story's key hash paths that differ per run
    text = _LOCAL_REVISION.sub("local-<fingerprint>", text)
    text = re.sub(r"urn:mtsum:(digest|story):[0-9a-f]{32}", r"urn:mtsum:\1:<key>", text)
    for key in sorted(set(_STORY_KEY.findall(text))):
        text = text.replace(key, "<story-key>")
    return text


def _drop_volatile(value: object) -> object:
    if isinstance(value, dict):
        return {k: ("<volatile>" if k in _VOLATILE_KEYS else _drop_volatile(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_drop_volatile(v) for v in value]
    if isinstance(value, float):
        # lingua's confidences change in the last digits with summation order
        return round(value, 6)
    return value


def _normal_json(text: str, places: dict[str, str]) -> str:
    text = _mask(text, places)
    try:
        docs = [json.loads(text)]
    except json.JSONDecodeError:
        docs = [json.loads(line) for line in text.splitlines() if line.strip()]
    return "\n".join(json.dumps(_drop_volatile(d), ensure_ascii=False, sort_keys=False) for d in docs) + "\n"


def _without_stylesheet(page: str) -> str:
    """The stylesheet every HTML page embeds, as its hash: a change to it still shows,
    without 20 copies of the template's CSS under tests/data/golden/."""
    def digest(match: re.Match[str]) -> str:
        return "<style>sha256:" + hashlib.sha256(match.group(1).encode("utf-8")).hexdigest()[:16] + "</style>"

    return re.sub(r"<style>(.*?)</style>", digest, page, flags=re.S)


def _machine() -> dict[str, str]:
    import torch

    vendor = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            vendor = next((line.split(":", 1)[1].strip() for line in f if line.startswith("vendor_id")), "")
    except OSError:
        pass
    return {"cpu_vendor": vendor or platform.machine(), "torch_cpu_capability": torch.backends.cpu.get_cpu_capability()}


def _same_numerics() -> None:
    """Skip unless this machine computes as the one that wrote the model outputs did."""
    recorded = GOLDEN / "MACHINE.json"
    if os.environ.get("MTSUM_GOLDEN_WRITE") == "1":
        recorded.write_text(json.dumps(_machine(), indent=2) + "\n", encoding="utf-8")
        return
    expected = json.loads(recorded.read_text(encoding="utf-8"))
    if _machine() != expected:
        pytest.skip(f"random-weight outputs were recorded on {expected}, this machine is {_machine()}: "
                    "its float arithmetic may pick other tokens")


def _check(name: str, actual: str) -> None:
    if name.endswith(".html"):
        actual = _without_stylesheet(actual)
    target = GOLDEN / name
    if os.environ.get("MTSUM_GOLDEN_WRITE") == "1":
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(actual, encoding="utf-8")
        return
    expected = target.read_text(encoding="utf-8")
    if actual != expected:
        for number, (a, e) in enumerate(zip(actual.splitlines(), expected.splitlines(), strict=False), 1):
            if a != e:
                at = next(i for i, (x, y) in enumerate(zip(a + "\0", e + "\0", strict=False)) if x != y)
                start = max(0, at - 150)
                pytest.fail(f"{name} differs first at line {number}, character {at}:\n"
                            f"  expected …{e[start:at + 150]}\n  actual   …{a[start:at + 150]}")
        pytest.fail(f"{name}: {len(actual)} characters now, {len(expected)} before")


def _run(args: list[str], env: dict[str, str]) -> str:
    result = CliRunner().invoke(main, args, env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def env(tiny_models: Path, tmp_path: Path, corpus: Path) -> tuple[dict[str, str], dict[str, str]]:
    environment = {"MTSUM_MODELS": str(tiny_models), "MTSUM_CACHE_DIR": str(tmp_path / "cache"),
                   "MTSUM_STATE": str(tmp_path / "state.sqlite3")}
    places = {str(tiny_models.parent): "<models>", str(tmp_path): "<tmp>", str(corpus): "<in>",
              str(ROOT): "<repo>"}
    return environment, places


def _paths(corpus: Path) -> list[str]:
    return [str(corpus / p.name) for p in INPUTS]


CASES = [
    ("summarize.jsonl", ["summarize", "--format", "json"]),
    ("summarize-extractive.jsonl", ["summarize", "--format", "json", "--summarizer", "extractive"]),
    ("translate.jsonl", ["translate", "--format", "json"]),
    ("translate-clean.jsonl", ["translate", "--format", "json", "--clean", "--dedupe"]),
    ("clean.jsonl", ["clean", "--format", "json"]),
]


@pytest.mark.parametrize(("name", "args"), CASES, ids=[c[0] for c in CASES])
def test_command_output_is_unchanged(name: str, args: list[str], env, corpus: Path) -> None:
    if args[0] != "clean":  # cleaning runs no model: compared everywhere
        _same_numerics()
    environment, places = env
    _check(name, _normal_json(_run([*args, *_paths(corpus)], environment), places))


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_rendered_output_is_unchanged(fmt: str, env, corpus: Path) -> None:
    _same_numerics()
    environment, places = env
    out = _run(["summarize", "--format", fmt, *_paths(corpus)], environment)
    _check(f"summarize.{fmt}", _mask(out, places))


def test_batch_records_are_unchanged(env, corpus: Path, tmp_path: Path) -> None:
    _same_numerics()
    environment, places = env
    out = tmp_path / "records.jsonl"
    _run(["batch", str(corpus), "-o", str(out), "--task", "both"], environment)
    lines = sorted(out.read_text(encoding="utf-8").splitlines())
    _check("batch.jsonl", _normal_json("\n".join(lines), places))


def test_digest_is_unchanged(env, corpus: Path, tmp_path: Path) -> None:
    _same_numerics()
    environment, places = env
    out = tmp_path / "digest"
    _run(["digest", str(corpus), "--out", str(out)], environment)
    _check("digest.json", _normal_json((out / "digest.json").read_text(encoding="utf-8"), places))
    for page in ("digest.md", "digest.html", "digest.xml"):
        _check(page, _mask((out / page).read_text(encoding="utf-8"), places))
    for translation in sorted((out / "translations").iterdir()):
        _check(f"translations/{translation.name}", _mask(translation.read_text(encoding="utf-8"), places))
