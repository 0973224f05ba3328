"""``python -m mtsum``: the same command line as ``mtsum``."""

from mtsum.cli import main

main(prog_name="mtsum")
