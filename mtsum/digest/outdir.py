"""The digest's output folder: checked before anything is read, locked, and never harmed.

- **Checked first.** The folder is created if needed and a small file is written and
  fsynced in it and in ``translations/``: a file where the folder should be, a folder
  that cannot be created or written, a full disk are one ``OutputError`` (exit 2) naming
  the path before any input is read.
- **Only mtsum's.** A folder holding something a digest did not write (no marker file
  ``.mtsum-digest.json``, and names other than a digest's own) is refused unless
  ``force``; a file is only ever replaced if it is a regular file (``check_replaceable``).
- **One digest at a time.** ``.mtsum-digest.lock`` (an OS lock, dropped when the process
  dies) keeps a second digest, whatever its state, from writing into the same folder:
  ``StateLockedError`` (exit 75), or it waits with ``wait``.
- **No dead links.** The marker records the translation files a digest wrote and which
  of them each page links to. A file is deleted only when it is one a digest wrote and
  no page left in the folder links to it (a ``--format md`` run keeps the ``.en.html``
  files that the previous ``digest.html`` still links to), and only after the new pages
  are in place.
- **Readable.** New files get the usual 0666 minus the umask (0644 under umask 022),
  as a web server publishing the folder needs; an existing file keeps its mode.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import json
import logging
import os
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from mtsum.digest.names import one_line
from mtsum.errors import OutputError
from mtsum.io.atomic import check_replaceable, file_mode, is_temporary, probe, write_atomic
from mtsum.io.lock import RunLock

log = logging.getLogger("mtsum.digest")

MARKER = ".mtsum-digest.json"
LOCK = ".mtsum-digest.lock"
TRANSLATIONS_DIR = "translations"
PAGES = {"md": "digest.md", "html": "digest.html", "json": "digest.json", "atom": "digest.xml"}
TRANSLATION_SUFFIXES = (".en.txt", ".en.html")
_OWN_NAMES = frozenset({*PAGES.values(), TRANSLATIONS_DIR, MARKER, LOCK})


class OutputFolder:
    """``--out``: use as a context manager around the whole run (it holds the lock)."""

    def __init__(self, path: str | os.PathLike[str], *, force: bool = False, wait: float = 0.0,
                 companions: Iterable[str | os.PathLike[str]] = ()) -> None:
        self.path = Path(path)
        self.translations = self.path / TRANSLATIONS_DIR
        self.force = force
        self.wait = wait
        # This run's other files (its state and that file's companions, its log), which
        # may lie in the folder without making it someone else's.
        self.companions = {os.path.realpath(p) for p in companions}
        self._lock: RunLock | None = None
        self._record: dict[str, Any] = {}
        self.written: set[str] = set()  # translation files written by this run, relative to the folder

    def __enter__(self) -> OutputFolder:
        self.check()
        self._acquire()
        try:
            self._claim()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    # --- before anything is read ------------------------------------------------------

    def check(self) -> None:
        """Raise OutputError unless the folder can be made, is mtsum's (or ``force``) and takes files."""
        out = self.path
        if out.exists() and not out.is_dir():
            raise OutputError(f"{_shown(out)}: is a file, not a folder (--out names the digest's folder)")
        _guard(out, "cannot create the output folder", lambda: out.mkdir(parents=True, exist_ok=True))
        if not os.access(out, os.W_OK | os.X_OK):
            raise OutputError(f"{_shown(out)}: the output folder is not writable")
        if not self.force:
            foreign = _foreign(out, self.companions)
            if foreign is not None:
                raise OutputError(
                    f"{_shown(out)}: the output folder holds files mtsum did not write ({one_line(foreign)}); "
                    "choose an empty or new folder, or pass --force to write the digest there anyway")
        if self.translations.exists() and not self.translations.is_dir():
            raise OutputError(f"{_shown(self.translations)}: is a file, not a folder (the digest needs it "
                              "for the translations)")
        _guard(self.translations, "cannot create folder", lambda: self.translations.mkdir(exist_ok=True))
        for name in (*PAGES.values(), MARKER):
            check_replaceable(out / name, "the digest")
        for name in sorted(os.listdir(self.translations)):
            if name.endswith(TRANSLATION_SUFFIXES):
                check_replaceable(self.translations / name, "a translation")
        for folder in (out, self.translations):
            _guard(folder, "cannot write in the output folder", functools.partial(probe, folder))

    def _acquire(self) -> None:
        out, lock_file = _shown(self.path), _shown(self.path / LOCK)
        lock = RunLock(self.path / LOCK, wait=self.wait, waiting=f"another digest is writing to {out}",
                       held=f"another mtsum digest is writing to {out} (lock {lock_file}); wait for it to "
                            "finish, pass --wait SECONDS to queue behind it, or use another --out")
        self._lock = _guard(self.path / LOCK, "cannot create the lock file", lock.acquire)

    def _claim(self) -> None:
        """Read the marker, or write one now: a first run killed midway leaves a folder known as mtsum's."""
        marker = self.path / MARKER
        try:
            self._record = json.loads(marker.read_text(encoding="utf-8"))
            if not isinstance(self._record, dict):
                self._record = {}
        except FileNotFoundError:
            # A folder from before the marker: its translations are a digest's (_foreign said so).
            self._record = {"files": sorted(self._existing_translations())}
            self._save()
        except (OSError, ValueError):
            self._record = {}

    def _existing_translations(self) -> set[str]:
        if not self.translations.is_dir() or self.force:
            return set()
        return {f"{TRANSLATIONS_DIR}/{p.name}" for p in self.translations.iterdir()
                if p.name.endswith(TRANSLATION_SUFFIXES) and _is_regular(p)}

    # --- during and after the run -----------------------------------------------------

    def write(self, relative: str, text: str, *, if_changed: bool = False) -> Path:
        """Write ``relative`` (a page or a translation) atomically, keeping an existing file's mode."""
        target = self.path / relative
        if if_changed and _same_text(target, text):
            return target
        mode = file_mode(target)
        _guard(target, "cannot write", lambda: write_atomic(target, text))
        with contextlib.suppress(OSError):  # not our file to chmod: it keeps what it has
            if stat.S_IMODE(target.stat().st_mode) != mode:
                os.chmod(target, mode)
        if relative.startswith(f"{TRANSLATIONS_DIR}/"):
            self.written.add(relative)
        return target

    def finish(self, pages: dict[str, set[str]]) -> list[str]:
        """After the pages are written: delete the translations no page links to; save the marker.

        ``pages``: each page written by this run and the translation files it links to.
        Returns the files deleted.
        """
        previous: dict[str, list[str]] = self._record.get("pages") or {}
        kept_pages: dict[str, list[str]] = {}
        unknown_links = False
        for name in PAGES.values():
            if name in pages or not (self.path / name).exists():
                continue
            if name in previous:
                kept_pages[name] = previous[name]
            else:
                unknown_links = True  # a page from before the marker: its links are not known
        linked = set().union(*pages.values(), *map(set, kept_pages.values()))
        ours = set(self._record.get("files") or []) | self.written
        deleted = []
        if not unknown_links:
            for relative in sorted(ours - linked):
                path = self.path / relative
                if not _is_regular(path):
                    ours.discard(relative)
                    continue
                try:
                    path.unlink()
                except OSError as exc:
                    log.warning("could not delete %s: %s", one_line(path), exc.strerror or exc)
                    continue
                ours.discard(relative)
                deleted.append(relative)
        self._record = {"written_by": "mtsum digest", "files": sorted(ours),
                        "pages": {**kept_pages, **{k: sorted(v) for k, v in pages.items()}}}
        self._save()
        return deleted

    def _save(self) -> None:
        record = {"written_by": "mtsum digest", **self._record}
        self.write(MARKER, json.dumps(record, indent=1, sort_keys=True) + "\n")


def _foreign(out: Path, companions: set[str]) -> str | None:
    """The first name in ``out`` that a digest does not write, or None if it is all mtsum's."""
    if (out / MARKER).is_file():
        return None
    for entry in sorted(os.listdir(out)):
        if not _own_name(entry) and os.path.realpath(out / entry) not in companions:
            return entry
        if entry == TRANSLATIONS_DIR and (out / entry).is_dir():
            for inner in sorted(os.listdir(out / entry)):
                if not (inner.endswith(TRANSLATION_SUFFIXES) or is_temporary(inner)):
                    return f"{TRANSLATIONS_DIR}/{inner}"
    return None


def _own_name(name: str) -> bool:
    return name in _OWN_NAMES or is_temporary(name)  # left by a process killed mid-write


def _guard(path: Path, what: str, action: Any) -> Any:
    try:
        return action()
    except OSError as exc:
        raise OutputError(_describe(path, exc, what)) from None


def _describe(path: Path, exc: OSError, what: str) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"{_shown(path)}: {what}: disk full (free some space or choose another --out)"
    if exc.errno == errno.ENOTDIR:
        return f"{_shown(path)}: {what}: a part of the path is a file, not a folder"
    return f"{_shown(path)}: {what}: {exc.strerror or exc}"


def _shown(path: Path) -> str:
    return one_line(str(path))


def _is_regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _same_text(path: Path, text: str) -> bool:
    # The nightly run re-renders every translation; rewriting identical files would only
    # churn the disk and any sync tool watching the folder. Only a regular file is read:
    # opening a FIFO would wait for ever.
    if not _is_regular(path):
        return False
    try:
        return path.read_bytes() == text.encode("utf-8")
    except (OSError, UnicodeEncodeError):
        return False
