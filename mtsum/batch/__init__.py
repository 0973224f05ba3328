"""``mtsum batch``: a corpus translated and summarized in one resumable run, on one
machine (``engine="local"``) or a Ray cluster (``engine="ray"``), same records either way.

Modules: ``run`` (:func:`run_batch`: the order of work), ``records`` (inputs and the
record shape), ``stages`` (the CPU and model stages both engines run), ``local`` and
``ray_engine`` (the engines; Ray is imported only by the latter), ``output`` (OUT
checked first, each record committed as it finishes, all merged into OUT at the end),
``resume`` and ``progress`` (the bar and the log lines). This package only exports.
"""

from mtsum.batch.records import TASKS
from mtsum.batch.run import DEFAULT_CHUNK, ENGINES, BatchReport, conversion_tip, describe, run_batch

__all__ = ["DEFAULT_CHUNK", "ENGINES", "TASKS", "BatchReport", "conversion_tip", "describe", "run_batch"]
