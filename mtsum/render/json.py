"""JSON output: one object per line (``--format json`` of the per-document commands, batch
records) or one indented document (reports, digest.json). Keys keep the order ``to_dict``
gives them; non-ASCII text is written as is."""

from __future__ import annotations

import json
from typing import Any


def json_line(data: Any) -> str:
    """One JSON object on one line, also for readers that split lines like ``str.splitlines``:
    json.dumps leaves U+2028, U+2029 and NEL raw when ensure_ascii is off."""
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace("\x85", "\\u0085")


def json_document(data: Any) -> str:
    """``data`` indented by two spaces, without a final newline."""
    return json.dumps(data, indent=2, ensure_ascii=False)
