"""``python -m modeller``: the same command line as the ``modeller`` script."""

from .entry import main

main()
