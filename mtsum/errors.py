"""Every error mtsum raises on purpose, in one hierarchy.

Each class carries the process exit code the CLI maps it to, so the library never
exits and the CLI never guesses. Messages say what went wrong *and* how to fix it.
"""

from __future__ import annotations


class MtsumError(Exception):
    """Base class: anything mtsum raises deliberately."""

    exit_code = 1
    # True: the error concerns one input (the runner reports it and goes on with the
    # others); False: it concerns the whole run (bad registry, bad device), which stops.
    per_input = False


class InputError(MtsumError):
    """The input cannot be used: missing, a directory, empty, binary or undecodable."""

    exit_code = 2
    per_input = True


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


class UnconfiguredLanguageError(ConfigError):
    """models.yaml has no translation model for one input's language: that input fails, the others go on."""

    per_input = True


class OutputError(MtsumError):
    """An output path cannot be written: it is an input, a file where a folder is needed,
    its folder cannot be created, it is not writable, or the disk is full."""

    exit_code = 2


class Interrupted(BaseException):
    """SIGINT or SIGTERM stopped the run; finished outputs are kept, nothing partial is left.

    A BaseException, like KeyboardInterrupt: an ``except Exception`` anywhere (ours, or a
    library's such as trafilatura's) must not swallow a stop. The CLI maps it to 130/143.
    """

    per_input = False

    def __init__(self, signum: int) -> None:
        import signal

        self.signum = signum
        self.exit_code = 128 + signum  # the shell convention: 130 for SIGINT, 143 for SIGTERM
        name = signal.Signals(signum).name
        super().__init__(f"interrupted by {name}; finished outputs are kept, no partial file was left")


class MissingDependencyError(MtsumError):
    """An optional package is needed for this feature; the message names the extra."""

    exit_code = 2
    per_input = True  # e.g. HTML extraction: the text inputs can still go on


class ModelUnavailableError(MtsumError):
    """A model is neither in the local cache nor reachable, or a local model path is missing."""

    exit_code = 3
    per_input = True  # only the inputs in that model's language fail


class ModelLoadError(ModelUnavailableError):
    """A model's files are present but could not be loaded (corrupt or incompatible)."""


class BackendOOMError(MtsumError):
    """The device ran out of memory for one batch; the batcher halves it and retries."""

    exit_code = 1


class ArticlesFailedError(MtsumError):
    """Some inputs of a multi-input run (e.g. ``mtsum digest``) failed; the rest were done."""

    exit_code = 4


class StateError(MtsumError):
    """The digest state database cannot be opened or is not mtsum's."""

    exit_code = 2


class StateLockedError(StateError):
    """Another digest holds the state; retry later (EX_TEMPFAIL, as cron wrappers expect)."""

    exit_code = 75
