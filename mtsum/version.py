"""The installed version, for the results and pages that record it."""

try:
    from importlib.metadata import version as _version

    __version__ = _version("mtsum")
except Exception:  # a source tree that was never installed
    __version__ = "0+unknown"
