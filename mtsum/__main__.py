from mtsum.cli import main

main(prog_name="mtsum")
