"""SIGTERM and SIGINT stop a run cleanly: exit 143/130, no traceback, no partial file.

The run is held inside reading its input by a FIFO that the test writes to: the
signal then arrives mid-run at a known point, without sleeps or timing guesses.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mtsum.errors import Interrupted
from mtsum.io.signals import deferred, stop_on_signals

ROOT = Path(__file__).resolve().parent.parent
ENGLISH = "The council met on Monday.\n\nIt decided to keep the library open on Sundays.\n"


def _start(args: list[str]) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "mtsum", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)


def _wait_for_reader(fifo: Path, proc: subprocess.Popen) -> int:
    """Open the FIFO for writing once mtsum has opened it for reading (ENXIO until then)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            return os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as exc:
            if exc.errno != errno.ENXIO or proc.poll() is not None:
                raise
            time.sleep(0.05)
    raise TimeoutError("mtsum never opened its input")


SIGNALS = [(signal.SIGTERM, 143), (signal.SIGINT, 130)]


@pytest.mark.parametrize(("sig", "code"), SIGNALS, ids=["SIGTERM", "SIGINT"])
def test_signal_keeps_earlier_output_file(tmp_path: Path, sig: int, code: int) -> None:
    fifo = tmp_path / "in.txt"
    os.mkfifo(fifo)
    out = tmp_path / "out.txt"
    out.write_text("earlier result\n")
    proc = _start(["translate", str(fifo), "--source", "en", "-o", str(out)])
    fd = _wait_for_reader(fifo, proc)
    os.write(fd, ENGLISH.encode())  # half an input: the run is busy when the signal comes
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    os.close(fd)
    assert proc.returncode == code, err
    assert out.read_text() == "earlier result\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.txt", "out.txt"]
    assert b"Traceback" not in err and b"interrupted" in err


@pytest.mark.parametrize(("sig", "code"), SIGNALS, ids=["SIGTERM", "SIGINT"])
def test_signal_keeps_finished_files_of_a_folder(tmp_path: Path, sig: int, code: int) -> None:
    first = tmp_path / "first.txt"
    first.write_text(ENGLISH)
    fifo = tmp_path / "second.txt"
    os.mkfifo(fifo)
    out = tmp_path / "out"
    proc = _start(["summarize", str(first), str(fifo), "--source", "en", "--summarizer", "extractive",
                   "-o", str(out)])
    fd = _wait_for_reader(fifo, proc)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    os.close(fd)
    assert proc.returncode == code, err
    # inputs are all read before processing starts, so nothing was finished; nothing partial either
    assert list(out.iterdir()) == []
    assert b"Traceback" not in err


def test_signal_inside_a_commit_waits_for_it() -> None:
    done = []
    with stop_on_signals(), pytest.raises(Interrupted) as caught:
        with deferred():
            os.kill(os.getpid(), signal.SIGTERM)
            done.append("the file is in place")
    assert done == ["the file is in place"] and caught.value.exit_code == 143


def test_handlers_are_restored_after_the_run() -> None:
    before = signal.getsignal(signal.SIGTERM)
    with stop_on_signals():
        assert signal.getsignal(signal.SIGTERM) is not before
    assert signal.getsignal(signal.SIGTERM) is before


def test_sigpipe_is_quiet(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_text(ENGLISH * 20000)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = f"{sys.executable} -m mtsum -q translate {big} --source en | head -c 10"
    proc = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], capture_output=True, env=env, timeout=120)
    assert proc.stdout == ENGLISH.encode()[:10]
    assert proc.stderr == b"" and proc.returncode in (0, 128 + signal.SIGPIPE)
