"""`make reliability`: the fuzzers with a large budget, a 100 MB input, signals and file safety,
and digest and batch under kills, signals and hostile paths (scripts/reliability_runs.py).

Prints how many inputs the fuzzers tried, the 100 MB run's time and peak memory, the
time to cut a 1 MB line without spaces, and whether anything was lost. Exit 1 if any
part fails.

    python scripts/reliability.py [--size-mb 100] [--profile large]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PARAGRAPHS = [p for f in sorted((ROOT / "tests" / "data").glob("en_*.txt"))
              for p in f.read_text(encoding="utf-8").split("\n\n") if p.strip()]


def _pytest(args: list[str], env: dict[str, str]) -> bool:
    print(f"$ pytest {' '.join(args)}", flush=True)
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
                          cwd=ROOT, env=env).returncode == 0


def fuzz(profile: str) -> tuple[bool, Counter[str]]:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "tried.jsonl"
        env = {**os.environ, "MTSUM_FUZZ_PROFILE": profile, "MTSUM_FUZZ_REPORT": str(report)}
        ok = _pytest(["tests/test_fuzz.py"], env)
        tried: Counter[str] = Counter()
        for line in report.read_text().splitlines() if report.exists() else []:
            tried.update(json.loads(line))
    return ok, tried


def _visible_digest(path: Path) -> str:
    """sha256 of the non-whitespace characters, read in blocks (the files are large)."""
    digest = hashlib.sha256()
    with path.open(encoding="utf-8") as fh:
        while block := fh.read(1 << 22):
            digest.update("".join(block.split()).encode())
    return digest.hexdigest()


def big_input(size_mb: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "big.txt", Path(tmp) / "big.en.txt"
        with src.open("w", encoding="utf-8") as fh:
            written, i = 0, 0
            while written < size_mb * 1_000_000:
                para = f"{PARAGRAPHS[i % len(PARAGRAPHS)]} ({i})\n\n"
                fh.write(para)
                written, i = written + len(para.encode()), i + 1
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "mtsum", "-q", "translate", str(src), "--source", "en",
                               "-o", str(out)], cwd=ROOT, capture_output=True, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
        seconds = time.perf_counter() - start
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # Linux: KiB
        lost = proc.returncode != 0 or _visible_digest(src) != _visible_digest(out)
        leftovers = [p.name for p in Path(tmp).iterdir() if "mtsum-part" in p.name]
        return {"mb": written / 1e6, "paragraphs": i, "exit": proc.returncode, "seconds": seconds,
                "peak_rss_mb": peak_mb, "lost": lost, "leftovers": leftovers, "stderr": proc.stderr[-500:]}


def long_line() -> dict[str, object]:
    """Cut a 1 MB line without spaces with a real (tiny) Marian tokenizer, limit 512."""
    import base64

    sys.path.insert(0, str(ROOT / "tests" / "fixtures"))
    sys.path.insert(0, str(ROOT))
    from make_tiny_models import build_tiny_models
    from transformers import MarianTokenizer

    from mtsum.text.segment import split_long

    with tempfile.TemporaryDirectory() as tmp:
        build_tiny_models(Path(tmp))
        tok = MarianTokenizer.from_pretrained(str(Path(tmp) / "tiny-opus-mt-de-en"))
    blob = base64.b64encode(os.urandom(750_000)).decode()[:1_000_000]
    start = time.perf_counter()
    pieces = split_long(blob, lambda t: len(tok(t, add_special_tokens=True, verbose=False)["input_ids"]), 512)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "pieces": len(pieces), "lost": "".join(pieces) != blob}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=100)
    parser.add_argument("--profile", default="large")
    parser.add_argument("--kills", type=int, default=3, help="SIGKILLs per digest and batch run")
    parser.add_argument("--only-runs", action="store_true", help="only the digest and batch section")
    args = parser.parse_args()
    import reliability_runs

    if args.only_runs:
        return reliability_runs.main(["--kills", str(args.kills)])

    # the big run first: peak RSS is read from RUSAGE_CHILDREN, the maximum over all
    # children so far, and the pytest runs load lingua's models
    big = big_input(args.size_mb)
    line = long_line()
    ok_fuzz, tried = fuzz(args.profile)
    ok_safety = _pytest(["tests/test_signals.py", "tests/test_file_safety.py", "tests/test_runs.py",
                           "tests/test_batch_safety.py"], dict(os.environ))

    print("\n== reliability ==")
    for name, n in sorted(tried.items()):
        print(f"fuzz {name:<18} {n:>7} inputs")
    print(f"fuzz total               {sum(tried.values()):>7} inputs, "
          f"{'all invariants held' if ok_fuzz else 'FAILURES (see above)'}")
    print(f"signals and file safety: {'passed' if ok_safety else 'FAILED'}")
    print(f"{big['mb']:.0f} MB input ({big['paragraphs']} paragraphs, translate --source en -o): exit {big['exit']}, "
          f"{big['seconds']:.1f} s, peak RSS {big['peak_rss_mb']:.0f} MB, "
          f"{'nothing lost' if not big['lost'] else 'TEXT LOST'}, "
          f"{'no temp files left' if not big['leftovers'] else big['leftovers']}")
    print(f"1 MB line without spaces cut into {line['pieces']} pieces of <= 512 tokens in {line['seconds']:.1f} s, "
          f"{'nothing lost' if not line['lost'] else 'TEXT LOST'}")
    good = ok_fuzz and ok_safety and big["exit"] == 0 and not big["lost"] and not big["leftovers"] and not line["lost"]
    if big["exit"]:
        print(big["stderr"])
    good = reliability_runs.main(["--kills", str(args.kills)]) == 0 and good
    print("reliability: " + ("OK" if good else "FAILED"))
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
