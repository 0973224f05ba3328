"""Running mtsum over many inputs: the per-input loop, atomic output sinks, signals.

The CLI's ``translate``, ``summarize`` and ``detect`` (and later ``digest``/``batch``)
all go through :func:`run_inputs`; see ``runner.py`` for the contract of ``process``.
"""

from mtsum.runs.runner import OnError, Outcome, Process, Render, RunReport, per_document, run_inputs
from mtsum.runs.sinks import DirSink, FileSink, Sink, StdoutSink, open_sink, output_names

__all__ = [
    "DirSink", "FileSink", "OnError", "Outcome", "Process", "Render", "RunReport", "Sink", "StdoutSink",
    "open_sink", "output_names", "per_document", "run_inputs",
]
