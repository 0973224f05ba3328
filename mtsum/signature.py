"""What produced an output, as one value: the translation cache, the digest's state and
batch records key their work by a :class:`Signature` of the settings that decide it.

As in sacrebleu, a signature is readable (``str()`` gives ``model:…|revision:…``) and
hashable to a short stable key. Content hashes and local-folder fingerprints are here too,
so every key in mtsum is made one way.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Signature:
    """The settings that decide an output. ``key()`` hashes them; two signatures with the
    same parts give the same key in every process and on every machine."""

    parts: Mapping[str, Any] = field(default_factory=dict)

    def key(self, length: int = 32) -> str:
        return json_key(dict(self.parts), length)

    def __str__(self) -> str:
        return "|".join(f"{k}:{_short(v)}" for k, v in sorted(self.parts.items()))


def json_key(value: Any, length: int = 32) -> str:
    """sha256 of *value* as canonical JSON (sorted keys), hex, cut to *length*.

    Non-JSON values (paths, enums) are written with ``str``.
    """
    blob = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8", "surrogateescape")).hexdigest()[:length]


def content_hash(data: bytes, length: int | None = None) -> str:
    """``sha256:<hex>`` of *data* (the whole digest unless *length* cuts it)."""
    return "sha256:" + hashlib.sha256(data).hexdigest()[:length]


def file_hash(path: str | Path, length: int | None = None) -> str:
    """:func:`content_hash` of a file's bytes. Raises OSError."""
    with open(path, "rb") as f:
        return content_hash(f.read(), length)


def folder_fingerprint(path: Path, files: Iterable[Path] | None = None) -> str:
    """A folder's files' relative names, sizes and modification times, hashed: what stands
    in for a revision where a model has none, so weights replaced in place are noticed."""
    h = hashlib.sha256()
    for f in sorted(files if files is not None else (p for p in path.rglob("*") if p.is_file())):
        st = f.stat()
        h.update(f"{f.relative_to(path)}:{st.st_size}:{st.st_mtime_ns};".encode())
    return h.hexdigest()


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= 40 else text[:37] + "…"
