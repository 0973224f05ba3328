"""Every error mtsum raises on purpose, in one hierarchy.

Each class carries the process exit code the CLI maps it to, so the library never
exits and the CLI never guesses. Messages say what went wrong *and* how to fix it.
"""

from __future__ import annotations


class MtsumError(Exception):
    """Base class: anything mtsum raises deliberately."""

    exit_code = 1


class InputError(MtsumError):
    """The input cannot be used: missing, a directory, empty, binary or undecodable."""

    exit_code = 2


class UnsupportedLanguageError(InputError):
    """The text is in a language mtsum cannot translate."""

    def __init__(self, language: str, confidence: float, source: str = "") -> None:
        self.language = language
        self.confidence = confidence
        where = f"{source}: " if source else ""
        # Short texts give weak guesses; saying "unclear" keeps users from trusting them.
        what = (f"unsupported language '{language}'" if confidence >= 0.5
                else f"language unclear, best guess unsupported '{language}'")
        super().__init__(
            f"{where}{what} (confidence {confidence:.2f}); "
            "mtsum translates sv and de (en passes through). "
            "Use --source sv|de|en to force a language."
        )


class ConfigError(MtsumError):
    """models.yaml (or another setting) is malformed or names something impossible."""

    exit_code = 2


class MissingDependencyError(MtsumError):
    """An optional package is needed for this feature; the message names the extra."""

    exit_code = 2


class ModelUnavailableError(MtsumError):
    """A model is neither in the local cache nor reachable, or a local model path is missing."""

    exit_code = 3


class ModelLoadError(ModelUnavailableError):
    """A model's files are present but could not be loaded (corrupt or incompatible)."""


class ArticlesFailedError(MtsumError):
    """Some inputs of a multi-input run (e.g. ``mtsum digest``) failed; the rest were done."""

    exit_code = 4


class StateError(MtsumError):
    """The digest state database cannot be opened or is not mtsum's."""

    exit_code = 2


class StateLockedError(StateError):
    """Another digest holds the state; retry later (EX_TEMPFAIL, as cron wrappers expect)."""

    exit_code = 75
