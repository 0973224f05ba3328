"""The digest's parts on their own: grouping, input collection, --since, escaping, atomic writes."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from mtsum.digest import collect_inputs, group_articles, parse_since
from mtsum.digest.group import _shingles, containment
from mtsum.digest.render import _md
from mtsum.errors import InputError
from mtsum.io.atomic import write_atomic

ARTICLES = Path(__file__).parent / "data" / "digest"


def text(name: str) -> str:
    return (ARTICLES / f"{name}.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize(("a", "b", "same_story"), [
    ("nk_missiles_wire", "nk_missiles_paper", True),   # one story, two outlets' own wording
    ("nk_missiles_wire", "nk_denial", True),           # the follow-up: North Korea's denial
    ("storm_agency_a", "storm_local", True),           # the storm, from the town it flooded
    ("nk_missiles_wire", "nato_hungary", False),       # both mention Russia, different news
    ("storm_agency_a", "nato_hungary", False),         # both about Sweden
    ("ecb_rates", "football_final", False),
])
def test_story_pairs(a: str, b: str, same_story: bool) -> None:
    grouping = group_articles([text(a), text(b)])
    assert (len(grouping.stories) == 1) is same_story


@pytest.mark.parametrize(("a", "b", "copies"), [
    ("storm_agency_a", "storm_agency_b", True),    # the agency text, one outlet adds a "read more" line
    ("storm_agency_a", "storm_local", False),      # same event, different report
    ("nk_missiles_wire", "nk_missiles_paper", False),
])
def test_agency_copies(a: str, b: str, copies: bool) -> None:
    grouping = group_articles([text(a), text(b)])
    assert (grouping.stories == [[[0, 1]]] or grouping.stories == [[[1, 0]]]) is copies


def test_grouping_all_articles_and_threshold() -> None:
    names = sorted(p.stem for p in ARTICLES.glob("*.txt"))
    texts = [text(n) for n in names]
    stories = [[[names[i] for i in entry] for entry in story] for story in group_articles(texts).stories]
    assert sorted(len(s) for s in stories) == [1, 1, 1, 2, 3]
    storm = next(s for s in stories if any("storm_local" in e for e in s))
    assert sorted(map(sorted, storm)) == [["storm_agency_a", "storm_agency_b"], ["storm_local"]]
    assert storm[0][0] == "storm_agency_b"  # the longer copy leads its entry
    # At 1.0 only identical texts would share a story; a tiny threshold lumps everything together.
    assert len(group_articles(texts, threshold=1.0).stories) == 9
    assert len(group_articles(texts, threshold=0.001).stories) == 1
    assert group_articles([]).stories == []


@pytest.mark.parametrize(("a", "b", "expected"), [
    ("one two three four five", "one two three four five six", 1.0),
    ("one two three four five", "six seven eight nine ten", 0.0),
    ("", "one two three four", 0.0),
    ("short", "short", 1.0),
])
def test_containment(a: str, b: str, expected: float) -> None:
    assert containment(_shingles(a), _shingles(b)) == expected


@pytest.mark.parametrize(("raw", "escaped"), [
    ("Plain words", "Plain words"),
    ("*Breaking* [live](http://x)", r"\*Breaking\* \[live\](http://x)"),
    ("# not a heading <b>", r"\# not a heading \<b\>"),
    ("snake_case | pipes", r"snake\_case \| pipes"),
    ("two\n\nparagraphs\nkept", "two\n\nparagraphs kept"),
])
def test_markdown_escaping(raw: str, escaped: str) -> None:
    assert _md(raw) == escaped


def test_collect_inputs(tmp_path: Path) -> None:
    (tmp_path / "a" / "deep").mkdir(parents=True)
    for name in ("a/x.txt", "a/deep/y.HTML", "a/deep/z.htm", "a/notes.md", "a/.partial.txt", "b.txt", "c.json"):
        (tmp_path / name).write_text("x")
    (tmp_path / "a" / ".hidden").mkdir()
    (tmp_path / "a" / ".hidden" / "w.txt").write_text("x")
    (tmp_path / "a" / "out").mkdir()
    (tmp_path / "a" / "out" / "old.en.txt").write_text("x")
    found = collect_inputs([str(tmp_path / "a"), str(tmp_path / "*.txt"), str(tmp_path / "c.json"),
                            str(tmp_path / "a" / "x.txt")], exclude=[tmp_path / "a" / "out"])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "a/deep/y.HTML", "a/deep/z.htm", "a/x.txt", "b.txt", "c.json"]
    with pytest.raises(InputError, match="matches no file"):
        collect_inputs([str(tmp_path / "*.xml")])
    with pytest.raises(InputError, match="no such file or folder"):
        collect_inputs([str(tmp_path / "missing")])


NOW = datetime(2024, 1, 5, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(("text", "expected"), [
    ("36h", NOW - timedelta(hours=36)),
    ("1d", NOW - timedelta(days=1)),
    ("2w", NOW - timedelta(weeks=2)),
    ("90m", NOW - timedelta(minutes=90)),
    ("2024-01-04T06:00+01:00", datetime(2024, 1, 4, 5, 0, tzinfo=timezone.utc)),
])
def test_parse_since(text: str, expected: datetime) -> None:
    assert parse_since(text, now=NOW) == expected


def test_parse_since_local_date_and_errors() -> None:
    assert parse_since("2024-01-04", now=NOW) == datetime(2024, 1, 4).astimezone()
    for bad in ("yesterday", "3 days", "2024-13-01"):
        with pytest.raises(InputError, match="--since"):
            parse_since(bad, now=NOW)


def test_write_atomic_replaces_whole_file_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "digest.md"
    write_atomic(target, "old\n")
    write_atomic(target, "new ✓\n")
    assert target.read_text(encoding="utf-8") == "new ✓\n"
    assert os.listdir(target.parent) == ["digest.md"]


def test_write_atomic_keeps_old_file_when_writing_fails(tmp_path: Path) -> None:
    target = tmp_path / "digest.md"
    write_atomic(target, "old\n")
    with pytest.raises(UnicodeEncodeError):
        write_atomic(target, "bad \udc80 surrogate")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert os.listdir(tmp_path) == ["digest.md"]


def test_a_stop_signal_while_reading_is_not_that_files_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A stop signal raised as Interrupted (a digest run inside mtsum.runs.stop_on_signals)
    # while a file is read must stop the run, not be logged as one unreadable article.
    import signal
    from types import SimpleNamespace

    from mtsum.digest import run
    from mtsum.digest.progress import Progress
    from mtsum.errors import Interrupted

    def stopped(path: Path, **kwargs: object) -> object:
        raise Interrupted(signal.SIGINT)

    monkeypatch.setattr(run, "read_article", stopped)
    pipeline = SimpleNamespace(settings=SimpleNamespace(source="auto"))
    digest_run = run._Run(pipeline, "extractive", None, None, ["md"], "t")  # type: ignore[arg-type]
    pending = run._Pending(tmp_path / "a.txt", str(tmp_path / "a.txt"))
    with pytest.raises(Interrupted):
        digest_run._one(pending, 1, 1, Progress(1, bar=False))
    assert digest_run.failures == []
