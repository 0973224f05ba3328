"""``--engine ray``: the batch stages as a Ray Data pipeline.

    items ──from_items──▶ load + prepare (CPU tasks) ──▶ translate + summarize
    (an actor pool: ``concurrency`` workers, each with ``num_gpus`` and its models
    loaded once) ──▶ records streamed back to the driver, which writes the chunks.

Reading, detection, cleaning and segmentation run on CPU tasks, apart from the model
workers, so a GPU is never waiting on them. Ray assigns each model worker its GPU(s)
through ``CUDA_VISIBLE_DEVICES``; the worker then uses ``cuda`` (its first visible
device), so ``--device cuda:N`` is meaningless here and is taken as ``cuda``. Entries
travel between the stages pickled (a prepared document is a tree of dataclasses); a
record travels as JSON text. Ray is imported only when this engine runs.
"""

from __future__ import annotations

import json
import logging
import math
import pickle
import signal
import threading
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from mtsum import settings
from mtsum.batch.records import Item
from mtsum.batch.stages import Plan, prepare_entry, process
from mtsum.errors import ConfigError, Interrupted, MissingDependencyError, MtsumError

if TYPE_CHECKING:
    import numpy as np

    from mtsum.io.signals import StopWatch
    from mtsum.pipeline.core import Pipeline

log = logging.getLogger(__name__)

PREPARE_BATCH = 8  # items per CPU task: small, so model workers get their first batch early
MODEL_BATCH = 32  # documents per model call: they share token-budgeted translation batches
# A worker that dies (out of memory, a crashed node) is restarted and its batch retried,
# a few times only: a batch that kills every worker must end the run, not loop forever.
MAX_RESTARTS = 3
MAX_TASK_RETRIES = 3

_PIPELINES: dict[bytes, Pipeline] = {}  # per worker process: the CPU stage's pipelines (tokenizers)


def import_ray() -> Any:
    """Ray with Ray Data, or the error that says how to install it."""
    try:
        import ray
        import ray.data
    except ImportError:
        raise MissingDependencyError(
            "--engine ray needs Ray Data: pip install 'mtsum[ray]' (or use --engine local)") from None
    return ray


def worker_device(device: str | None, num_gpus: float) -> str:
    """The device inside a model worker, which sees only the GPUs Ray gave it.

    Raises:
        ConfigError: a GPU device without GPUs per worker.
    """
    device = (device or "auto").lower()
    if device == "cpu":
        return "cpu"
    if num_gpus > 0:
        return "cuda"
    if device == "auto":
        return "cpu"  # a worker must not take a GPU Ray did not assign to it
    raise ConfigError(f"--device {device} with --engine ray needs --num-gpus-per-worker above 0")


def gpus_per_worker(device: str | None, requested: float | None) -> float:
    """``--num-gpus-per-worker``, defaulting to one GPU each when a GPU device is asked for."""
    if requested is not None:
        if requested < 0:
            raise ConfigError(f"--num-gpus-per-worker must be 0 or more, got {requested}")
        return requested
    return 1.0 if (device or "").lower().startswith("cuda") else 0.0


def _prepare_batch(batch: dict[str, np.ndarray], plan: Plan) -> dict[str, np.ndarray]:
    """CPU stage: read, detect, clean and segment; the pipeline (tokenizers for cutting
    long sentences) is built once per worker process, on the CPU. Each row carries the
    content hash its id was finished with (if any), not the whole resume table."""
    import numpy as np

    key = pickle.dumps(plan)
    pipeline = _PIPELINES.get(key)
    if pipeline is None:
        pipeline = _PIPELINES[key] = plan.pipeline(device="cpu")
    entries = []
    for raw, finished in zip(batch["item"], batch["done"]):
        item = pickle.loads(raw)
        entries.append(prepare_entry(pipeline, plan, item, {item.id: finished} if finished else {}))
    return {"entry": np.array([pickle.dumps(e) for e in entries], dtype=object)}


class ModelWorker:
    """Model stage: one pipeline per actor (models loaded once), a batch of entries per call."""

    def __init__(self, plan: Plan, num_gpus: float) -> None:
        self.plan = plan
        self.pipeline = plan.pipeline(device=worker_device(plan.settings.device, num_gpus))

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        import numpy as np

        entries = [pickle.loads(raw) for raw in batch["entry"]]
        done = list(process(self.pipeline, self.plan, entries))
        return {"status": np.array([status for status, _ in done], dtype=object),
                "record": np.array(["" if rec is None else json.dumps(rec, ensure_ascii=False)
                                    for _, rec in done], dtype=object)}


def run_ray(items: Sequence[Item], plan: Plan, done: Mapping[str, str], *, address: str | None = None,
            workers: int | None = None, num_gpus: float | None = None, progress: bool = False,
            docs_per_call: int = MODEL_BATCH, stop: StopWatch | None = None
            ) -> Iterator[tuple[str, dict[str, Any] | None]]:
    """Yields ``(status, record)`` for every item as the cluster finishes it.

    ``docs_per_call`` documents go to a model worker at once (they share its
    translation batches; their records come back together). Connects to ``address``
    (``auto``: the cluster ``ray start`` made on this machine; None: ``RAY_ADDRESS``,
    else a Ray instance started for this run and stopped after). ``ray.init`` installs
    its own SIGTERM handler (``sys.exit(15)``): the caller's handlers are put back right
    after it; with ``stop``, a stop signal is also checked after every batch.

    Raises:
        MissingDependencyError: Ray Data is not installed.
        ConfigError: bad worker or GPU settings.
        MtsumError: the Ray pipeline failed (a worker died more often than retried).
    """
    ray = import_ray()
    gpus = gpus_per_worker(plan.settings.device, num_gpus)
    worker_device(plan.settings.device, gpus)  # refuse a bad combination before starting Ray
    if workers is not None and workers < 1:
        raise ConfigError(f"--workers must be 1 or more, got {workers}")
    if not items:
        return
    started = not ray.is_initialized()
    if started:
        ours = _handlers()
        try:
            ray.init(address=address, include_dashboard=False, logging_level=logging.WARNING,
                     runtime_env={"env_vars": _quiet_workers()})
        except SystemExit as exc:  # ray.init's own SIGTERM handler, while it starts
            if exc.code == signal.SIGTERM:
                raise Interrupted(signal.SIGTERM) from None
            raise
        finally:
            # ray.init replaced SIGTERM's handler with sys.exit(15); mtsum's comes back for
            # good (the caller restores the original ones when the run is over).
            _restore(ours)
    try:
        yield from _stream(ray, items, plan, done, workers, gpus, progress, docs_per_call, stop)
    finally:
        if started:
            ray.shutdown()


_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _handlers() -> dict[int, Any]:
    if threading.current_thread() is not threading.main_thread():
        return {}
    return {sig: signal.getsignal(sig) for sig in _SIGNALS}


def _restore(handlers: dict[int, Any]) -> None:
    for sig, handler in handlers.items():
        if handler is not None and signal.getsignal(sig) is not handler:
            signal.signal(sig, handler)


def _stream(ray: Any, items: Sequence[Item], plan: Plan, done: Mapping[str, str], workers: int | None,
            gpus: float, progress: bool, docs_per_call: int, stop: StopWatch | None
            ) -> Iterator[tuple[str, dict[str, Any] | None]]:
    """The Ray Data pipeline of :func:`run_ray`, run once Ray is up."""
    ray.data.DataContext.get_current().enable_progress_bars = progress
    if not progress:  # without bars Ray Data logs its progress every few seconds instead
        logging.getLogger("ray.data").setLevel(logging.WARNING)
    count = workers or _default_workers(ray, gpus)
    log.info("ray: %d model worker(s), %s GPU(s) each, on %s", count, gpus,
             ray.get_runtime_context().gcs_address)
    rows = [{"item": pickle.dumps(item), "done": done.get(item.id, "")} for item in items]
    # Blocks of PREPARE_BATCH rows: preparation spreads over tasks and records stream
    # back as documents finish (Ray's default may put a small input in one block).
    blocks = max(1, math.ceil(len(rows) / PREPARE_BATCH))
    try:
        ds = ray.data.from_items(rows, override_num_blocks=blocks)
    except TypeError:  # Ray before 2.10 calls it parallelism
        ds = ray.data.from_items(rows, parallelism=blocks)
    ds = ds.map_batches(_prepare_batch, fn_kwargs={"plan": plan},
                        batch_size=PREPARE_BATCH, batch_format="numpy")
    ds = _model_stage(ray, ds, plan, gpus, count, docs_per_call)
    try:
        for batch in ds.iter_batches(batch_size=None, batch_format="numpy"):
            for status, rec in zip(batch["status"], batch["record"]):
                yield str(status), (json.loads(rec) if rec else None)
            if stop is not None:
                stop.check()
    except MtsumError:
        raise
    except Exception as exc:
        raise MtsumError(f"the Ray pipeline failed: {str(exc).splitlines()[0] if str(exc) else exc!r} "
                         "(re-run with --debug for Ray's traceback)") from exc


def _model_stage(ray: Any, ds: Any, plan: Plan, gpus: float, count: int, docs_per_call: int) -> Any:
    """The actor pool. Ray Data restarts dead actors and retries their batches without
    limit by default; bounded retries stop a batch that kills every worker from looping
    forever. Ray 2.60 deprecates these keywords (no named replacement yet), and once they
    are gone the pool runs with Ray's defaults."""
    import warnings

    args: dict[str, Any] = {"fn_constructor_kwargs": {"plan": plan, "num_gpus": gpus}, "batch_size": docs_per_call,
                            "batch_format": "numpy", "compute": ray.data.ActorPoolStrategy(size=count),
                            "num_cpus": 1, "num_gpus": gpus or None}
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*ray_remote_args.*is deprecated")
            return ds.map_batches(ModelWorker, max_restarts=MAX_RESTARTS, max_task_retries=MAX_TASK_RETRIES, **args)
    except TypeError:
        return ds.map_batches(ModelWorker, **args)


def _default_workers(ray: Any, gpus: float) -> int:
    """Every GPU busy; on CPUs, all but one (the preparing tasks need a CPU too)."""
    resources = ray.cluster_resources()
    if gpus > 0:
        available = int(resources.get("GPU", 0) // gpus)
        if available < 1:
            raise ConfigError(f"the Ray cluster has {resources.get('GPU', 0):g} GPU(s), "
                              f"fewer than the {gpus:g} asked per worker")
        return available
    return max(1, int(resources.get("CPU", 1)) - 1)


def _quiet_workers() -> dict[str, str]:
    """The workers' environment: they load the models, so transformers' warnings and the
    hub's progress bars are kept off the terminal there as the CLI keeps them off here
    (unless the user set these variables, or mtsum logs at debug level)."""
    if logging.getLogger("mtsum").getEffectiveLevel() <= logging.DEBUG:
        return {}
    wanted = {"TRANSFORMERS_VERBOSITY": "error", "HF_HUB_DISABLE_PROGRESS_BARS": "1"}
    return {name: value for name, value in wanted.items() if not settings.env(name)}
