"""The cache, the log and stdin held to translate's standard (issue 28).

- a cache path that is a device, FIFO, socket or folder is refused (exit 2), never renamed;
- ``--no-cache`` and ``MTSUM_CACHE=off`` switch the cache off for every model command;
- a read-only or broken cache is one warning and the run goes on;
- each model batch is in the cache as soon as it is decoded (a SIGKILL keeps it);
- ``--log-file``, ``MTSUM_CACHE_MAX_MB``, a closed stdin and ``models convert`` into a
  read-only cache folder are exit 2 with one ``mtsum: error:`` line.

Read-only: tests run as root here, where ``chmod`` stops nothing; ``chattr +i`` (ext4)
stops root too and a read-only bind mount in a private mount namespace (``unshare -m``)
is a real read-only file system. Elsewhere ``chmod`` does.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from mtsum.cli import main
from mtsum.errors import Interrupted
from mtsum.pipeline.core import Pipeline, Settings
from mtsum.translation.cache import TranslationStore
from mtsum.translation.translator import Translation, Translator

ROOT = Path(__file__).resolve().parent.parent
ENGLISH = "The council met on Monday.\n\nIt decided to keep the library open on Sundays.\n"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def invoke(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("mtsum: error:")]


def assert_one_error(code: int, stderr: str, *words: str) -> str:
    """Exit 2, exactly one ``mtsum: error:`` line holding ``words``, no traceback, not 'unexpected'."""
    lines = error_lines(stderr)
    assert code == 2, stderr
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr and "unexpected" not in lines[0], stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


# --- making things read-only, also for root ------------------------------------------------


@contextlib.contextmanager
def read_only(*paths: Path) -> Iterator[None]:
    """``paths`` (files or folders) cannot be changed while inside, also by root."""
    done: list[Path] = []
    try:
        for path in paths:
            if IS_ROOT:
                if shutil.which("chattr") is None or subprocess.run(
                        ["chattr", "+i", str(path)], capture_output=True).returncode != 0:
                    pytest.skip("root, and chattr +i does not work on this file system")
            else:
                path.chmod(0o555 if path.is_dir() else 0o444)
            done.append(path)
        yield
    finally:
        for path in reversed(done):
            if IS_ROOT:
                subprocess.run(["chattr", "-i", str(path)], check=True)
            else:
                path.chmod(0o755 if path.is_dir() else 0o644)


@pytest.fixture(scope="session")
def ro_mount_works(tmp_path_factory: pytest.TempPathFactory) -> bool:
    """Whether ``unshare -m`` + ``mount --bind -o ro`` gives a real read-only file system here."""
    folder = tmp_path_factory.mktemp("ro-probe")
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c",
                            'mount --bind -o ro "$0" "$0" && ! touch "$0/x" 2>/dev/null', str(folder)],
                           capture_output=True)
    return probe.returncode == 0 and not (folder / "x").exists()


def run_on_read_only_fs(folder: Path, *args: str, env: dict[str, str] | None = None,
                        ) -> subprocess.CompletedProcess[str]:
    """``python -m mtsum ARGS`` with ``folder`` bind-mounted read-only (EROFS) in a private
    mount namespace: the mount goes away with the process."""
    return subprocess.run(
        ["unshare", "-m", "--propagation", "private", "sh", "-c",
         'mount --bind -o ro "$0" "$0" && exec "$@"', str(folder), sys.executable, "-m", "mtsum", *args],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ, **(env or {})}, timeout=300)


# --- 1. a cache path that is not a regular file ------------------------------------------------


def _device(path: Path) -> Path:
    if not IS_ROOT:
        pytest.skip("mknod needs root")
    os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # what /dev/null is
    return path


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def _socket(path: Path) -> Path:
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(path))
    sock.close()
    return path


def _folder(path: Path) -> Path:
    path.mkdir()
    (path / "keep.txt").write_text("mine")
    return path


def _wal_fifo(path: Path) -> Path:
    os.mkfifo(f"{path}-wal")  # SQLite would open it beside the database
    return path


NOT_FILES: list[tuple[str, Callable[[Path], Path], str]] = [
    ("device", _device, "character device"),
    ("fifo", _fifo, "FIFO"),
    ("socket", _socket, "socket"),
    ("folder", _folder, "folder"),
    ("wal-is-a-fifo", _wal_fifo, "FIFO"),
]
CACHE_COMMANDS = [
    ("translate", ["translate", "--source", "en", "{article}"]),
    ("summarize", ["summarize", "--source", "en", "--summarizer", "extractive", "{article}"]),
    ("cache-stats", ["cache", "stats"]),
    ("cache-clear", ["cache", "clear"]),
]


def _snapshot(folder: Path) -> dict[str, tuple[int, int, int]]:
    return {p.name: (st.st_mode, st.st_ino, st.st_rdev) for p in folder.iterdir() for st in [os.lstat(p)]}


@pytest.mark.parametrize("how", ["--cache", "MTSUM_CACHE"])
@pytest.mark.parametrize(("command", "argv"), CACHE_COMMANDS, ids=[c[0] for c in CACHE_COMMANDS])
@pytest.mark.parametrize(("kind", "make", "words"), NOT_FILES, ids=[k[0] for k in NOT_FILES])
def test_a_cache_path_that_is_not_a_file_is_refused_and_left_alone(
        tmp_path: Path, kind: str, make: Callable[[Path], Path], words: str, command: str,
        argv: list[str], how: str) -> None:
    article = tmp_path / "a.txt"
    article.write_text(ENGLISH)
    folder = tmp_path / "cache"
    folder.mkdir()
    path = make(folder / "translations.sqlite3")
    before = _snapshot(folder)
    args = [a.format(article=article) for a in argv]
    if how == "--cache":
        result = invoke(*args, "--cache", str(path))
    else:
        result = invoke(*args, env={"MTSUM_CACHE": str(path)})
    assert_one_error(result.exit_code, result.stderr, str(path), words, "--no-cache")
    assert _snapshot(folder) == before  # nothing renamed, replaced or created beside it
    if kind == "folder":
        assert (path / "keep.txt").read_text() == "mine"


def test_a_damaged_regular_cache_file_is_still_set_aside_by_the_cli(tmp_path: Path) -> None:
    cache = tmp_path / "c.sqlite3"
    cache.write_bytes(b"not a database " * 100)
    result = invoke("cache", "stats", "--cache", str(cache), "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["entries"] == 0 and "damaged" in result.stderr
    assert [p.read_bytes()[:15] for p in tmp_path.glob("c.sqlite3.corrupt-*")] == [b"not a database "]


# --- 1. --no-cache and MTSUM_CACHE=off, for every model command -------------------------------


def _model_command(command: str, tiny_models: Path, tmp_path: Path, article: Path) -> list[str]:
    common = ["--models", str(tiny_models), "--source", "de"]
    return {
        "translate": ["translate", str(article), "--format", "json", *common],
        "summarize": ["summarize", str(article), "--format", "json", "--summarizer", "extractive", *common],
        "digest": ["digest", str(article), "--out", str(tmp_path / "digest"), "--summarizer", "extractive",
                   "--state", str(tmp_path / "state.sqlite3"), "--format", "json", *common],
        "batch": ["batch", str(article.parent), "-o", str(tmp_path / "out.jsonl"), *common],
    }[command]


@pytest.mark.parametrize("how", ["--no-cache", "MTSUM_CACHE=off", "default"])
@pytest.mark.parametrize("command", ["translate", "summarize", "digest", "batch"])
def test_the_cache_can_be_switched_off_for_every_model_command(
        tiny_models: Path, seeds: dict, tmp_path: Path, command: str, how: str) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    article = inputs / "de.txt"
    shutil.copy(seeds["de"], article)
    args = _model_command(command, tiny_models, tmp_path, article)
    result = invoke(*args, *(["--no-cache"] if how == "--no-cache" else []),
                    env={"MTSUM_CACHE": "off"} if how == "MTSUM_CACHE=off" else None)
    assert result.exit_code == 0, result.output
    cache = Path(os.environ["MTSUM_CACHE_DIR"]) / "translations.sqlite3"
    assert cache.exists() == (how == "default")  # "default" shows the check is not vacuous
    if command in ("translate", "summarize"):
        assert (json.loads(result.stdout)["settings"]["cache"] is None) == (how != "default")


@pytest.mark.parametrize("command", ["stats", "clear"])
def test_cache_commands_when_the_cache_is_switched_off(command: str) -> None:
    result = invoke("cache", command, env={"MTSUM_CACHE": "off"})
    assert_one_error(result.exit_code, result.stderr, "switched off", "--cache PATH")


# --- 12. a read-only or broken cache: one warning, the run goes on -------------------------------


def _populated_cache(tiny_models: Path, text: str, cache: Path) -> None:
    pipeline = Pipeline(tiny_models, Settings(cache=cache))
    assert pipeline.translate(text).stats.segments_translated == 14
    assert pipeline.store is not None
    pipeline.store.close()  # the last connection: SQLite removes -wal and -shm


def _translate_keeps_going(code: int, stdout: str, stderr: str) -> dict[str, Any]:
    """Exit 0, all 14 segments there, one "continuing without the cache" warning, no error."""
    assert code == 0, stderr
    warnings = [line for line in stderr.splitlines() if "continuing without the cache:" in line]
    assert len(warnings) == 1, stderr
    assert error_lines(stderr) == [] and "Traceback" not in stderr
    out = json.loads(stdout)
    assert out["stats"]["segments_translated"] + out["stats"]["cache_hits"] == 14
    return out


READ_ONLY_CASES = ["folder-without-cache", "cache-file-and-folder", "parent-is-a-file"]


@pytest.mark.parametrize("case", READ_ONLY_CASES)
def test_a_read_only_or_unusable_cache_is_one_warning_and_the_run_goes_on(
        tiny_models: Path, seeds: dict, tmp_path: Path, case: str) -> None:
    text = seeds["de"].read_text(encoding="utf-8")
    folder = tmp_path / "cache"
    folder.mkdir()
    cache = folder / "translations.sqlite3"
    locked: tuple[Path, ...] = (folder,)
    if case == "cache-file-and-folder":
        _populated_cache(tiny_models, text, cache)
        locked = (cache, folder)
    elif case == "parent-is-a-file":
        (folder / "file").write_text("mine")
        cache, locked = folder / "file" / "translations.sqlite3", ()
    before = _snapshot(folder)
    with read_only(*locked):
        result = invoke("translate", str(seeds["de"]), "--models", str(tiny_models), "--format", "json",
                        "--cache", str(cache))
    _translate_keeps_going(result.exit_code, result.stdout, result.stderr)
    assert _snapshot(folder) == before  # nothing moved aside, nothing created
    if case == "parent-is-a-file":
        assert (folder / "file").read_text() == "mine"


def test_a_failing_write_mid_run_is_one_warning(tiny_models: Path, seeds: dict, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The disk fills up after the cache was opened: SQLite's own error, the run goes on."""
    import sqlite3

    def full(self: TranslationStore, db: sqlite3.Connection) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(TranslationStore, "_evict", full)
    result = invoke("translate", str(seeds["de"]), "--models", str(tiny_models), "--format", "json",
                    "--max-batch-tokens", "64", "--batch-size", "2", "--cache", str(tmp_path / "c.sqlite3"))
    _translate_keeps_going(result.exit_code, result.stdout, result.stderr)


def test_cache_commands_on_a_read_only_cache(tiny_models: Path, seeds: dict, tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    folder.mkdir()
    cache = folder / "translations.sqlite3"
    _populated_cache(tiny_models, seeds["de"].read_text(encoding="utf-8"), cache)
    with read_only(cache, folder):
        stats = invoke("cache", "stats", "--cache", str(cache), "--format", "json")
        cleared = invoke("cache", "clear", "--cache", str(cache))
    assert stats.exit_code == 0, stats.stderr
    assert json.loads(stats.stdout)["entries"] == 14  # read as it is
    assert_one_error(cleared.exit_code, cleared.stderr, str(cache))
    assert TranslationStore(cache).stats()["entries"] == 14


def test_on_a_read_only_file_system(tiny_models: Path, seeds: dict, tmp_path: Path, ro_mount_works: bool) -> None:
    """The real thing: EROFS from a read-only bind mount of the cache folder."""
    if not ro_mount_works:
        pytest.skip("no read-only bind mount here (needs root and unshare)")
    folder = tmp_path / "cache"
    folder.mkdir()
    cache = folder / "translations.sqlite3"
    _populated_cache(tiny_models, seeds["de"].read_text(encoding="utf-8"), cache)
    env = {"MTSUM_CACHE_DIR": str(folder)}
    before = _snapshot(folder)

    done = run_on_read_only_fs(folder, "translate", str(seeds["de"]), "--models", str(tiny_models),
                               "--format", "json", env=env)
    _translate_keeps_going(done.returncode, done.stdout, done.stderr)
    stats = run_on_read_only_fs(folder, "cache", "stats", "--format", "json", env=env)
    assert stats.returncode == 0 and json.loads(stats.stdout)["entries"] == 14, stats.stderr
    cleared = run_on_read_only_fs(folder, "cache", "clear", env=env)
    assert_one_error(cleared.returncode, cleared.stderr, str(cache))
    log = run_on_read_only_fs(folder, "digest", str(seeds["de"]), "--out", str(tmp_path / "d"),
                              "--log-file", str(folder / "digest.log"), env=env)
    assert_one_error(log.returncode, log.stderr, str(folder / "digest.log"), "file system")
    convert = run_on_read_only_fs(folder, "models", "convert", "de", "--models", str(tiny_models), env=env)
    assert_one_error(convert.returncode, convert.stderr, str(folder), "file system")
    assert _snapshot(folder) == before


# --- 6. each batch is stored as soon as it is decoded -----------------------------------------


def _trusting(tiny_models: Path, tmp_path: Path) -> Path:
    """The tiny registry with a guard that flags nothing: random weights loop ("mil mil mil"),
    and a flagged output is stored only after its retry (tested below with a stand-in)."""
    text = tiny_models.read_text(encoding="utf-8").replace("./", f"{tiny_models.parent}/")
    path = tmp_path / "models.yaml"
    path.write_text(text + "guard: {min_repeats: 1000, min_char_repeats: 1000, min_length_ratio: 0, "
                    "max_length_ratio: 1000000, min_script_share: 0}\n", encoding="utf-8")
    return path


def test_each_batch_is_in_the_cache_before_the_next_one(tiny_models: Path, seeds: dict, tmp_path: Path) -> None:
    cache = tmp_path / "c.sqlite3"
    # Two segments per model batch: the German seed's 14 segments are 7 batches.
    pipeline = Pipeline(_trusting(tiny_models, tmp_path), Settings(cache=cache, batch_size=2))
    backend = pipeline.translator("de").inner.inner.backend  # type: ignore[attr-defined]
    generate, batches = backend.generate, []

    def stop_after_three(texts: list[str], settings: dict[str, Any]) -> list[str]:
        if len(batches) == 3:
            raise Interrupted(signal.SIGTERM)
        out = generate(texts, settings)
        batches.append(dict(zip(texts, out)))
        return out

    backend.generate = stop_after_three
    with pytest.raises(Interrupted):
        pipeline.translate(seeds["de"].read_text(encoding="utf-8"))
    key = pipeline.translator("de").cache_key()
    decoded = {s: t for b in batches for s, t in b.items()}
    stored = TranslationStore(cache).get_many(key, [*decoded, "not translated"])
    assert len(decoded) == 6 and {s: t for s, (t, _) in stored.items()} == decoded


def test_a_killed_run_keeps_every_finished_batch(tiny_models: Path, seeds: dict, tmp_path: Path) -> None:
    """SIGKILL in the middle of the fourth batch: the first three are in the cache."""
    cache, log = tmp_path / "c.sqlite3", tmp_path / "batches.jsonl"
    code = textwrap.dedent(f"""
        import json, os, signal
        from mtsum.pipeline.core import Pipeline, Settings
        pipeline = Pipeline({str(_trusting(tiny_models, tmp_path))!r}, Settings(cache={str(cache)!r}, batch_size=2))
        backend = pipeline.translator("de").inner.inner.backend
        generate, done = backend.generate, []
        def killed_in_the_fourth(texts, settings):
            if len(done) == 3:
                os.kill(os.getpid(), signal.SIGKILL)
            out = generate(texts, settings)
            done.append(1)
            with open({str(log)!r}, "a", encoding="utf-8") as fh:
                fh.write(json.dumps(dict(zip(texts, out))) + "\\n")
            return out
        backend.generate = killed_in_the_fourth
        print(pipeline.translator("de").cache_key(), flush=True)
        pipeline.translate(open({str(seeds["de"])!r}, encoding="utf-8").read())
    """)
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    decoded = {s: t for line in log.read_text(encoding="utf-8").splitlines() for s, t in json.loads(line).items()}
    stored = TranslationStore(cache).get_many(proc.stdout.strip(), [*decoded, "not translated"])
    assert len(decoded) == 6 and {s: t for s, (t, _) in stored.items()} == decoded


class _Stuttering(Translator):
    """Batches of two; "loop" comes out looping (the guard flags it) unless decoding is changed."""

    source = "de"

    def __init__(self) -> None:
        self.calls: list[tuple[list[str], dict[str, Any]]] = []
        self.fail_on_retry = False

    def translate(self, segments: list[str], **overrides: Any) -> list[Translation]:
        return self._run(segments, overrides, None)

    def translate_streaming(self, segments: list[str], on_batch: Any) -> list[Translation]:
        return self._run(segments, {}, on_batch)

    def _run(self, segments: list[str], overrides: dict[str, Any], on_batch: Any) -> list[Translation]:
        out: list[Translation] = []
        for start in range(0, len(segments), 2):
            batch = segments[start:start + 2]
            self.calls.append((batch, overrides))
            if overrides and self.fail_on_retry:
                raise Interrupted(signal.SIGTERM)
            done = [Translation("poor " * 30 if s == "loop" and not overrides else s.upper()) for s in batch]
            if on_batch is not None:
                on_batch(batch, done)
            out += done
        return out

    def cache_key(self) -> str:
        return "stuttering"


def test_a_flagged_output_is_stored_only_once_it_is_final(tmp_path: Path) -> None:
    from mtsum.translation.cache import CachedTranslator
    from mtsum.translation.guard import GuardedTranslator

    segments = ["eins zwei drei", "loop", "vier fünf", "sechs sieben", "acht"]
    store = TranslationStore(tmp_path / "c.sqlite3")
    inner = _Stuttering()
    inner.fail_on_retry = True
    cached = CachedTranslator(GuardedTranslator(inner), store)
    with pytest.raises(Interrupted):  # stopped while the guard retries "loop"
        cached.translate(segments)
    key = cached.cache_key()
    assert store.get_many(key, segments) == {s: (s.upper(), None) for s in segments if s != "loop"}
    inner.fail_on_retry = False
    out = cached.translate(segments)
    assert [o.cached for o in out] == [s != "loop" for s in segments]
    assert store.get_many(key, ["loop"]) == {"loop": ("LOOP", None)}  # the retried translation


# --- 13. exit 2 with one line ---------------------------------------------------------------------


def _log_in_read_only_folder(tmp_path: Path) -> tuple[str, contextlib.AbstractContextManager[None]]:
    folder = tmp_path / "logs"
    folder.mkdir()
    return str(folder / "digest.log"), read_only(folder)


def _plain(path: str) -> tuple[str, contextlib.AbstractContextManager[None]]:
    return path, contextlib.nullcontext()


def _file_parent(tmp_path: Path) -> str:
    (tmp_path / "file").write_text("mine")
    return str(tmp_path / "file" / "digest.log")


LOG_FILES: list[tuple[str, Callable[[Path], tuple[str, Any]], str]] = [
    ("read-only-folder", _log_in_read_only_folder, "cannot open it for writing"),
    ("folder-cannot-be-created", lambda d: _plain("/proc/mtsum-no-such-dir/digest.log"), "cannot create the folder"),
    ("parent-is-a-file", lambda d: _plain(_file_parent(d)), "Not a directory"),
    ("a-folder", lambda d: _plain(str(_folder(d / "logdir"))), "is a folder"),
    ("a-device", lambda d: _plain(str(_device(d / "null"))), "is a character device"),
    ("a-fifo", lambda d: _plain(str(_fifo(d / "fifo"))), "is a FIFO"),
]


@pytest.mark.parametrize("command", ["digest", "batch"])
@pytest.mark.parametrize(("case", "make", "words"), LOG_FILES, ids=[c[0] for c in LOG_FILES])
def test_log_file_problems(tmp_path: Path, case: str, make: Any, words: str, command: str) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "a.txt").write_text(ENGLISH)
    log_file, guard = make(tmp_path)
    before = os.lstat(log_file) if os.path.lexists(log_file) else None
    args = (["digest", str(inputs), "--out", str(tmp_path / "out"), "--state", str(tmp_path / "s.sqlite3")]
            if command == "digest" else ["batch", str(inputs), "-o", str(tmp_path / "out")])
    with guard:
        result = invoke(*args, "--source", "en", "--summarizer", "extractive", "--log-file", log_file)
    assert_one_error(result.exit_code, result.stderr, log_file, words)
    assert not (tmp_path / "out").exists()  # refused before any work
    if before is not None:
        after = os.lstat(log_file)
        assert (after.st_mode, after.st_ino, after.st_size) == (before.st_mode, before.st_ino, before.st_size)


BAD_MAX_MB = ["nan", "NaN", "inf", "-inf", "1e400", "-5", "0", "lots", "12 MB"]


@pytest.mark.parametrize("command", ["translate", "cache-stats"])
@pytest.mark.parametrize("value", BAD_MAX_MB)
def test_a_bad_cache_bound_is_a_config_error(tiny_models: Path, seeds: dict, tmp_path: Path,
                                             value: str, command: str) -> None:
    args = (["translate", str(seeds["de"]), "--models", str(tiny_models)] if command == "translate"
            else ["cache", "stats"])
    result = invoke(*args, env={"MTSUM_CACHE_MAX_MB": value})
    assert_one_error(result.exit_code, result.stderr, "MTSUM_CACHE_MAX_MB", value)


@pytest.mark.parametrize("argv", [
    ["detect", "-"],
    ["clean", "-"],
    ["translate", "-", "--source", "en"],
    ["summarize", "-", "--source", "en", "--summarizer", "extractive"],
], ids=lambda a: a[0])
def test_a_closed_stdin_is_an_input_error(argv: list[str]) -> None:
    # `<&-`: the process starts with file descriptor 0 closed (subprocess's DEVNULL is open).
    proc = subprocess.run(["bash", "-c", 'exec "$@" <&-', "mtsum", sys.executable, "-m", "mtsum", *argv],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert_one_error(proc.returncode, proc.stderr, "standard input is closed")


@pytest.mark.parametrize("case", ["read-only-folder", "folder-is-a-file"])
def test_models_convert_into_an_unwritable_cache_folder(tiny_models: Path, tmp_path: Path, case: str) -> None:
    pytest.importorskip("ctranslate2")
    if case == "read-only-folder":
        folder = tmp_path / "cache"
        folder.mkdir()
        guard: contextlib.AbstractContextManager[None] = read_only(folder)
    else:
        folder = tmp_path / "file"
        folder.write_text("mine")
        guard = contextlib.nullcontext()
    with guard:
        result = invoke("models", "convert", "de", "--models", str(tiny_models),
                        env={"MTSUM_CACHE_DIR": str(folder)})
    assert_one_error(result.exit_code, result.stderr, str(folder), "MTSUM_CACHE_DIR")
    assert folder.is_file() or list(folder.iterdir()) == []
