"""Batch inputs and the output record: one engine-independent shape for both engines.

An input is a folder (every ``.txt``/``.html``/``.htm`` file below it, hidden names
skipped; the id is the path relative to the folder) or a JSON Lines file with one
object per line (``{"id": ..., "text": ...}``; both field names configurable).
Listing is cheap and happens in the driver; reading a file (decoding, HTML
extraction) is :func:`load`, which the engines run where they prepare documents.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mtsum.errors import InputError, MtsumError
from mtsum.io.discover import walk_folder
from mtsum.io.inputs import Document, read_input
from mtsum.io.names import SURROGATE, shown
from mtsum.signature import content_hash

JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")
TASKS = ("translate", "summarize", "both")
# Record fields, in output order (the README documents each).
FIELDS = ("id", "source_language", "language_confidence", "title", "translation", "summary", "stats",
          "models", "settings", "error", "content_hash", "run_key")


@dataclass(frozen=True)
class Item:
    """One input of a batch: a file to read, or text given inline (JSON Lines)."""

    id: str
    path: str | None = None
    text: str | None = None
    problem: str | None = None  # a JSON line that cannot be used: written as this record's error


def list_items(source: str | Path, text_field: str = "text", id_field: str = "id") -> list[Item]:
    """The items of a folder or a JSON Lines file, in a stable order.

    Raises:
        InputError: the input does not exist, is neither a folder nor a JSON Lines
            file, cannot be read, or repeats an id.
    """
    path = Path(source)
    if path.is_dir():
        return _folder_items(path)
    if not path.exists():
        raise InputError(f"{shown(source)}: no such file or folder")
    if path.suffix.lower() not in JSONL_SUFFIXES:
        raise InputError(f"{shown(source)}: give a folder of .txt/.html files or a JSON Lines file (.jsonl)")
    return _jsonl_items(path, text_field, id_field)


def _folder_items(path: Path) -> list[Item]:
    """Any file name works: ``path`` keeps the name as the OS gave it (``os.fsdecode``),
    the id shows it as valid text (:func:`shown`), so records can always be written."""
    files = walk_folder(path)
    items: list[Item] = []
    seen: dict[str, str] = {}
    for p in files:
        rel = p.relative_to(path).as_posix()
        item_id = shown(rel)
        if item_id in seen:  # only a name with "\\xff" written out beside one with that byte
            raise InputError(f"{shown(path)}: {shown(seen[item_id])!r} and {shown(rel)!r} have the same id "
                             f"'{item_id}'; rename one of them")
        seen[item_id] = rel
        items.append(Item(id=item_id, path=str(p)))
    return items


def _jsonl_items(path: Path, text_field: str, id_field: str) -> list[Item]:
    items: list[Item] = []
    first_line: dict[str, int] = {}
    try:
        fh = path.open(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"{shown(path)}: cannot read: {exc.strerror or exc}") from None
    with fh:
        try:
            lines = list(fh)
        except UnicodeDecodeError:
            raise InputError(f"{shown(path)}: not UTF-8; JSON Lines must be UTF-8") from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        item = _jsonl_item(line, number, text_field, id_field)
        if item.id in first_line:
            raise InputError(f"{shown(path)}: id '{item.id}' on lines {first_line[item.id]} and {number}; "
                             "ids must be unique (choose another field with --id-field)")
        first_line[item.id] = number
        items.append(item)
    return items


def _jsonl_item(line: str, number: int, text_field: str, id_field: str) -> Item:
    fallback = f"line-{number}"
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return Item(id=fallback, problem=f"line {number}: not JSON ({exc.msg})")
    if not isinstance(obj, dict):
        return Item(id=fallback, problem=f"line {number}: not a JSON object")
    raw_id = obj.get(id_field)
    item_id = fallback if raw_id is None or isinstance(raw_id, (dict, list)) else shown(raw_id, names=False)
    text = obj.get(text_field)
    if text is None:
        return Item(id=item_id, problem=f"line {number}: no '{text_field}' field (choose it with --text-field)")
    if not isinstance(text, str):
        return Item(id=item_id, problem=f"line {number}: '{text_field}' is not a string")
    bad = SURROGATE.search(text)
    if bad is not None:  # JSON allows "\\ud800"; no model, hash or output file can take it
        return Item(id=item_id, problem=f"line {number}: '{text_field}' holds a lone surrogate "
                                        f"(\\u{ord(bad[0]):04x} at character {bad.start() + 1}), which is not "
                                        "Unicode text; fix the producer of this file")
    return Item(id=item_id, text=text)


def load(item: Item) -> tuple[Document, str]:
    """Read one item; returns the document and the hash of its content (raw bytes for files).

    Raises:
        InputError: unreadable, empty, binary, undecodable or unusable input.
    """
    if item.problem is not None:
        raise InputError(item.problem)
    if item.path is not None:
        try:
            data = Path(item.path).read_bytes()
        except OSError:
            data = b""  # read_input below says precisely what is wrong
        doc = read_input(item.path)
        return dataclasses.replace(doc, name=item.id), content_hash(data)
    text = item.text or ""
    if not text.strip():
        raise InputError(f"{item.id}: empty input (nothing to translate)")
    return Document(name=item.id, text=text, format="text"), content_hash(text.encode("utf-8"))


def error_dict(exc: BaseException) -> dict[str, Any]:
    """How a failed record says why; an unexpected exception is a bug, named as such."""
    if isinstance(exc, MtsumError):
        return {"type": type(exc).__name__, "message": shown(exc), "exit_code": exc.exit_code}
    return {"type": type(exc).__name__, "message": shown(f"unexpected {type(exc).__name__}: {exc}"), "exit_code": 1}


def record(item_id: str, content: str | None, run_key: str, settings: dict[str, Any], *,
           translated: Any = None, summary: Any = None, error: dict[str, Any] | None = None) -> dict[str, Any]:
    """The output record of one input (see the README's "Batch runs" section)."""
    base = summary if summary is not None else translated
    stats: dict[str, Any] | None = None
    translation = translated.text if translated is not None else None
    if base is not None:
        stats = dict(base.to_dict()["stats"])
        words = len(translation.split()) if translation else 0
        words += len(summary.summary.split()) if summary is not None else 0
        stats["target_words"] = words  # English words produced: the throughput's "target tokens"
    return {
        "id": item_id,
        "source_language": base.source_language if base is not None else None,
        "language_confidence": (None if base is None or base.language_confidence is None
                                else round(base.language_confidence, 4)),
        "title": base.title if base is not None else None,
        "translation": translation,
        "summary": summary.summary if summary is not None else None,
        "stats": stats,
        "models": base.models if base is not None else {},
        "settings": {**(base.settings if base is not None else {}), **settings},
        "error": error,
        "content_hash": content,
        "run_key": run_key,
    }
