"""mtsum.evaluate and `mtsum eval`: our figures must be sacrebleu's / rouge_score's own."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import sacrebleu
from click.testing import CliRunner
from rouge_score import rouge_scorer

from mtsum.cli import main
from mtsum.errors import InputError
from mtsum.evaluate import read_lines, score_summaries, score_translation

SACREBLEU = Path(sys.executable).with_name("sacrebleu")

REFS = [
    "The government presented a new budget for schools on Tuesday.",
    "Russia is buying rockets and artillery shells from North Korea.",
    "The bridge over the river will be closed for repairs until June.",
    "Police say nobody was injured in the fire.",
]
HYPS = [
    "On Tuesday the government presented a new school budget.",
    "Russia buys rockets and artillery shells from North Korea.",
    "The bridge across the river will be closed for repairs until June.",
    "According to the police, nobody was hurt in the fire.",
]

SUMM_REFS = {
    "bridge": "The council approved three new bridges. Work starts next spring.",
    "fire": "A fire destroyed a warehouse in the harbour. Nobody was injured.",
}
SUMM_HYPS = {
    "bridge": "The city council approved a plan to build three bridges. Work will start in spring.",
    "fire": "Nobody was hurt when a fire destroyed a harbour warehouse.",
}


def write_lines(path: Path, lines: list[str], newline: str = "\n") -> Path:
    path.write_bytes("".join(line + newline for line in lines).encode("utf-8"))
    return path


@pytest.mark.parametrize(
    ("hyps", "refs"),
    [
        (HYPS, REFS),
        (REFS, REFS),  # perfect: 100/100
        (["completely unrelated words here"] * 4, REFS),
        (HYPS[:1], REFS[:1]),
    ],
)
def test_score_translation_is_sacrebleu(hyps: list[str], refs: list[str]) -> None:
    scores = score_translation(hyps, refs)
    assert scores["bleu"] == sacrebleu.corpus_bleu(hyps, [refs]).score
    assert scores["chrf"] == sacrebleu.corpus_chrf(hyps, [refs]).score
    assert scores["lines"] == len(hyps)
    assert scores["bleu_signature"].startswith("nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp")
    assert scores["chrf_signature"].startswith("nrefs:1|case:mixed|eff:yes|nc:6|nw:0")
    assert scores["bleu_text"].startswith("BLEU = ") and scores["chrf_text"].startswith("chrF2 = ")


@pytest.mark.parametrize(("hyps", "refs", "match"), [
    (HYPS[:3], REFS, "3 vs 4 lines"),
    ([], [], "nothing to score"),
])
def test_score_translation_rejects(hyps: list[str], refs: list[str], match: str) -> None:
    with pytest.raises(InputError, match=match):
        score_translation(hyps, refs)


def test_read_lines_like_sacrebleu(tmp_path: Path) -> None:
    path = tmp_path / "crlf.txt"
    path.write_bytes(b"one  \r\ntwo\t\r\n\r\nthree")
    assert read_lines(path) == ["one", "two", "", "three"]
    with pytest.raises(InputError, match="no such file"):
        read_lines(tmp_path / "nope.txt")
    (tmp_path / "bin.txt").write_bytes(b"\xff\xfe\x00abc")
    with pytest.raises(InputError, match="not UTF-8"):
        read_lines(tmp_path / "bin.txt")


def test_eval_translate_hyp_equals_sacrebleu_cli(tmp_path: Path) -> None:
    hyp = write_lines(tmp_path / "hyp.txt", HYPS, newline="\r\n")
    ref = write_lines(tmp_path / "ref.txt", REFS)
    res = CliRunner().invoke(main, ["eval", "translate", "--hyp", str(hyp), "--ref", str(ref),
                                    "--format", "json"])
    assert res.exit_code == 0, res.output
    ours = json.loads(res.stdout)
    assert ours["hypotheses"] == str(hyp)
    assert ours["bleu"] == sacrebleu.corpus_bleu(HYPS, [REFS]).score
    assert ours["chrf"] == sacrebleu.corpus_chrf(HYPS, [REFS]).score

    # ... and equal to what the sacrebleu command prints for the same files.
    cli = subprocess.run([str(SACREBLEU), str(ref), "-i", str(hyp), "-m", "bleu", "chrf",
                          "-b", "-w", "4"], capture_output=True, text=True, check=True)
    assert json.loads(cli.stdout) == [round(ours["bleu"], 4), round(ours["chrf"], 4)]

    text = CliRunner().invoke(main, ["eval", "translate", "--hyp", str(hyp), "--ref", str(ref)])
    assert text.exit_code == 0
    assert text.stdout.splitlines()[:3] == [
        "lines: 4",
        str(sacrebleu.corpus_bleu(HYPS, [REFS])),
        str(sacrebleu.corpus_chrf(HYPS, [REFS])),
    ]
    assert "BLEU signature: nrefs:1|" in text.stdout


@pytest.mark.parametrize(("args", "code", "message"), [
    (["--hyp", "{short}", "--ref", "{ref}"], 2, "differ in length: 2 vs 4 lines"),
    (["--hyp", "{tmp}/missing.txt", "--ref", "{ref}"], 2, "no such file"),
    (["--ref", "{ref}"], 2, "give --hyp FILE to score, or --src FILE"),
    (["--src", "{short}", "--ref", "{ref}"], 2, "--src has 2 lines but --ref has 4"),
])
def test_eval_translate_errors(tmp_path: Path, args: list[str], code: int, message: str) -> None:
    names = {"short": write_lines(tmp_path / "short.txt", HYPS[:2]),
             "ref": write_lines(tmp_path / "ref.txt", REFS), "tmp": tmp_path}
    res = CliRunner().invoke(main, ["eval", "translate", *(a.format(**names) for a in args)])
    assert res.exit_code == code
    assert message in res.stderr


def test_score_summaries_is_rouge_score() -> None:
    scores = score_summaries(SUMM_HYPS, SUMM_REFS)
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    expected = {name: scorer.score(SUMM_REFS[name], SUMM_HYPS[name]) for name in SUMM_REFS}
    assert scores["documents"] == 2
    for t in ("rouge1", "rouge2", "rougeL"):
        mean = sum(100 * e[t].fmeasure for e in expected.values()) / 2
        assert scores[t] == pytest.approx(mean, abs=1e-9)
        assert scores["per_document"]["fire"][t] == pytest.approx(100 * expected["fire"][t].fmeasure)
    assert 0 < scores["rougeLsum"] <= 100
    # lists are matched by position
    as_lists = score_summaries([SUMM_HYPS["bridge"]], [SUMM_REFS["bridge"]])
    assert as_lists["rouge1"] == pytest.approx(scores["per_document"]["bridge"]["rouge1"])


def test_rouge_identical_is_100() -> None:
    scores = score_summaries(SUMM_REFS, SUMM_REFS)
    assert all(scores[t] == pytest.approx(100) for t in ("rouge1", "rouge2", "rougeL", "rougeLsum"))


@pytest.mark.parametrize(("hyps", "refs", "match"), [
    ({"a": "x"}, {"b": "y"}, "no summary for: b; no reference for: a"),
    (["x"], ["y", "z"], "1 summaries but 2 references"),
    ({"a": "x"}, ["y"], "both be keyed by name or both be lists"),
    ({}, {}, "nothing to score"),
])
def test_score_summaries_rejects(hyps: object, refs: object, match: str) -> None:
    with pytest.raises(InputError, match=match):
        score_summaries(hyps, refs)  # type: ignore[arg-type]


def write_dir(folder: Path, docs: dict[str, str]) -> Path:
    folder.mkdir()
    for name, text in docs.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    return folder


def test_eval_summarize_hyp_dir(tmp_path: Path) -> None:
    hyp = write_dir(tmp_path / "hyp", SUMM_HYPS)
    refs = write_dir(tmp_path / "refs", SUMM_REFS)
    res = CliRunner().invoke(main, ["eval", "summarize", "--hyp", str(hyp), "--refs", str(refs),
                                    "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["rouge1"] == pytest.approx(score_summaries(SUMM_HYPS, SUMM_REFS)["rouge1"])
    assert sorted(data["per_document"]) == ["bridge", "fire"]

    text = CliRunner().invoke(main, ["eval", "summarize", "--hyp", str(hyp), "--refs", str(refs),
                                     "--per-doc"])
    assert text.exit_code == 0
    assert text.stdout.startswith("documents: 2\nrouge1: ")
    assert "DOCUMENT" in text.stdout and "fire" in text.stdout

    (tmp_path / "refs" / "extra.txt").write_text("more")
    bad = CliRunner().invoke(main, ["eval", "summarize", "--hyp", str(hyp), "--refs", str(refs)])
    assert bad.exit_code == 2
    assert "no summary for: extra" in bad.stderr


# --- hypotheses produced by mtsum itself (tiny random models: figures are meaningless) ----


def test_eval_translate_with_models(tiny_models: Path, tmp_path: Path) -> None:
    src = write_lines(tmp_path / "src.txt", [
        "Regeringen presenterade i dag en ny budget för skolan.",
        "",
        "Ryssland köper raketer och artillerigranater från Nordkorea.",
    ])
    ref = write_lines(tmp_path / "ref.txt", [REFS[0], "", REFS[1]])
    saved = tmp_path / "hyp.txt"
    res = CliRunner().invoke(main, [
        "eval", "translate", "--src", str(src), "--ref", str(ref), "--source", "sv",
        "--models", str(tiny_models), "--device", "cpu", "--offline", "--format", "json",
        "--save-hyp", str(saved),
    ], env={"HF_HUB_OFFLINE": "1"})
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["hypotheses"] == "mtsum" and data["lines"] == 3
    hyps = read_lines(saved)
    assert len(hyps) == 3 and hyps[1] == "" and hyps[0]
    assert data["bleu"] == sacrebleu.corpus_bleu(hyps, [read_lines(ref)]).score


def test_eval_summarize_with_models(tiny_models: Path, tmp_path: Path) -> None:
    docs = write_dir(tmp_path / "docs", {
        "bridge": "The city council approved a plan on Tuesday to build three new bridges. "
                  "Work is expected to start next spring and take four years.",
    })
    refs = write_dir(tmp_path / "refs", {"bridge": SUMM_REFS["bridge"]})
    res = CliRunner().invoke(main, [
        "eval", "summarize", "--docs", str(docs), "--refs", str(refs), "--models", str(tiny_models),
        "--device", "cpu", "--format", "json", "--save-hyp", str(tmp_path / "out"),
    ], env={"HF_HUB_OFFLINE": "1"})
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["documents"] == 1 and 0 <= data["rouge1"] <= 100
    assert (tmp_path / "out" / "bridge.txt").is_file()
