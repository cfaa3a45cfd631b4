"""``python -m exposure`` runs the command line."""

from exposure.cli.commands import main

main()
