"""Measuring: wall-clock timing with others' CPU use, counting what ``generate`` produced,
and inputs of a fixed length in tokens."""

from __future__ import annotations

import contextlib
import logging
import os
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

log = logging.getLogger("bench")
T = TypeVar("T")


# --- Timing -------------------------------------------------------------------------

def sync(device: str) -> None:
    """Wait for queued GPU work, so wall-clock times cover it."""
    if device.startswith("cuda"):
        import torch

        torch.cuda.synchronize()


def _busy_seconds() -> float | None:
    """CPU seconds the whole machine has been busy (all processes, all cores), or None
    where /proc/stat is missing or counts more cores than this process may use (a
    container shown its host's figures would blame us for the host's load)."""
    try:
        lines = Path("/proc/stat").read_text().splitlines()
    except OSError:
        return None
    cores = sum(1 for line in lines if line.startswith("cpu") and line[3:4].isdigit())
    if cores != len(os.sched_getaffinity(0)):
        return None
    fields = lines[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


@dataclass
class Timing:
    """Wall-clock times of the timed calls, and who else used the CPU meanwhile.

    Other engineers' jobs share these machines; ``other_cores`` (CPU used by every
    other process, or stolen by the hypervisor, averaged over the timed window) says
    how far a figure was slowed by them.
    """

    times: list[float]
    own_cpu_s: float
    others_cpu_s: float | None

    def to_dict(self) -> dict[str, Any]:
        wall = sum(self.times)
        return {
            "median_s": statistics.median(self.times), "min_s": min(self.times), "max_s": max(self.times),
            "times_s": self.times, "own_cores": self.own_cpu_s / wall,
            "other_cores": None if self.others_cpu_s is None else max(0.0, self.others_cpu_s) / wall,
        }


def timed(fn: Callable[[], T], device: str, repeats: int, warmup: int = 1) -> tuple[Timing, T]:
    """Time ``repeats`` calls after ``warmup`` untimed ones; return the timing and the last result."""
    result = None
    for _ in range(warmup):
        result = fn()
    times = []
    own = 0.0
    busy_start = _busy_seconds()
    for _ in range(repeats):
        sync(device)
        cpu, start = time.process_time(), time.perf_counter()
        result = fn()
        sync(device)
        times.append(time.perf_counter() - start)
        own += time.process_time() - cpu
    busy_end = _busy_seconds()
    others = None if busy_start is None or busy_end is None else busy_end - busy_start - own
    return Timing(times, own, others), result  # type: ignore[return-value]


# --- What generate produced ---------------------------------------------------------

@dataclass
class GenerateLog:
    """What ``model.generate`` really produced: rows and new tokens per call."""

    calls: list[tuple[int, int]] = field(default_factory=list)  # (rows, new tokens)
    input_lengths: list[int] = field(default_factory=list)  # padded input tokens per call

    @property
    def new_tokens(self) -> set[int]:
        return {n for _, n in self.calls}

    @property
    def tokens(self) -> int:
        return sum(rows * n for rows, n in self.calls)


@contextlib.contextmanager
def counting_generate(model: Any) -> Iterator[GenerateLog]:
    """Record every ``generate`` on ``model`` (the instance only; the product is untouched)."""
    record = GenerateLog()
    original = model.generate

    def generate(*args: Any, **kwargs: Any) -> Any:
        out = original(*args, **kwargs)
        seqs = out if hasattr(out, "shape") else out.sequences
        # Encoder-decoder output starts with the decoder start token.
        record.calls.append((int(seqs.shape[0]), int(seqs.shape[1]) - 1))
        if "input_ids" in kwargs:
            record.input_lengths.append(int(kwargs["input_ids"].shape[1]))
        return out

    model.generate = generate
    try:
        yield record
    finally:
        del model.generate


def check_length(record: GenerateLog, expected: int, what: str) -> bool:
    ok = record.new_tokens == {expected}
    if not ok:
        log.warning("%s: generated %s new tokens, expected exactly %d; figures are not comparable",
                    what, sorted(record.new_tokens), expected)
    return ok


# --- Inputs -------------------------------------------------------------------------

def fixed_length_segments(count_tokens: Callable[[str], int], words: list[str], target: int,
                          n: int) -> list[str]:
    """``n`` distinct segments of exactly ``target`` tokens, cut from ``words``."""
    out: list[str] = []
    start = 0
    while len(out) < n:
        picked: list[str] = []
        i = start
        for _ in range(200):
            word = words[i % len(words)]
            i += 1
            if count_tokens(" ".join([*picked, word])) <= target:
                picked.append(word)
            if count_tokens(" ".join(picked)) == target:
                break
        text = " ".join(picked)
        if count_tokens(text) != target:
            raise RuntimeError(f"could not build a {target}-token segment")
        out.append(text)
        start += 7  # a different window each time, so no two segments are alike
    return out


# English news prose for the summarizer's inputs. Only its token count matters to
# the timings (inputs are sized in tokens), but paragraphs of news-like length make
# the chunking behave as it would on a real article.
ENGLISH = """Russia is buying rockets and artillery shells from North Korea, US intelligence officials said on Tuesday.
The Kremlin turned to the isolated government because sanctions and export controls have cut its supply lines.
North Korea denied the reports and called them slander spread by its enemies.
The White House said drones bought from Iran earlier in the year had suffered technical problems.
Ukrainian forces say they have retaken several villages in the south of the country after weeks of fighting.
A spokesman for the regional government said the planned referendum had been paused for now.
Officials said the fire destroyed three warehouses in the harbour and that nobody was hurt.
The report was published in September and has since been discussed by parliament."""


def english_paragraphs(words_target: int) -> list[str]:
    """Paragraphs of about 60 words, ``words_target`` words in all, cycling through ENGLISH."""
    sentences = ENGLISH.splitlines()
    paras: list[str] = []
    words = 0
    i = 0
    while words < words_target:
        para = " ".join(sentences[(i + k) % len(sentences)] for k in range(4))
        i += 3  # shift, so consecutive paragraphs differ
        paras.append(para)
        words += len(para.split())
    return paras


def take_tokens(paras: list[str], count_tokens: Callable[[str], int], target: int) -> list[str]:
    """Paragraphs (the last one cut at a word) holding about ``target`` tokens in all."""
    out: list[str] = []
    total = 0
    for para in paras:
        n = count_tokens(para)
        if total + n <= target:
            out.append(para)
            total += n
            continue
        words = para.split()
        while words and count_tokens(" ".join(words)) > target - total:
            words.pop()
        if words:
            out.append(" ".join(words))
        break
    return out


def fill_to(text: str, count_tokens: Callable[[str], int], target: int) -> str:
    """``text`` topped up with one-token pieces to exactly ``target`` tokens, where it can be."""
    while count_tokens(text) < target:
        for piece in (",", " a", "."):
            if count_tokens(text + piece) <= target:
                text += piece
                break
        else:
            break
    return text
