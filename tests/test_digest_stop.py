"""A digest stops on SIGTERM even where a library swallowed the stop's exception.

The signal raises :class:`~mtsum.errors.Interrupted` wherever the run is; a library's
``except BaseException: pass`` (a model load, an import lock's callback) can swallow it.
The run must still stop, before the next article or once the digest it was writing is
whole, with exit code 143 and everything it finished kept. English articles and the
extractive summarizer: no model is loaded.
"""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest

from mtsum.digest import build_digest
from mtsum.errors import Interrupted
from mtsum.pipeline.core import Pipeline, Settings

ARTICLE = ("Leeds council approves new cycle lanes\n\nThe council voted to build protected cycle lanes on the "
           "main roads into the centre, after a long campaign by residents and local businesses. Officials said "
           "the work would take about {n} months.\n")


def careless_library() -> None:
    """A library call that catches BaseException while the signal lands."""
    try:
        os.kill(os.getpid(), signal.SIGTERM)  # Interrupted is raised here, inside the library
        time.sleep(1)
    except BaseException:
        pass


def articles(folder: Path, n: int = 4) -> None:
    folder.mkdir()
    for k in range(n):
        (folder / f"a{k}.txt").write_text(ARTICLE.format(n=k + 2), encoding="utf-8")


def run(tmp_path: Path) -> None:
    build_digest([str(tmp_path / "in")], tmp_path / "out", summarizer="extractive", state_path=tmp_path / "s.db",
                 pipeline=Pipeline(settings=Settings(source="en", cache=False)))


def translations(tmp_path: Path) -> list[str]:
    return sorted(p.name for p in (tmp_path / "out" / "translations").glob("*.en.txt"))


def test_a_stop_swallowed_while_an_article_is_read_stops_before_the_next(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import mtsum.digest.run as digest_run

    articles(tmp_path / "in")
    read, reads = digest_run.read_article, []

    def read_with_a_careless_library(path: Path, **kwargs: object) -> object:
        if kwargs.get("decode", True):  # the article itself, not the first pass's change check
            reads.append(path)
            if len(reads) == 2:
                careless_library()
        return read(path, **kwargs)

    monkeypatch.setattr(digest_run, "read_article", read_with_a_careless_library)
    with pytest.raises(Interrupted) as stopped:
        run(tmp_path)
    assert stopped.value.exit_code == 143
    assert len(reads) == 2  # the article being read is finished, the next is not begun
    assert translations(tmp_path) == ["a0.en.txt", "a1.en.txt"]
    monkeypatch.undo()
    run(tmp_path)  # the rerun does the rest
    assert translations(tmp_path) == [f"a{k}.en.txt" for k in range(4)]


def test_a_stop_swallowed_while_the_digest_is_written_still_ends_as_stopped(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import mtsum.digest.run as digest_run

    articles(tmp_path / "in")
    write = digest_run._Run.write

    def write_with_a_careless_library(self: object, *args: object, **kwargs: object) -> object:
        report = write(self, *args, **kwargs)  # type: ignore[arg-type]
        careless_library()
        return report

    monkeypatch.setattr(digest_run._Run, "write", write_with_a_careless_library)
    with pytest.raises(Interrupted) as stopped:
        run(tmp_path)
    assert stopped.value.exit_code == 143
    data = json.loads((tmp_path / "out" / "digest.json").read_text(encoding="utf-8"))
    listed = sorted(Path(s["path"]).name for story in data["stories"] for e in story["entries"] for s in e["sources"])
    assert listed == [f"a{k}.txt" for k in range(4)]  # the digest is whole
