"""The ``exposure`` command line: thin commands over the public API."""

from exposure.cli.commands import cli, main

__all__ = ["cli", "main"]
