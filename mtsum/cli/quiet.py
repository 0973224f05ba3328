"""Keep transformers' warnings and the Hugging Face progress bars off a user's terminal
(``--debug`` shows them), without touching ``os.environ``.

Setting ``TRANSFORMERS_VERBOSITY`` and ``HF_HUB_DISABLE_PROGRESS_BARS`` would leak into
every process mtsum starts and outlive an in-process run. Both libraries read those
variables once, when imported, and most commands never import them (``--backend
ctranslate2`` must not import transformers at all), so the same settings are applied the
moment each library is imported: at once if it already is, else by a one-shot import hook.
Every function returns its undo, which the CLI runs when the command ends.

A filter on the ``transformers`` logger would not do: records of its child loggers
(``transformers.generation.utils``...) reach its handler without passing the parent's
filters, and transformers sets its logger's level when it is imported.
"""

from __future__ import annotations

import importlib.abc
import logging
import sys
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

_TRANSFORMERS_LOGGING = "transformers.utils.logging"
_HUB_TQDM = "huggingface_hub.utils.tqdm"
Undo = Callable[[], None]


class _AfterImport(importlib.abc.MetaPathFinder):
    """Runs ``then(module)`` once, right after the module ``name`` has been executed."""

    def __init__(self, name: str, then: Callable[[ModuleType], None]) -> None:
        self.name = name
        self.then = then

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None) -> Any:
        if fullname != self.name:
            return None
        self.remove()
        spec = None
        for finder in list(sys.meta_path):
            find = getattr(finder, "find_spec", None)
            spec = find(fullname, path, target) if find else None
            if spec is not None:
                break
        loader = getattr(spec, "loader", None)
        if loader is not None and hasattr(loader, "exec_module"):
            execute, then = loader.exec_module, self.then

            def exec_module(module: ModuleType) -> None:
                execute(module)
                then(module)

            loader.exec_module = exec_module  # this module's own loader: no other import sees it
        return spec

    def remove(self) -> None:
        if self in sys.meta_path:
            sys.meta_path.remove(self)


def _when_imported(name: str, apply: Callable[[ModuleType], Undo | None]) -> Undo:
    """``apply(module)`` now if ``name`` is imported, else just after its import; returns the
    undo of whichever happened (a pending hook is removed)."""
    undo: list[Undo] = []

    def run(module: ModuleType) -> None:
        try:
            step = apply(module)
        except Exception:  # another version of the library: chatter must never stop a run
            logging.getLogger("mtsum").debug("could not quiet %s", name, exc_info=True)
            return
        if step is not None:
            undo.append(step)

    hook: _AfterImport | None = None
    if name in sys.modules:
        run(sys.modules[name])
    else:
        hook = _AfterImport(name, run)
        sys.meta_path.insert(0, hook)

    def undo_all() -> None:
        if hook is not None:
            hook.remove()
        while undo:
            undo.pop()()

    return undo_all


def _both(first: Undo, second: Undo) -> Undo:
    def undo() -> None:
        second()
        first()

    return undo


def transformers_errors_only() -> Undo:
    """transformers' own logger at ERROR (what ``TRANSFORMERS_VERBOSITY=error`` does)."""

    def apply(module: ModuleType) -> Undo:
        before = module.get_verbosity()
        module.set_verbosity(logging.ERROR)
        return lambda: module.set_verbosity(before)

    return _when_imported(_TRANSFORMERS_LOGGING, apply)


def hide_progress_bars() -> Undo:
    """No download bars from huggingface_hub, no "Loading weights" bars from transformers
    (what ``HF_HUB_DISABLE_PROGRESS_BARS=1`` does); a user's own setting of that variable wins."""

    def hub(module: ModuleType) -> Undo | None:
        if module.HF_HUB_DISABLE_PROGRESS_BARS is not None or module.are_progress_bars_disabled():
            return None
        module.disable_progress_bars()
        return module.enable_progress_bars

    def transformers(module: ModuleType) -> Undo | None:
        # transformers copies the hub's setting when imported; one imported earlier needs telling.
        forced = getattr(sys.modules.get(_HUB_TQDM), "HF_HUB_DISABLE_PROGRESS_BARS", None)
        if forced is not None or not module.is_progress_bar_enabled():
            return None
        module.disable_progress_bar()
        return module.enable_progress_bar

    return _both(_when_imported(_HUB_TQDM, hub), _when_imported(_TRANSFORMERS_LOGGING, transformers))
