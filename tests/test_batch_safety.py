"""mtsum batch never harms a file, takes any file name, stops on a signal, shows progress.

Issue 28: an OUT that mtsum did not write (or a device, FIFO, socket or folder) is
refused before any input is read; a file name that is not UTF-8 and a lone surrogate
in JSON Lines input are handled per record; SIGINT/SIGTERM stop a run within seconds
with every finished record kept and a rerun completes it without duplicates; records
are committed as each finishes; a progress bar on a terminal and progress lines in
--log-file; the `mtsum models convert` tip.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import pty
import select
import signal
import socket
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from mtsum.batch.output import ChunkedOutput
from mtsum.batch.records import FIELDS
from mtsum.cli import main

ROOT = Path(__file__).resolve().parent.parent
GERMAN = "Die Regierung hat am Montag neue Regeln für den Verkehr in der Stadt beschlossen."
SWEDISH = "Regeringen presenterade på måndagen nya regler för trafiken i staden."


def jsonl(path: Path, rows: list[str | dict]) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows), encoding="utf-8")
    return path


def batch(*args: str) -> object:
    return CliRunner().invoke(main, ["batch", *args])


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}


def mtsum_record(i: str) -> dict:
    return {**dict.fromkeys(FIELDS), "id": i, "models": {}, "settings": {"task": "translate"}}


def whole_records(path: Path) -> list[dict]:
    """OUT's records; fails unless every line is one whole mtsum record and no id repeats."""
    recs = [json.loads(line) for line in path.read_bytes().decode("utf-8").splitlines()]
    assert all(list(r) == list(FIELDS) for r in recs)
    ids = [r["id"] for r in recs]
    assert len(ids) == len(set(ids)), "an id written twice"
    return recs


# --- item 2 and 13: an OUT that mtsum did not write is refused, untouched ---------------

def _parquet_of_others(path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"name": ["x"], "value": [1]}), path)


USER_LINES = "".join(json.dumps({"name": f"row {n}", "value": n}) + "\n" for n in range(101)).encode()
FOREIGN: list[tuple[str, str, bytes | Callable[[Path], None], str]] = [
    ("user-jsonl", "mydata.jsonl", USER_LINES, "line 1 is not an mtsum record"),
    ("mtsum-then-user", "out.jsonl", (json.dumps(mtsum_record("a")) + "\n").encode() + USER_LINES,
     "line 2 is not an mtsum record"),
    ("binary", "out.jsonl", bytes(range(256)) * 8, "binary data"),
    ("latin-1", "out.jsonl", "café au lait\n".encode("latin-1"), "line 1 is not UTF-8 text"),
    ("prose", "notes.ndjson", b"my notes\nmore notes\n", "line 1 is not JSON"),
    ("json-document", "out.json", b'{\n  "a": 1\n}\n', "line 1 is not JSON"),
    ("not-parquet", "out.parquet", b"PAR1 this is not parquet", "not a Parquet file"),
    ("parquet-of-others", "out.parquet", _parquet_of_others, "columns are not those of mtsum"),
]


@pytest.mark.parametrize("name, content, why", [f[1:] for f in FOREIGN], ids=[f[0] for f in FOREIGN])
def test_an_output_mtsum_did_not_write_is_refused_and_kept(tiny_models: Path, tmp_path: Path, name: str,
                                                          content: bytes | Callable[[Path], None],
                                                          why: str) -> None:
    source = jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": GERMAN}])
    out = tmp_path / name
    content(out) if callable(content) else out.write_bytes(content)
    before = out.read_bytes()
    result = batch(str(source), "-o", str(out), "--models", str(tiny_models), "--no-cache")
    assert result.exit_code == 2, result.output
    [line] = result.stderr.strip().splitlines()  # one line: nothing was read or run
    assert line.startswith(f"mtsum: error: {out}: ") and why in line and "--force" in line
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["in.jsonl", name])


@pytest.mark.parametrize("name, content", [(f[1], f[2]) for f in FOREIGN if f[0] in ("user-jsonl", "not-parquet")],
                         ids=["user-jsonl", "not-parquet"])
def test_force_replaces_it(tiny_models: Path, tmp_path: Path, name: str, content: bytes) -> None:
    source = jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": GERMAN}])
    out = tmp_path / name
    out.write_bytes(content)
    result = batch(str(source), "-o", str(out), "--force", "--models", str(tiny_models), "--no-cache")
    assert result.exit_code == 0, result.output
    assert "--force: it will be replaced" in result.stderr
    assert [r["id"] for r in ChunkedOutput(out).existing()] == ["a"]


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _socket(path: Path) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(path.name)  # relative: a socket's path is limited to about 100 bytes
    return sock


SPECIAL = [
    ("fifo", _fifo, "is a FIFO (named pipe)"),
    ("socket", _socket, "is a socket"),
    ("folder", lambda p: p.mkdir(), "is a folder"),
    ("link-to-dev-null", lambda p: p.symlink_to(os.devnull), "is a character device"),
]


@pytest.mark.parametrize("make, kind", [s[1:] for s in SPECIAL], ids=[s[0] for s in SPECIAL])
def test_a_device_fifo_socket_or_folder_is_refused(tiny_models: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch, make: Callable, kind: str) -> None:
    """In a process of its own: before the fix a FIFO as OUT was opened for reading and hung."""
    monkeypatch.chdir(tmp_path)
    source = jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": GERMAN}])
    keep = make(tmp_path / "out.jsonl")
    try:
        proc = subprocess.run([sys.executable, "-m", "mtsum", "batch", str(source), "-o", "out.jsonl",
                               "--models", str(tiny_models), "--no-cache"],
                              capture_output=True, env=env(), timeout=120, cwd=tmp_path)
    finally:
        if keep is not None:
            keep.close()
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.decode().strip().splitlines() == [
        f"mtsum: error: out.jsonl {kind}: mtsum writes batch records only to a regular file or a new path; "
        "choose another path"]
    assert os.path.realpath(tmp_path / "out.jsonl") in (str(tmp_path / "out.jsonl"), os.devnull)
    assert not (tmp_path / ".out.jsonl.parts").exists()


# --- item 10: every output problem is said before any input is read -----------------------

def _read_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    if os.geteuid() == 0:  # root writes anyway; what root meets is a read-only mount, which access() reports
        real = os.access
        monkeypatch.setattr(os, "access", lambda path, mode, *args, **kwargs: (
            False if Path(path) == folder and mode & os.W_OK else real(path, mode, *args, **kwargs)))
    return folder / "out.jsonl"


def _under_a_file(*parts: str) -> Callable[..., Path]:
    def make(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
        (tmp_path / "afile").write_text("x", encoding="utf-8")
        return tmp_path.joinpath("afile", *parts)
    return make


def _user_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "mine.jsonl").write_bytes(USER_LINES)
    return tmp_path / "mine.jsonl"


PATH_PROBLEMS = [
    pytest.param(_under_a_file("sub.jsonl"), "is a file, not a folder", id="file-as-folder"),
    pytest.param(_under_a_file("x", "sub.jsonl"), "cannot be a folder: part of it is a file", id="file-deeper"),
    pytest.param(lambda t, _: t / "nodir" / "out.jsonl", "does not exist; create it first", id="missing-parent"),
    pytest.param(_under_a_file(), "the output must end in .jsonl", id="not-jsonl"),
    pytest.param(_user_data, "did not write it", id="user-data"),
    pytest.param(_read_only, "is not writable", id="read-only"),
]


@pytest.mark.parametrize("make, why", PATH_PROBLEMS)
def test_output_problems_come_before_models_and_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      make: Callable[..., Path], why: str) -> None:
    """The input repeats an id and the models file does not exist: had either been read
    first, the message would be about them."""
    source = jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": GERMAN}, {"id": "a", "text": GERMAN}])
    out = make(tmp_path, monkeypatch)
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    result = batch(str(source), "-o", str(out), "--models", str(tmp_path / "missing.yaml"))
    assert result.exit_code == 2, result.output
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"mtsum: error: {out}: ") and why in line
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before  # nothing created


# --- item 7 and 13: any file name, any JSON text ----------------------------------------

def test_a_file_name_that_is_not_utf8_is_processed(tiny_models: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    raw = os.fsencode(folder)
    for name, data in ((b"bad\xff\xfename.txt", GERMAN.encode()), (b"bin\xff.txt", b"\x00\x01\x02" * 50),
                       (b"good.txt", SWEDISH.encode())):
        with open(os.path.join(raw, name), "wb") as fh:
            fh.write(data)
    out = tmp_path / "out.jsonl"
    args = [str(folder), "-o", str(out), "--models", str(tiny_models), "--no-cache"]
    result = batch(*args)
    assert result.exit_code == 2, result.output  # the binary file's record: exit 2, the others done
    records = {r["id"]: r for r in whole_records(out)}
    # The id shows the bytes as os.fsencode(name).decode("utf-8", "backslashreplace") does.
    assert sorted(records) == ["bad\\xff\\xfename.txt", "bin\\xff.txt", "good.txt"]
    assert records["bad\\xff\\xfename.txt"]["translation"] and records["bad\\xff\\xfename.txt"]["error"] is None
    assert "bin\\xff.txt" in records["bin\\xff.txt"]["error"]["message"]
    assert "bin\\xff.txt" in result.stderr
    again = batch(*args)  # the ids are stable: a rerun resumes
    assert "0 written, 1 failed, 2 skipped" in again.stderr, again.output


def test_a_lone_surrogate_in_json_lines_is_one_records_error(tiny_models: Path, tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": "a", "text": "Die Regierung \\ud800 hat beschlossen."}\n'
                      f'{{"id": "b", "text": "{GERMAN}"}}\n'
                      f'{{"id": "c\\udcff", "text": "{GERMAN}"}}\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = batch(str(source), "-o", str(out), "--models", str(tiny_models), "--no-cache")
    assert result.exit_code == 2, result.output
    records = {r["id"]: r for r in whole_records(out)}
    assert sorted(records) == ["a", "b", "c\\udcff"]
    assert records["a"]["error"]["type"] == "InputError"
    assert "lone surrogate (\\ud800 at character 15)" in records["a"]["error"]["message"]
    assert records["b"]["translation"] and records["c\\udcff"]["translation"]


# --- item 6: records committed as each finishes; progress ---------------------------------

def test_a_record_is_committed_when_it_is_added(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    out = ChunkedOutput(target)  # the default chunk size: 64 records
    out.add(mtsum_record("a"))
    out._unlock()  # as if the process were killed now: no flush, no merge
    assert [r["id"] for r in ChunkedOutput(target).existing()] == ["a"]


def _read_pty(master: int, proc: subprocess.Popen) -> bytes:
    data = b""
    while True:
        ready, _, _ = select.select([master], [], [], 1.0)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError as exc:  # EIO: the child closed the terminal
                if exc.errno != errno.EIO:
                    raise
                break
            if not chunk:
                break
            data += chunk
        elif proc.poll() is not None:
            break
    return data


def test_progress_bar_on_a_terminal_only(tiny_models: Path, tmp_path: Path) -> None:
    source = jsonl(tmp_path / "in.jsonl", [{"id": str(n), "text": GERMAN} for n in range(4)])
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a terminal 100 columns wide
    proc = subprocess.Popen([sys.executable, "-m", "mtsum", "batch", str(source), "-o", str(tmp_path / "tty.jsonl"),
                             "--models", str(tiny_models), "--no-cache"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave, env=env())
    os.close(slave)
    try:
        shown = _read_pty(master, proc)
    finally:
        os.close(master)
        proc.wait(timeout=120)
    assert proc.returncode == 0, shown
    assert b"batch:   0%" in shown and b"0/4 [" in shown and b"doc/s" in shown  # tqdm's bar, drawn
    piped = batch(str(source), "-o", str(tmp_path / "piped.jsonl"), "--models", str(tiny_models), "--no-cache")
    assert piped.exit_code == 0 and "doc/s" not in piped.stderr and "\r" not in piped.stderr


def test_log_file_gets_a_progress_line_every_n_documents(tiny_models: Path, tmp_path: Path) -> None:
    source = jsonl(tmp_path / "in.jsonl", [{"id": str(n), "text": GERMAN} for n in range(5)])
    log_file = tmp_path / "logs" / "batch.log"
    result = batch(str(source), "-o", str(tmp_path / "out.jsonl"), "--models", str(tiny_models), "--no-cache",
                   "--log-file", str(log_file), "--log-every", "2")
    assert result.exit_code == 0, result.output
    logged = log_file.read_text(encoding="utf-8")
    for done in ("2/5", "4/5", "5/5"):
        assert f"INFO batch: {done} documents (" in logged
    assert "batch (local): 5 inputs: 5 written" in logged
    assert "documents (" not in result.stderr  # stderr: the bar (on a terminal) and the last line
    assert result.stderr.strip().splitlines()[-1].startswith("mtsum: batch (local): 5 inputs")


# --- item 9: SIGINT and SIGTERM stop a run within seconds -----------------------------------

def corpus(folder: Path, seeds: dict[str, Path], count: int = 40) -> list[str]:
    """``count`` short articles: two lines of a seed each, in turn sv, de, sv."""
    folder.mkdir()
    lines = {lang: [line for line in path.read_text(encoding="utf-8").splitlines() if len(line) > 40]
             for lang, path in seeds.items()}
    for n in range(count):
        own = lines[list(seeds)[n % len(seeds)]]
        start = (n // len(seeds)) % (len(own) - 1)
        (folder / f"doc-{n:02d}.txt").write_text("\n\n".join(own[start:start + 2]), encoding="utf-8")
    return sorted(p.name for p in folder.iterdir())


def first_record(out: Path) -> bool:
    """Whether a finished (not failed) record has been committed: in the run's journal, or OUT."""
    for path in [out, *out.parent.glob(f".{out.name}.parts/part-*.jsonl")]:
        try:
            lines = path.read_bytes().splitlines()
        except FileNotFoundError:
            continue
        for line in lines:
            try:
                if json.loads(line)["error"] is None:
                    return True
            except (ValueError, KeyError):
                continue  # a line being written
    return False


def one_thread() -> dict[str, str]:
    # On a small shared machine torch's default threads cost more than they bring (README, "Measured").
    return {**env(), "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["SIGINT", "SIGTERM"])
def test_a_signal_stops_the_local_engine_and_a_rerun_completes(tiny_models: Path, seeds: dict, tmp_path: Path,
                                                               sig: int, code: int) -> None:
    ids = corpus(tmp_path / "in", seeds)
    out = tmp_path / "out.jsonl"
    # BART summaries come one document at a time, so records do too; the default chunk size.
    cmd = [sys.executable, "-m", "mtsum", "batch", str(tmp_path / "in"), "-o", str(out), "--task", "both",
           "--models", str(tiny_models), "--no-cache"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=one_thread())
    try:
        deadline = time.monotonic() + 240
        while not first_record(out) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert proc.poll() is None, f"the run ended before the signal: {proc.stderr.read().decode()[-2000:]}"
        proc.send_signal(sig)
        signalled = time.monotonic()
        _, err = proc.communicate(timeout=60)
        stopped_in = time.monotonic() - signalled
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == code, err.decode()[-2000:]
    assert stopped_in < 5, f"took {stopped_in:.1f} s to stop"
    assert b"Traceback" not in err and b"interrupted by" in err
    kept = whole_records(out)  # the finished records, whole, each once
    assert 1 <= sum(r["error"] is None for r in kept) and len(kept) < len(ids)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "out.jsonl"]  # no parts, no temporary file

    again = subprocess.run(cmd, capture_output=True, env=one_thread(), timeout=600)
    assert again.returncode in (0, 2), again.stderr.decode()[-2000:]  # 2: an article too short to summarize
    last = again.stderr.decode().strip().splitlines()[-1]
    assert f"{sum(r['error'] is None for r in kept)} skipped (already done)" in last
    assert sorted(r["id"] for r in whole_records(out)) == ids


def _swallow(exc: BaseException) -> None:
    """A library's ``except BaseException: pass``."""


def _wrap(exc: BaseException) -> None:
    """A library's ``except BaseException as e: raise ValueError(...) from e``."""
    raise ValueError("the library failed") from exc


@pytest.mark.parametrize("library", [_swallow, _wrap], ids=["swallowed", "wrapped"])
def test_a_stop_a_library_swallowed_still_stops_the_run(tiny_models: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         library: Callable[[BaseException], None]) -> None:
    """The signal lands inside a library call that catches BaseException: the run still
    stops (between documents), with exit code 143, instead of going on to the end."""
    import mtsum.batch.records as records
    from mtsum.batch import run_batch
    from mtsum.errors import Interrupted
    from mtsum.pipeline.core import Settings

    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(4):
        (folder / f"{n}.txt").write_text(GERMAN, encoding="utf-8")
    read_input, calls = records.read_input, []

    def read_with_a_careless_library(path: str) -> object:
        calls.append(path)
        if len(calls) == 2:
            try:
                os.kill(os.getpid(), signal.SIGTERM)  # Interrupted is raised here, inside the library
                time.sleep(1)
            except BaseException as exc:
                library(exc)
        return read_input(path)

    monkeypatch.setattr(records, "read_input", read_with_a_careless_library)
    with pytest.raises(Interrupted) as stopped:
        run_batch(folder, tmp_path / "out.jsonl", models=tiny_models, settings=Settings(cache=False))
    assert stopped.value.exit_code == 143 and len(calls) == 2
    whole_records(tmp_path / "out.jsonl")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "out.jsonl"]


def test_a_stop_swallowed_while_the_run_ends_still_stops_it(tiny_models: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Every document is done, and the signal lands while the run ends (Ray's shutdown, an
    import lock's callback) inside code that swallows it: the run still ends as stopped
    (exit 143), with everything it finished kept whole."""
    import mtsum.batch.run as run
    from mtsum.batch import run_batch
    from mtsum.errors import Interrupted
    from mtsum.pipeline.core import Settings

    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(2):
        (folder / f"{n}.txt").write_text(GERMAN, encoding="utf-8")
    end = run._end

    def end_with_a_careless_library(*args: object) -> None:
        end(*args)
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(1)
        except BaseException as exc:
            _swallow(exc)

    monkeypatch.setattr(run, "_end", end_with_a_careless_library)
    with pytest.raises(Interrupted) as stopped:
        run_batch(folder, tmp_path / "out.jsonl", models=tiny_models, settings=Settings(cache=False))
    assert stopped.value.exit_code == 143
    assert len(whole_records(tmp_path / "out.jsonl")) == 2


# --- item 17: the conversion tip ----------------------------------------------------------

TIP = "mtsum: tip: `mtsum models convert` makes translation 2-4× faster on CPU"


@pytest.mark.parametrize("args, installed, shown", [
    ([], True, True),
    (["--source", "de"], True, True),
    (["-q"], True, False),
    (["--backend", "transformers"], True, False),
    (["--source", "en"], True, False),
    ([], False, False),
], ids=["auto", "source-de", "quiet", "transformers", "english", "no-ctranslate2"])
def test_the_conversion_tip(tiny_models: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                            args: list[str], installed: bool, shown: bool) -> None:
    import mtsum.backends

    monkeypatch.setattr(mtsum.backends, "ctranslate2_installed", lambda: installed)
    source = jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": GERMAN}])
    quiet = ["-q"] if "-q" in args else []
    rest = [a for a in args if a != "-q"]
    result = CliRunner().invoke(main, [*quiet, "batch", str(source), "-o", str(tmp_path / "out.jsonl"),
                                       "--models", str(tiny_models), "--no-cache", *rest])
    assert result.exit_code == 0, result.output
    assert result.stderr.count(TIP) == (1 if shown else 0), result.stderr


def test_no_tip_when_the_models_are_converted(tiny_models: Path, ct2_cache: Path, tmp_path: Path) -> None:
    source = jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": GERMAN}])
    result = batch(str(source), "-o", str(tmp_path / "out.jsonl"), "--models", str(tiny_models), "--no-cache")
    assert result.exit_code == 0, result.output
    assert "tip:" not in result.stderr
